"""Teacher mode's arguments: folders and globs expanded into the files to check, one target each."""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Final

SUFFIXES: Final = (".py", ".ipynb")
_SKIPPED_DIRS: Final = frozenset({"__pycache__", ".ipynb_checkpoints", ".git", ".hypothesis"})


class NoTargets(Exception):
    """No target could be found; the message says what was looked at."""


def is_folder(argument: str) -> bool:
    """Whether `argument` names a folder of targets: a directory, unless it is a package named as a module."""
    path = Path(argument)
    package = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", argument) is not None and (path / "__init__.py").is_file()
    return path.is_dir() and not package


def is_gradebook(arguments: Sequence[str]) -> bool:
    """Whether the command names several targets, a folder or a glob (teacher mode)."""
    return len(arguments) > 1 or any(is_folder(a) or glob.has_magic(a) for a in arguments)


def _files_in(directory: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and not d.startswith("."))
        found += [Path(root) / f for f in sorted(files) if Path(f).suffix in SUFFIXES]
    return found


def expand(arguments: Sequence[str]) -> list[str]:
    """The targets `arguments` name: folders give their .py and .ipynb files, globs what they match.

    A plain argument is kept as it is (a file, or a module name). Raises NoTargets when the
    arguments name nothing to check.
    """
    targets: list[str] = []
    empty: list[str] = []
    for argument in arguments:
        if is_folder(argument):
            found = [str(p) for p in _files_in(Path(argument))]
        elif glob.has_magic(argument):
            found = [p for p in sorted(glob.glob(argument, recursive=True)) if Path(p).suffix in SUFFIXES]
        else:
            found = [argument]
        if not found:
            empty.append(argument)
        targets += [t for t in found if t not in targets]
    if not targets:
        named = ", ".join(empty)
        raise NoTargets(f"no target found: {named} holds no .py or .ipynb file")
    return targets
