"""A broken engine: the book's step-18 file with one bug patched in, written where a test can load it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from tests.conftest import FIXTURES

BOOK: Final = FIXTURES / "book_step18.py"


@dataclass(frozen=True)
class BrokenEngine:
    """One bug: the text it replaces in the book's engine, and the property that must catch it."""

    name: str
    old: str
    new: str
    caught_by: str
    prelude: str = ""  # helper code the bug needs, put before the engine's classes

    def write(self, directory: Path) -> Path:
        """Write the broken engine to `directory/<name>.py` and return the path."""
        source = BOOK.read_text()
        assert source.count(self.old) == 1, f"{self.name}: the patched text must occur once in the book"
        path = directory / f"{self.name}.py"
        source = source.replace(self.old, self.new).replace("\n\nclass Config:", f"\n\n{self.prelude}class Config:")
        path.write_text(source)
        return path
