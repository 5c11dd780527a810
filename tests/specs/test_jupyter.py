"""The notebook side of `specs.check`, without a kernel: names, warnings, and the learner's Config."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import specs
from specs.run.jupyter import config_kept, in_notebook, namespace_label, warnings_collected
from specs.run.runner import SPECS_DIR
from specs.target.loader import load_target
from tests.conftest import FIXTURES


def test_a_namespace_is_named_after_its_notebook_or_file() -> None:
    assert namespace_label({"__vsc_ipynb_file__": "/home/me/step18.ipynb", "__session__": "x"}) == "step18.ipynb"
    assert namespace_label({"__session__": "course/week3/step18.ipynb"}) == "step18.ipynb"
    assert namespace_label({"__file__": "/home/me/engine.py"}) == "engine.py"
    assert not in_notebook() and namespace_label({"__session__": " "}) == "the given namespace"


def test_the_targets_warnings_become_one_note_and_are_not_shown() -> None:
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        with warnings_collected(notes):
            for _ in range(3):
                np.float64(1e300) * np.float64(1e300)  # this file is not the suite's: it stands for the target
    assert shown == []
    assert notes == ["the target emitted 3 RuntimeWarnings (first: overflow encountered in scalar multiply) "
                     "while running the examples; they are not shown above"]


def test_nothing_to_say_when_nothing_warned() -> None:
    notes: list[str] = []
    with warnings_collected(notes):
        pass
    assert notes == []


def test_the_learners_config_is_put_back_even_when_the_check_fails() -> None:
    target = load_target(FIXTURES / "book_step18.py")
    engine = specs.engine_for(target)
    engine.set_enable_backprop(False)
    with pytest.raises(RuntimeError), config_kept(engine):
        engine.set_enable_backprop(True)
        raise RuntimeError("the check stopped")
    assert engine.enable_backprop() is False


def test_check_of_a_namespace_keeps_its_config_and_names_it(tmp_path: Path) -> None:
    namespace = dict(load_target(FIXTURES / "book_step18.py").namespace)
    namespace["__session__"] = str(tmp_path / "week3.ipynb")
    namespace["Config"].enable_backprop = False  # type: ignore[attr-defined]  # the learner's class
    report = specs.check(namespace, only=("no-grad-builds-no-graph",), max_examples=5, database=None, seed=0)
    assert report.target == "week3.ipynb" and report.passed
    assert namespace["Config"].enable_backprop is False  # type: ignore[attr-defined]  # the learner's class


def test_the_suites_own_warnings_are_shown_not_blamed_on_the_target() -> None:
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        with warnings_collected(notes):
            warnings.warn_explicit("a suite bug", UserWarning, str(SPECS_DIR / "run" / "runner.py"), 1)
    assert [str(w.message) for w in shown] == ["a suite bug"] and notes == []
