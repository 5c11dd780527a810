"""The API probe: each missing piece found once with its likely spelling; ops taken from the target."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import refengine
import specs
from specs.target.adapters.dezero_style import DezeroStyle
from specs.target.loader import load_target
from specs.target.probe import Blocked, likely, probe
from tests.conftest import FIXTURES

BOOK = (FIXTURES / "book_step18.py").read_text()


def _book(tmp_path: Path, *edits: tuple[str, str], extra: str = "") -> dict[str, object]:
    """The book's step-18 file with text replaced, loaded as a learner's file."""
    source = BOOK
    for old, new in edits:
        assert old in source, old
        source = source.replace(old, new)
    path = tmp_path / f"step18_{abs(hash((edits, extra)))}.py"
    path.write_text(source + extra)
    return dict(load_target(str(path)).namespace)


def _without(namespace: dict[str, object], *names: str) -> dict[str, object]:
    return {key: value for key, value in namespace.items() if key not in names}


@pytest.mark.parametrize(
    ("name", "candidates", "expected"),
    [
        ("cleargrad", ["clear_grad", "backward"], "clear_grad"),
        ("cleargrad", ["clearGrad", "setCreator"], "clearGrad"),
        ("creator", ["creater", "data"], "creater"),
        ("enable_backprop", ["enable_backdrop", "train"], "enable_backdrop"),
        ("retain_grad", ["self", "retrain_grad"], "retrain_grad"),
        ("creator", ["data", "grad", "generation"], None),
    ],
)
def test_likely_spellings_come_from_the_targets_own_names(name: str, candidates: list[str], expected: str | None) -> None:
    assert likely(name, candidates) == expected


def test_refengine_and_the_book_have_every_piece() -> None:
    found = probe(vars(refengine))
    assert found.gaps == [] and found.notes == []
    assert found.ops == {"add": refengine.add, "square": refengine.square}


def test_each_misspelling_is_found_once_with_its_likely_spelling(tmp_path: Path) -> None:
    namespace = _book(tmp_path, ("self.creator", "self.creater"), ("x.creator", "x.creater"),
                      ("def cleargrad", "def clear_grad"), ("retain_grad", "retrain_grad"),
                      ("enable_backprop", "enable_backdrop"))
    messages = [gap.message for gap in probe(namespace).gaps]
    assert messages == [
        "`Config` has no `enable_backprop`; it has `enable_backdrop`",
        "`Variable` has no `creator`; it has `creater`",
        "`Variable` has no `cleargrad`; it has `clear_grad`",
        "`Variable.backward` has no parameter `retain_grad`; it has `retrain_grad`",
    ]


def test_a_functions_missing_attributes_are_found_in_its_code(tmp_path: Path) -> None:
    namespace = _book(tmp_path, ("self.inputs", "self.input"), ("f.inputs", "f.input"))
    [gap] = probe(namespace).gaps
    assert gap.message == "`Function` has no `inputs`; it has `input`" and gap.blocks == {"add", "square"}


@pytest.mark.parametrize(
    ("removed", "extra", "how"),
    [
        (("square",), "", "its `Square` class: `Square()(x)`"),
        (("square", "Square"), "Variable.__pow__ = lambda x, c: Square()(x)\n", "`x ** 2` (its `Variable.__pow__`)"),
        (("square", "Square"), "class Pow(Function):\n    def __init__(self, c):\n        self.c = c\n"
         "    def forward(self, x):\n        return x ** self.c\n    def backward(self, gy):\n"
         "        return self.c * self.inputs[0].data ** (self.c - 1) * gy\n", "its `Pow` class: `Pow(2)(x)`"),
        (("square", "Square"), "", "the book's `Square`, defined as a subclass of its `Function`"),
    ],
)
def test_square_is_taken_from_what_the_target_has(tmp_path: Path, removed: tuple[str, ...], extra: str, how: str) -> None:
    namespace = _without(_book(tmp_path, extra=extra), *removed)
    found = probe(namespace)
    assert found.gaps == [] and found.notes == [f"the target has no `square`: the suite used {how}"]
    variable = namespace["Variable"]
    assert callable(variable)
    x = variable(np.array(3.0))
    y = found.ops["square"](x)
    y.backward()  # type: ignore[attr-defined]  # the target's Variable
    assert y.data == 9.0 and x.grad == 6.0  # type: ignore[attr-defined]
    scope = dict(namespace)
    exec(found.sources["square"], scope)  # what a counterexample defines, where the target's names are
    x = variable(np.array(3.0))
    y = scope["square"](x)  # type: ignore[operator]  # the source's function
    y.backward()
    assert y.data == 9.0 and x.grad == 6.0


@pytest.mark.parametrize(
    ("removed", "extra", "how"),
    [
        (("add",), "", "its `Add` class"),
        (("add", "Add"), "Variable.__add__ = lambda x0, x1: Square()(x0)\n", "`x0 + x1` (its `Variable.__add__`)"),
        (("add", "Add"), "", "the book's `Add`, defined as a subclass of its `Function`"),
    ],
)
def test_add_is_taken_from_what_the_target_has(tmp_path: Path, removed: tuple[str, ...], extra: str, how: str) -> None:
    namespace = _without(_book(tmp_path, extra=extra), *removed)
    found = probe(namespace)
    assert found.gaps == [] and how in found.notes[0]
    scope = dict(namespace)
    exec(found.sources["add"], scope)  # what a counterexample defines: the same op as the suite's
    variable = namespace["Variable"]
    assert callable(variable)
    x0, x1 = variable(np.array(3.0)), variable(np.array(4.0))
    assert scope["add"](x0, x1).data == found.ops["add"](x0, x1).data  # type: ignore[operator, attr-defined]


def test_a_counterexample_defines_the_ops_the_suite_supplied_and_reproduces(tmp_path: Path) -> None:
    path = tmp_path / "no_ops.py"
    path.write_text(_source_without_ops().replace("x.grad = x.grad + gx", "x.grad += gx"))
    report = specs.check(str(path), only=("gradients-match-finite-differences",), seed=0, database=None)
    (result,) = report.properties
    assert result.status == "failed" and result.counterexample is not None
    assert "def add(x0, x1):" in result.counterexample and "class Add(Function):" in result.counterexample
    assert result.replayed == "reproduced"


def _source_without_ops() -> str:
    """The book's file without `Square`, `Add`, `square` or `add`: the suite supplies them."""
    source = BOOK
    for name in ("\nclass Square(", "\ndef square(", "\nclass Add(", "\ndef add("):
        start = source.index(name) + 1
        end = source.find("\n\n\n", start)
        source = source[:start] + (source[end + 3 :] if end != -1 else "")
    return source


def test_without_function_or_ops_square_is_a_gap(tmp_path: Path) -> None:
    found = probe(_without(_book(tmp_path), "square", "Square", "Function"))
    assert [gap.message for gap in found.gaps] == ["the target has no `square`"]


def test_a_using_config_that_is_not_a_context_manager_is_found(tmp_path: Path) -> None:
    namespace = _book(tmp_path, ("@contextlib.contextmanager\n", ""))
    messages = [gap.message for gap in probe(namespace).gaps]
    hint = "returned a generator, not a context manager: is `@contextlib.contextmanager` missing?"
    assert messages == [f"`using_config` {hint}", f"`no_grad` {hint} (it returns `using_config(...)`)"]


def test_the_adapter_never_creates_what_the_target_lacks(tmp_path: Path) -> None:
    namespace = _book(tmp_path, ("enable_backprop", "enable_backdrop"))
    engine = DezeroStyle(namespace, "step18")
    with pytest.raises(Blocked, match="`Config` has no `enable_backprop`; it has `enable_backdrop`"):
        engine.set_enable_backprop(True)
    with pytest.raises(Blocked):
        engine.enable_backprop()
    assert not hasattr(namespace["Config"], "enable_backprop")


def test_a_flag_that_is_not_a_bool_is_read_as_it_is(tmp_path: Path) -> None:
    namespace = _book(tmp_path, ('return using_config("enable_backprop", False)',
                                 'return using_config("enable_backprop", "False")'))
    engine = DezeroStyle(namespace, "step18")
    with engine.no_grad():
        assert engine.enable_backprop() == "False"
    report = specs.check(namespace, only=("config-restored-after-exception",), max_examples=5, database=None)
    assert "Config.enable_backprop is 'False'" in report.properties[0].message


def test_one_misspelling_is_one_cause_said_once(tmp_path: Path) -> None:
    namespace = _book(tmp_path, ("self.creator", "self.creater"), ("x.creator", "x.creater"))
    report = specs.check(namespace, max_examples=5, database=None, seed=0)
    failed = [r for r in report.properties if r.status != "passed" and r.tier != "extended"]  # the book fails two
    assert len(failed) >= 3 and not report.passed
    for result in failed:
        assert result.status == "failed" and "Traceback" not in result.message
        assert result.message.endswith("`Variable` has no `creator`; it has `creater`"), result.message
    assert report.notes[0].startswith("`Variable` has no `creator`; it has `creater`")
    assert sum("creater" in note for note in report.notes) == 1


def test_a_function_that_returns_a_list_for_one_output_blocks_the_graph_properties(tmp_path: Path) -> None:
    namespace = _book(tmp_path, ("return outputs if len(outputs) > 1 else outputs[0]", "return outputs"))
    report = specs.check(namespace, only=("forward-values-match-numpy",), max_examples=5, database=None)
    assert report.properties[0].message in (
        f"blocked by a piece of the book's API the target lacks: `{call}` returned a list, not a Variable: "
        "`Function.__call__` should return `outputs[0]` when there is one output" for call in ("square(x)", "add(x0, x1)"))


def test_the_probe_runs_none_of_the_targets_code(tmp_path: Path) -> None:
    namespace = _book(tmp_path, ("class Variable:\n    def __init__(self, data):\n",
                                 "class Variable:\n    def __init__(self, data):\n        if data is not ...:\n            raise SystemExit(3)\n"),
                      ("def square(x):\n", "def square(x):\n    raise SystemExit(4)\n"),
                      ("def no_grad():\n", "def no_grad():\n    raise SystemExit(5)\n"))
    assert probe(namespace).gaps == []


def test_a_no_grad_that_returns_no_context_manager_fails_its_properties_as_the_targets(tmp_path: Path) -> None:
    namespace = _book(tmp_path, ('def no_grad():\n    return using_config("enable_backprop", False)',
                                 "def no_grad():\n    Config.enable_backprop = False"))
    report = specs.check(namespace, only=("no-grad-builds-no-graph",), max_examples=5, database=None)
    assert report.properties[0].status == "failed"
    assert report.properties[0].message.endswith("`no_grad` returned a NoneType, not a context manager")
