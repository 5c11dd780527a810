"""The registry of named adapters: every entry resolves lazily, and a missing engine says how to get it."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

import specs
from specs.target.adapters.importing import import_engine
from specs.target.adapters.registry import ADAPTERS
from specs.target.loader import TargetLoadError

ROOT = Path(__file__).resolve().parents[2]
ENGINES = ("torch", "jax", "chainer", "mygrad", "micrograd", "dezero")
EXPECTED = {"dezero", "dezero-simple", "chainer", "torch", "mygrad", "micrograd", "jax"}


def test_every_engine_the_issue_names_is_registered() -> None:
    assert set(ADAPTERS) == EXPECTED


def test_every_entry_resolves_to_a_factory_without_importing_its_engine() -> None:
    entries = sorted(set(ADAPTERS.values()))
    script = (
        "import importlib, sys\n"
        f"for entry in {entries!r}:\n"
        "    module, _, factory = entry.partition(':')\n"
        "    assert callable(getattr(importlib.import_module(module), factory)), entry\n"
        f"print(sorted(name for name in {ENGINES!r} if name in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]", "importing an adapter module imported its engine"


def test_an_engine_that_cannot_be_imported_raises_target_load_error_with_the_install_hint() -> None:
    with pytest.raises(TargetLoadError, match=r"cannot import no_such_engine_.*ModuleNotFoundError.*pip install it"):
        import_engine("no_such_engine_for_gradspec", "pip install it")


def _unimportable() -> object:
    return import_engine("no_such_engine_for_gradspec", "pip install it")


def test_the_cli_exits_2_with_one_line_when_a_registered_engine_is_missing() -> None:
    missing = [name for name in sorted(ADAPTERS) if importlib.util.find_spec(name.partition("-")[0]) is None]
    if not missing:
        pytest.skip("every registered engine is installed here")
    done = subprocess.run([sys.executable, "-m", "specs", "check", missing[0], "--database", "none"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith(f"specs: cannot load the target: cannot import {missing[0]}")
    assert done.stderr.count("\n") == 1


def test_a_registered_name_wins_over_a_module_of_the_same_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(ADAPTERS, "refengine", f"{__name__}:_unimportable")
    with pytest.raises(TargetLoadError, match="no_such_engine_for_gradspec"):
        specs.open_engine("refengine")
