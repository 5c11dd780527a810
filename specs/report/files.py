"""Reports written whole: a reader (a CI step, a browser, a teacher's script) never sees half a file."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO


@contextmanager
def atomic_text(path: Path) -> Iterator[TextIO]:
    """A text file written beside `path` and moved over it when complete."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            yield stream
    except BaseException:
        os.unlink(temporary)
        raise
    os.chmod(temporary, 0o644)  # mkstemp makes it private; a report is for reading
    os.replace(temporary, path)


def write_json(data: dict[str, object], path: Path) -> None:
    """Write a JSON report atomically: readers never see half a file."""
    with atomic_text(path) as stream:
        json.dump(data, stream, indent=2)
        stream.write("\n")
