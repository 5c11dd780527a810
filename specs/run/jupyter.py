"""`specs.check` as a learner runs it, often in a notebook: a progress line while it runs, the
target's warnings kept out of the cell's output, the notebook named in the title, tracebacks
that name the cell (`In [5]`) rather than the kernel's file for it, and the learner's
`Config.enable_backprop` as it was before the check.

IPython is imported only when a kernel is already running: it is not a dependency.
"""

from __future__ import annotations

import dataclasses
import linecache
import re
import sys
import time
import warnings
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from html import escape
from pathlib import Path
from typing import Any, Final, Protocol

from specs.report.results import PropertyResult, Results
from specs.run.runner import HYPOTHESIS_DIR, SPECS_DIR
from specs.target.adapters.protocol import Engine

REDRAW: Final = 0.5  # seconds between updates of the progress line while examples run
_PY_PATH: Final = re.compile(r"[^\s\"'()]+\.py\b")  # a path ending in .py, as tracebacks and messages quote it
_CELL: Final = re.compile(r"In\s*\[\s*(\d+)\s*\]")
_NOTEBOOK_KEYS: Final = ("__vsc_ipynb_file__", "__session__")  # VS Code's, then ipykernel's (JPY_SESSION_NAME)


def _shell() -> object | None:
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    return get_ipython() if callable(get_ipython) else None


def in_notebook() -> bool:
    """Whether this code runs in an IPython kernel (Jupyter, VS Code), where a display can be updated.

    The terminal IPython shell has no kernel: it would print every update on a new line.
    """
    shell = _shell()
    return shell is not None and getattr(shell, "kernel", None) is not None


def cell_of(filename: str, namespace: Mapping[str, object]) -> str | None:
    """The cell a kernel ran as `filename` (`/tmp/ipykernel_123/456.py`): "In [5]", or None if it is no cell.

    IPython's compiler keeps each cell's file name with its execution count (what its own
    tracebacks print as "Cell In[5]"); without that, the cell is found by its source among the
    inputs the namespace keeps (`_ih`), which IPython stores transformed, as it compiled them.
    """
    compiler = getattr(_shell(), "compile", None)
    number = getattr(compiler, "_filename_map", {}).get(filename)
    if isinstance(number, int):
        return f"In [{number}]"
    named = getattr(compiler, "format_code_name", None)
    label = named(filename) if callable(named) else None
    if isinstance(label, tuple) and len(label) == 2 and (match := _CELL.fullmatch(str(label[1]))):
        return f"In [{match.group(1)}]"
    cached = linecache.cache.get(filename)
    inputs = namespace.get("_ih")
    if cached is None or len(cached) != 4 or not isinstance(inputs, list):
        return None
    source = "".join(cached[2])
    found = [n for n, text in enumerate(inputs) if n and isinstance(text, str) and text.strip() == source.strip()]
    return f"In [{found[-1]}]" if found and source.strip() else None


def name_cells(report: Results, namespace: Mapping[str, object]) -> None:
    """Replace in `report` every kernel file that holds a cell by the cell, as the command line names a
    notebook's (`File "step18.ipynb In [5]", line 3`): the learner knows cells, not the kernel's files."""
    label = namespace_label(namespace)
    prefix = f"{label} " if label.endswith(".ipynb") else ""
    names: dict[str, str | None] = {}

    def rename(match: re.Match[str]) -> str:
        path = match.group(0)
        if path not in names:
            cell = cell_of(path, namespace)
            names[path] = None if cell is None else prefix + cell
        return names[path] or path

    def renamed(text: str) -> str:
        return _PY_PATH.sub(rename, text) if ".py" in text else text

    for index, result in enumerate(report.properties):
        changes: dict[str, Any] = {f.name: renamed(value) for f in dataclasses.fields(result)
                                   if isinstance(value := getattr(result, f.name), str)}  # every text field
        report.properties[index] = dataclasses.replace(result, **changes)
    report.notes[:] = [renamed(note) for note in report.notes]


def namespace_label(namespace: Mapping[str, object]) -> str:
    """What to call a namespace (`globals()`) in the report: its notebook's or file's name if known."""
    for key in (*_NOTEBOOK_KEYS, "__file__"):
        value = namespace.get(key)
        if isinstance(value, str) and value.strip():
            return Path(value.strip()).name or value.strip()
    return "this notebook" if in_notebook() else "the given namespace"


class _Handle(Protocol):
    def update(self, obj: object, /, *, raw: bool = ...) -> None: ...


class NotebookProgress:
    """A line in the cell's output, updated as properties finish: done of all, examples, seconds."""

    def __init__(self, total: int, label: str) -> None:
        from IPython.display import display  # only called in a kernel

        self.total, self.label = total, label
        self.done, self.examples, self.failed = 0, 0, 0
        self.started = self._drawn = time.monotonic()
        # IPython's display is untyped
        handle = display(self._bundle(), raw=True, display_id=True)  # type: ignore[no-untyped-call]
        self._handle: _Handle | None = handle if handle is not None and hasattr(handle, "update") else None

    def _text(self, finished: bool) -> str:
        elapsed = time.monotonic() - self.started
        if finished:
            return f"gradspec checked {self.label}: {self.done} properties, {self.examples} examples in {elapsed:.1f} s"
        failed = f", {self.failed} not passed" if self.failed else ""
        return (f"gradspec is checking {self.label}: property {min(self.done + 1, self.total)} of {self.total}"
                f"{failed}, {self.examples} examples so far, {elapsed:.1f} s")

    def _bundle(self, finished: bool = False) -> dict[str, str]:
        text = self._text(finished)
        return {"text/plain": text, "text/html": f'<div class="gradspec-progress"><small>{escape(text)}</small></div>'}

    def _draw(self, finished: bool = False) -> None:
        self._drawn = time.monotonic()
        if self._handle is not None:
            self._handle.update(self._bundle(finished), raw=True)

    def example(self) -> None:
        """An example started: redraw at most every REDRAW seconds."""
        self.examples += 1
        if time.monotonic() - self._drawn >= REDRAW:
            self._draw()

    def result(self, result: PropertyResult) -> None:
        """A property finished."""
        self.done += 1
        self.failed += result.status not in ("passed", "not-applicable", "skipped")
        self._draw()

    def close(self) -> None:
        """Leave the line saying what was checked and how long it took."""
        self._draw(finished=True)


@contextmanager
def warnings_collected(report_notes: list[str]) -> Iterator[None]:
    """Collect the warnings raised while the examples run; summarise the target's in `report_notes`.

    The stress examples make a correct engine overflow (numpy's `RuntimeWarning`); shown above
    the report they look like errors. A warning from the suite's own code or Hypothesis's is shown as usual.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    target: Counter[str] = Counter()
    first: dict[str, str] = {}
    for warning in caught:
        where = Path(warning.filename).resolve()
        if where.is_relative_to(SPECS_DIR) or where.is_relative_to(HYPOTHESIS_DIR):  # the suite's, not the target's
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
            continue
        name = warning.category.__name__
        target[name] += 1
        first.setdefault(name, str(warning.message).splitlines()[0] if str(warning.message) else "")
    if target:
        counts = ", ".join(f"{n} {name}{'s' if n > 1 else ''} (first: {first[name]})" for name, n in target.items())
        report_notes.append(f"the target emitted {counts} while running the examples; they are not shown above")


@contextmanager
def config_kept(engine: Engine) -> Iterator[None]:
    """Put the target's `Config.enable_backprop` back as it was before the check, however it ends."""
    try:
        before = engine.enable_backprop()
    except Exception:  # no Config, or one that fails: the properties say so
        before = None
    try:
        yield
    finally:
        if isinstance(before, bool):  # the adapter sets bools; a flag of another type stays as the run left it
            try:
                engine.set_enable_backprop(before)
            except Exception:  # a Config that cannot be set was reported by the properties
                pass

