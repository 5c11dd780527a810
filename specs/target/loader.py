"""Turn what the user named as the target into a namespace of the book's API.

A target is `refengine` (the default), a dotted module name, a `.py` file, a `.ipynb` notebook,
a module object, or a namespace dict such as a notebook's `globals()`.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import sys
import types
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, TypeAlias

import nbformat

from specs.target.execution import Failure, Session, beside

TargetSpec: TypeAlias = "str | Path | types.ModuleType | Mapping[str, object] | None"
IMPORTED_NAMES: Final = "Variable, add, square, Config, using_config, no_grad"
API_NAMES: Final = ("Variable", "Function", "add", "square", "Config", "using_config", "no_grad")
_MODULE_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


class TargetLoadError(Exception):
    """The target could not be loaded; the message is one line that says why."""


@dataclass
class Target:
    """A loaded target: its label, the namespace holding its API, and notes for the report."""

    label: str
    namespace: Mapping[str, object]
    import_line: str | None = None
    notes: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)  # cells or statements that raised while loading


# While targets load in this process, one list per load (innermost last) of the places
# (filename, line) where the target called `specs.check`: those calls return at once.
_LOADS: list[list[tuple[str, int]]] = []


def loading() -> bool:
    """Whether gradspec is loading a target in this process (a `specs.check` now is the target's own)."""
    return bool(_LOADS)


def nested_check(filename: str, line: int) -> None:
    """Record that the target being loaded called `specs.check` at `filename`, `line`."""
    if _LOADS:
        _LOADS[-1].append((filename, line))


@contextlib.contextmanager
def _recording_nested_checks() -> Iterator[list[tuple[str, int]]]:
    calls: list[tuple[str, int]] = []
    _LOADS.append(calls)
    try:
        yield calls
    finally:
        _LOADS.pop()


def _nested_note(spec: TargetSpec, filename: str, line: int) -> str:
    """The note for a `specs.check` call the target made while loading, placed as the learner sees it."""
    name = Path(str(spec)).name if isinstance(spec, str | Path) else ""
    if name.endswith(".ipynb") and filename.startswith(f"{name} "):
        place = f"at {filename.removeprefix(name + ' ')}, line {line}"  # a cell: "In [7], line 1"
    elif isinstance(spec, str | Path) and filename == str(Path(spec).resolve()):
        place = f"at line {line}"
    else:
        place = f"at {Path(filename).name}, line {line}"
    return (f"the target calls specs.check(...) {place}; that nested check was skipped (gradspec was "
            "loading the target to check it, so the properties ran once, here)")


def load_target(spec: TargetSpec) -> Target:
    """Load `spec` (see the module docstring); raise TargetLoadError with a one-line reason.

    A `specs.check(...)` the target's code calls while it loads (a notebook's last cell, often)
    returns a skipped report at once, and the target's notes say where it was.
    """
    with _recording_nested_checks() as calls:
        target = _load(spec)
    target.notes.extend(_nested_note(spec, filename, line) for filename, line in calls)
    if not any(name in target.namespace for name in API_NAMES):
        raise TargetLoadError(f"{target.label} defines none of the step-18 names ({', '.join(API_NAMES)})")
    config = target.namespace.get("Config")
    flag = getattr(config, "enable_backprop", True)
    if flag is not True:  # a notebook's last experiment, often
        target.notes.append(
            f"the target left Config.enable_backprop = {flag!r} after loading; every example starts from True"
        )
    return target


def _load(spec: TargetSpec) -> Target:
    if spec is None:
        spec = "refengine"
    if isinstance(spec, types.ModuleType):
        return Target(spec.__name__, vars(spec), f"from {spec.__name__} import {IMPORTED_NAMES}")
    if isinstance(spec, Mapping):
        return Target("the given namespace", spec)
    path = Path(spec)
    text = str(spec)
    if path.suffix == ".ipynb":
        return _load_notebook(path)
    if path.suffix == ".py" or path.is_file() or not _MODULE_NAME.fullmatch(text):
        return _load_file(path)
    try:
        with _current_folder_importable():
            module = importlib.import_module(text)
    except ImportError as error:
        raise TargetLoadError(f"cannot import module {text!r}: {error}") from None
    except Exception as error:
        raise TargetLoadError(f"importing {text!r} raised {_one_line(error)}") from None
    return Target(text, vars(module), f"from {text} import {IMPORTED_NAMES}")


@contextlib.contextmanager
def _current_folder_importable() -> Iterator[None]:
    """Import a module named on the command line from the current folder too, as `python -m` would:
    the `gradspec` script (and `python -P`) leave that folder out of `sys.path`."""
    folder = os.getcwd()
    added = not {"", folder} & set(sys.path)
    if added:
        sys.path.insert(0, folder)
    try:
        yield
    finally:
        if added:
            with contextlib.suppress(ValueError):
                sys.path.remove(folder)


def _one_line(error: BaseException) -> str:
    return f"{type(error).__name__}: {' '.join(str(error).split())}"


def _fresh_module(path: Path) -> types.ModuleType:
    """An empty module for the target, registered so that dataclasses and pickling work."""
    name = "specs_target_" + re.sub(r"\W", "_", path.stem)
    module = types.ModuleType(name)
    module.__file__ = str(path)
    sys.modules[name] = module
    return module


def _load_file(path: Path) -> Target:
    if not path.is_file():
        raise TargetLoadError(f"no such file: {path}")
    try:
        source = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise TargetLoadError(f"cannot read {path}: {_one_line(error)}") from None
    module = _fresh_module(path)
    target = Target(str(path), vars(module))
    filename = str(path.resolve())  # absolute: the load runs in the file's folder
    try:
        with beside(path):
            failures = Session(module).file(source, filename)
    except SyntaxError as error:
        raise TargetLoadError(f"syntax error in {path}, line {error.lineno}: {error.msg}") from None
    _conclude(target, failures, [])
    return target


_MAGIC: Final = re.compile(r"^(\s*)([%!]|\w+\s*=\s*!)")
_RUN: Final = re.compile(r"^\s*%run\s")


def _conclude(target: Target, failures: list[Failure], runs: list[str]) -> None:
    """Note each failure; refuse only when a name of the API is missing because of one."""
    missing = [name for name in API_NAMES if name not in target.namespace]
    culprits = [name for name in missing if any(name in f.binds or name == f.undefined for f in failures)]
    if "Variable" in missing and (failures or runs) and "Variable" not in culprits:
        culprits.insert(0, "Variable")
    if culprits or len(missing) == len(API_NAMES):
        skipped = "".join(f"`{run}` was skipped; run it yourself or paste its definitions; " for run in runs)
        cause = f"; {failures[0].summary()}" if failures else ""
        if len(missing) == len(API_NAMES):
            raise TargetLoadError(
                f"{skipped}{target.label} defines none of the step-18 names ({', '.join(API_NAMES)}){cause}")
        names = ", ".join(f"`{name}`" for name in culprits)
        raise TargetLoadError(f"{skipped}{target.label}: {names} not defined{cause}")
    for failure in failures:
        target.notes.append(failure.note())
    target.failures = failures


def strip_magics(source: str) -> tuple[str, int]:
    """Blank IPython magics and shell lines (keeping line numbers); return the code and how many.

    A cell magic (`%%time`, `%%bash`, ...) makes the whole cell non-Python: it is dropped.
    """
    if source.lstrip().startswith("%%"):
        return "", 1
    lines, skipped = [], 0
    for line in source.splitlines():
        match = _MAGIC.match(line)
        if match:
            lines.append(f"{match.group(1)}pass  # skipped: {line.strip()}")
            skipped += 1
        else:
            lines.append(line)
    return "\n".join(lines), skipped


def _load_notebook(path: Path) -> Target:
    if not path.is_file():
        raise TargetLoadError(f"no such file: {path}")
    try:
        with warnings.catch_warnings():  # old notebooks lack cell ids: nothing a learner must fix
            warnings.simplefilter("ignore")
            notebook = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]  # no stubs
    except Exception as error:  # nbformat raises NotJSONError, ValueError, UnicodeDecodeError...
        raise TargetLoadError(f"{path} is not a readable notebook: {_one_line(error)}") from None
    cells = [cell for cell in notebook.get("cells", []) if cell.get("cell_type") == "code"]
    if not cells:
        raise TargetLoadError(f"{path} has no code cells")
    module = _fresh_module(path)
    target = Target(str(path), vars(module))
    failures: list[Failure] = []
    runs: list[str] = []
    session = Session(module)
    with beside(path):
        for position, cell in enumerate(notebook.get("cells", []), start=1):
            if cell.get("cell_type") != "code":
                continue
            text = str(cell.get("source", ""))
            source, skipped = strip_magics(text)
            count = cell.get("execution_count")
            where = f"In [{count}]" if isinstance(count, int) else f"cell {position}"
            if skipped:
                target.notes.append(f"{where}: skipped {skipped} IPython magic or shell line(s)")
                runs += [line.strip() for line in text.splitlines() if _RUN.match(line)]
            failure = session.cell(source, f"{path.name} {where}", where)
            if failure is not None:
                failures.append(failure)
    _conclude(target, failures, runs)
    return target
