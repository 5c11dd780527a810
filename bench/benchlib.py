"""Shared helpers for the benchmarks: the engines, alternating timed runs, tables, tracemalloc.

Every engine is seen through the same five operations (a leaf, add, square, backward, grad),
so one benchmark body runs them all side by side in one process. The engines:

- `refengine`, this project's engine;
- `book`, the book's step-18 algorithm (tests/fixtures/book_step18.py, loaded by path);
- peers, when installed (none is a project dependency; each is skipped with a note when
  absent): `micrograd` (scalars only), `mygrad`, `dezero` (0.0.13) and `torch`.

No benchmark asserts anything about time: each prints a table.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import importlib.util
import operator
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt

import refengine

ROOT = Path(__file__).resolve().parent.parent
BOOK_FILE = ROOT / "tests" / "fixtures" / "book_step18.py"
Array: TypeAlias = npt.NDArray[np.float64]
Node: TypeAlias = Any  # a variable of whichever engine: engines are duck-typed
T = TypeVar("T")

ENGINES = ("refengine", "book")
PEERS = ("micrograd", "mygrad", "dezero", "torch")
PROBES = ("two-objects",)  # not engines to use: how fast an object model can be (bench/two_objects.py)
# Engines whose memory tracemalloc cannot see: torch's tensors live in its own C++ allocator.
UNTRACED = frozenset({"torch"})


@dataclass(frozen=True)
class Engine:
    """One autodiff engine, seen through the operations the benchmarks use."""

    name: str
    leaf: Callable[[Array], Node]  # a variable holding the array (micrograd: its float)
    add: Callable[[Node, Node], Node]
    square: Callable[[Node], Node]
    backward: Callable[[Node], None]  # seed d y / d y with ones and run the backward pass
    grad: Callable[[Node], Any]  # the grad a backward pass left on a variable, or None
    no_grad: Callable[[], contextlib.AbstractContextManager[Any]] | None = None
    scalar_only: bool = False  # micrograd holds Python floats, not arrays


def load_book() -> ModuleType:
    """The book's step-18 engine, loaded from its file as a learner's file would be."""
    spec = importlib.util.spec_from_file_location("book_step18", BOOK_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _dezero_style(name: str, module: Any) -> Engine:
    return Engine(
        name,
        leaf=module.Variable,
        add=module.add,
        square=module.square,
        backward=lambda y: y.backward(),
        grad=lambda v: v.grad,
        no_grad=module.no_grad,
    )


def _micrograd() -> Engine:
    engine = importlib.import_module("micrograd.engine")
    # micrograd sorts the graph recursively: one Python frame per node on the longest path.
    # Python 3.11 keeps Python-to-Python calls off the C stack, so a high limit is enough.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000_000))
    return Engine(
        "micrograd",
        leaf=lambda a: engine.Value(float(a)),
        add=operator.add,
        square=lambda v: v**2,
        backward=lambda y: y.backward(),
        grad=lambda v: v.grad,
        scalar_only=True,
    )


def _mygrad() -> Engine:
    mg = importlib.import_module("mygrad")
    return Engine(
        "mygrad",
        leaf=mg.tensor,
        add=mg.add,
        square=mg.square,
        backward=lambda y: y.backward(),
        grad=lambda v: v.grad,
        no_grad=lambda: mg.no_autodiff,
    )


def _dezero() -> Engine:
    # dezero 0.0.13 uses `np.int`, which NumPy 1.24 removed: alias it before the import.
    if "int" not in vars(np):
        setattr(np, "int", int)
    dezero = importlib.import_module("dezero")
    return Engine(
        "dezero",
        leaf=dezero.Variable,
        add=dezero.core.add,
        square=lambda v: v**2,  # dezero 0.0.13 has no square(): Pow(2), backward 2 * x * gy
        backward=lambda y: y.backward(),
        grad=lambda v: None if v.grad is None else v.grad.data,  # its grads are Variables
        no_grad=dezero.no_grad,
    )


def _torch() -> Engine:
    torch = importlib.import_module("torch")
    torch.set_num_threads(1)  # a single-threaded engine, like the others
    return Engine(
        "torch",
        leaf=lambda a: torch.from_numpy(a).requires_grad_(),
        add=torch.add,
        square=torch.square,
        backward=lambda y: y.backward(torch.ones_like(y)),
        grad=lambda v: None if v.grad is None else v.grad.numpy(),
        no_grad=torch.no_grad,
    )


def _two_objects() -> Engine:
    probe = importlib.import_module("two_objects")  # bench/ is on sys.path: the scripts run from it
    return Engine("two-objects", leaf=probe.Variable, add=probe.add, square=probe.square,
                  backward=lambda y: y.backward(), grad=lambda v: v.grad)


_PEER_LOADERS: dict[str, Callable[[], Engine]] = {
    "two-objects": _two_objects,
    "micrograd": _micrograd,
    "mygrad": _mygrad,
    "dezero": _dezero,
    "torch": _torch,
}


def load_engines(
    names: Iterable[str], *, arrays: bool = False, traced: bool = False
) -> tuple[list[Engine], list[str]]:
    """The engines called `names` that can run here, and one note per engine skipped.

    With `arrays`, scalar-only engines (micrograd) are skipped too; with `traced`, engines whose
    memory tracemalloc cannot see (torch).
    """
    engines: list[Engine] = []
    notes: list[str] = []
    for name in names:
        if name == "refengine":
            engine = _dezero_style("refengine", refengine)
        elif name == "book":
            engine = _dezero_style("book", load_book())
        else:
            try:
                engine = _PEER_LOADERS[name]()
            except ImportError as error:
                notes.append(f"{name}: skipped, not installed ({error})")
                continue
        if arrays and engine.scalar_only:
            notes.append(f"{name}: skipped, it holds Python floats, not arrays")
            continue
        if traced and name in UNTRACED:
            notes.append(f"{name}: skipped, tracemalloc cannot see its memory (its own C++ allocator)")
            continue
        engines.append(engine)
    return engines, notes


def alternate(
    runs: Mapping[str, Callable[[], T]], repeat: int, *, between: Callable[[], object] = gc.collect
) -> dict[str, list[T]]:
    """Call each of `runs` `repeat` times, alternating between them in each round.

    Alternating spreads the machine's slow spells (other processes, frequency changes) over
    every contender instead of charging them to whichever ran then, and each round starts one
    contender later, so that none always runs in the allocator state another left behind.
    `between` runs before each call (by default a full collection, so that no run pays for the
    garbage of the one before).
    """
    names = list(runs)
    results: dict[str, list[T]] = {name: [] for name in names}
    for round_number in range(repeat):
        start = round_number % len(names)
        for name in names[start:] + names[:start]:
            between()
            results[name].append(runs[name]())
    return results


def median(values: Iterable[float]) -> float:
    """The median of some measurements."""
    return statistics.median(values)


CLOCKS: dict[str, Callable[[], float]] = {
    "wall": time.perf_counter,
    # This process's CPU time: on a machine shared with other busy processes, the time spent
    # waiting for a CPU is left out (cache and memory contention still count).
    "cpu": time.process_time,
}
_clock = CLOCKS["wall"]
_clock_name = "wall"


def add_clock_option(parser: argparse.ArgumentParser) -> None:
    """Give a script's parser the --clock option; call `use_clock(args.clock)` after parsing."""
    parser.add_argument("--clock", choices=list(CLOCKS), default="wall",
                        help="wall time (default) or this process's CPU time, steadier on a busy machine")


def use_clock(name: str) -> None:
    """Make `timed` read the clock called `name`."""
    global _clock, _clock_name
    _clock, _clock_name = CLOCKS[name], name


def timed(action: Callable[[], T]) -> tuple[T, float]:
    """Run `action` once; return its result and the seconds it took on the chosen clock."""
    start = _clock()
    result = action()
    return result, _clock() - start


@contextlib.contextmanager
def collector_off(off: bool = True) -> Iterator[None]:
    """Switch the cyclic garbage collector off inside the block (when `off`), then back as it was."""
    # Not specs' cyclic_gc_off: importing the suite brings Hypothesis, ~28,000 more objects for
    # every full collection to walk, and the graph benchmarks measure the collector's share.
    enabled = gc.isenabled()
    if off:
        gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Traced:
    """tracemalloc as a meter, in bytes beyond what was traced when the block began."""

    def __init__(self) -> None:
        self.base = 0

    def __enter__(self) -> Traced:
        gc.collect()
        tracemalloc.start()
        self.base = tracemalloc.get_traced_memory()[0]
        return self

    def __exit__(self, *exc_info: object) -> None:
        tracemalloc.stop()

    def held(self) -> int:
        """Bytes traced now."""
        return tracemalloc.get_traced_memory()[0] - self.base

    def peak(self) -> int:
        """The most bytes traced at once since the block began or `new_phase()` last ran."""
        return tracemalloc.get_traced_memory()[1] - self.base

    def new_phase(self) -> None:
        """Start measuring a new peak from what is traced now."""
        tracemalloc.reset_peak()


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A plain-text table: the first column left-aligned, the others right-aligned."""
    cells = [[str(h) for h in headers]] + [[_cell(value) for value in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        parts = [row[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(row[1:], widths[1:])]
        lines.append("  ".join(parts).rstrip())
        if n == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        if abs(value) < 0.1:
            return f"{value:.3f}"
        return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def print_notes(notes: Iterable[str]) -> None:
    """Print the notes (skipped engines and the like) under a table."""
    for note in notes:
        print(f"note: {note}")


def machine() -> str:
    """One line on where and how a run happened: Python, NumPy, CPUs, load, the clock."""
    load = os.getloadavg()[0]
    return (
        f"Python {platform.python_version()}, NumPy {np.__version__}, {os.cpu_count()} CPUs "
        f"({platform.machine()}), load average {load:.1f} at the end, {_clock_name} clock"
    )
