"""Hypothesis's example database, with keys kept apart per property."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase

DEFAULT_PATH = Path(".hypothesis") / "specs"


class KeyedDatabase(ExampleDatabase):
    """Store every key of one property under its own prefix in a shared database.

    The suite builds each property's Hypothesis test from the same function, so Hypothesis's
    own keys (a digest of the test's source) would mix the properties' failing examples.
    """

    def __init__(self, inner: ExampleDatabase, prefix: str) -> None:
        super().__init__()
        self.inner = inner
        self.prefix = prefix.encode() + b":"

    def save(self, key: bytes, value: bytes) -> None:
        """Save `value` under this property's `key`."""
        self.inner.save(self.prefix + key, value)

    def fetch(self, key: bytes) -> Iterable[bytes]:
        """Fetch this property's values for `key`."""
        return self.inner.fetch(self.prefix + key)

    def delete(self, key: bytes, value: bytes) -> None:
        """Delete `value` from this property's `key`."""
        self.inner.delete(self.prefix + key, value)

    def move(self, src: bytes, dest: bytes, value: bytes) -> None:
        """Move `value` between two of this property's keys."""
        self.inner.move(self.prefix + src, self.prefix + dest, value)


def open_database(path: Path | None) -> ExampleDatabase | None:
    """The database at `path`, or none when `path` is None."""
    return None if path is None else DirectoryBasedExampleDatabase(str(path))
