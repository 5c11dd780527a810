"""`specs.check` as a learner runs it, often in a notebook: a progress line while it runs, the
target's warnings kept out of the cell's output, the notebook named in the title, and the
learner's `Config.enable_backprop` as it was before the check.

IPython is imported only when a kernel is already running: it is not a dependency.
"""

from __future__ import annotations

import sys
import time
import warnings
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from html import escape
from pathlib import Path
from typing import Final, Protocol

from specs.report.results import PropertyResult
from specs.run.runner import HYPOTHESIS_DIR, SPECS_DIR
from specs.target.adapters.protocol import Engine

REDRAW: Final = 0.5  # seconds between updates of the progress line while examples run
_NOTEBOOK_KEYS: Final = ("__vsc_ipynb_file__", "__session__")  # VS Code's, then ipykernel's (JPY_SESSION_NAME)


def in_notebook() -> bool:
    """Whether this code runs in an IPython kernel (Jupyter, VS Code), where a display can be updated.

    The terminal IPython shell has no kernel: it would print every update on a new line.
    """
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    shell = get_ipython() if callable(get_ipython) else None
    return shell is not None and getattr(shell, "kernel", None) is not None


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

