"""Shared fixtures: a clean Config for every test, and the book's engine loaded from its file."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from refengine import Config

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
