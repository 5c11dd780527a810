"""Shared fixtures: a clean Config for every test, and the book's engine loaded from its file."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import settings

from refengine import Config

# Our own profiles, so that Hypothesis never picks its built-in `ci` profile behind our back.
# CI is derandomized (a red build always reproduces) and keeps no example database.
settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, database=None, print_blob=True)
# Mutation testing (tools/mutation.sh) runs the tests once per mutant: the same examples every
# time, so a mutant's verdict never depends on luck or on what an earlier mutant saved.
settings.register_profile("mutation", deadline=None, derandomize=True, database=None, max_examples=50)
settings.load_profile(os.environ.get("GRADSPEC_HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

FIXTURES = Path(__file__).parent / "fixtures"


def load_file(path: Path) -> ModuleType:
    """Import a Python file under a private name, the way a user's engine file is loaded."""
    spec = importlib.util.spec_from_file_location(f"_fixture_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _fresh_config() -> Iterator[None]:
    """Every test starts, and leaves, with graph building on."""
    Config.enable_backprop = True
    yield
    Config.enable_backprop = True


@pytest.fixture
def book() -> ModuleType:
    """The book's step-18 engine, faithful to its quirks: what refengine must improve on."""
    return load_file(FIXTURES / "book_step18.py")


@pytest.fixture
def book_path() -> Path:
    """The path of the book's step-18 engine file."""
    return FIXTURES / "book_step18.py"
