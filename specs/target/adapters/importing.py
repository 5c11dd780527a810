"""Import an engine for an adapter, or say in one line why it cannot be and how to install it."""

from __future__ import annotations

import importlib
from importlib import metadata
from types import ModuleType

from specs.target.loader import TargetLoadError


def import_engine(module: str, install: str) -> ModuleType:
    """Import `module`; raise TargetLoadError naming the error and the `install` hint if it fails.

    Any exception counts, not only ImportError: dezero 0.0.13 raises AttributeError under numpy 2.
    The top-level package is imported first, every time: after a failed package import its
    submodules that did load stay in sys.modules, and must not be handed out half-initialised.
    """
    try:
        importlib.import_module(module.partition(".")[0])
        return importlib.import_module(module)
    except Exception as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise TargetLoadError(f"cannot import {module} ({type(error).__name__}: {first_line}); {install}") from error


def version_of(distribution: str) -> str:
    """The installed version of a distribution, or "?" when its metadata is missing."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "?"
