"""Memory properties: a dropped graph is freed by reference counting; no_grad() chains stay small."""

from __future__ import annotations

import gc
import tracemalloc
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Final

import numpy as np
from hypothesis import strategies as st

from specs.graphs.ir import Graph, features
from specs.graphs.snippets import graph_code, name_of
from specs.graphs.strategies import FAMOUS_GRAPHS, graphs
from specs.properties.base import Property, Violation, build, printing, trial_maker
from specs.target.adapters.protocol import Engine, Handle


@contextmanager
def cyclic_gc_off() -> Iterator[None]:
    """Switch the cyclic collector off, so only reference counting can free objects."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _references(engine: Engine, graph: Graph, handles: list[Handle]) -> list[tuple[str, weakref.ref[object]]]:
    """Weak references to every non-leaf Variable and every Function (creator) of the graph."""
    found: list[tuple[str, weakref.ref[object]]] = []
    for index in range(len(graph.leaves), graph.size):
        name = name_of(graph, index)
        found.append((name, weakref.ref(handles[index])))
        creator = engine.creator(handles[index])
        if creator is not None:
            try:
                found.append((f"{name}.creator", weakref.ref(creator)))
            except TypeError:
                pass  # a Function without weak-reference support: judged through its output only
    return found


def check_freed(engine: Engine, example: tuple[Graph, bool | None]) -> None:
    """With the cyclic collector off, dropping every non-leaf Variable frees the whole graph.

    The flag says whether `y.backward(retain_grad=flag)` ran before the graph was dropped.
    """
    graph, retain_grad = example
    # No gc.collect() first: what earlier examples left cannot keep this graph alive, and a full
    # collection per example cost about 10 of the property's 11 seconds in a busy process.
    with cyclic_gc_off():
        handles = build(engine, graph)
        if retain_grad is not None:
            engine.backward(handles[graph.output], retain_grad=retain_grad)
        references = _references(engine, graph, handles)
        del handles[len(graph.leaves) :]
        alive = [name for name, ref in references if ref() is not None]
        del handles
    if alive:
        raise Violation(
            f"{len(alive)} graph object(s) outlived every reference to the graph: {', '.join(alive[:6])} "
            "(a reference cycle, e.g. a Function holding its outputs strongly)",
            "import gc, weakref\ngc.disable()\n"
            f"ref = weakref.ref({name_of(graph, graph.output)}.creator)\n"
            + "".join(f"del {name_of(graph, i)}\n" for i in range(len(graph.leaves), graph.size))
            + "print(ref())  # expected None",
            printing(lambda alive: alive is not None),
        )


def _freed_code(example: tuple[Graph, bool | None]) -> str:
    graph, retain_grad = example
    flag = "retain_grad=True" if retain_grad else ""
    return graph_code(graph) + (f"{name_of(graph, graph.output)}.backward({flag})\n" if retain_grad is not None else "")


@contextmanager
def _tracing() -> Iterator[Callable[[], int]]:
    """Trace allocations; yield a function giving the peak in bytes above what was traced at the start.

    Tracing may already be on (a replayed snippet or the target started it): then the peak is
    reset rather than restarted, and tracing is left on as it was found.
    """
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    baseline = tracemalloc.get_traced_memory()[0]
    try:
        yield lambda: tracemalloc.get_traced_memory()[1] - baseline
    finally:
        if not was_tracing:
            tracemalloc.stop()


ARRAY_SIZE: Final = 1 << 16  # float64 elements: 512 KiB an array, far above per-object overhead
SHORT_CHAIN, LONG_CHAIN = 2, 16
GROWTH_ALLOWED: Final = 2.0  # arrays; a kept chain adds LONG_CHAIN - SHORT_CHAIN = 14, tracing noise is far below 1


def _peak_arrays(engine: Engine, squares: int) -> float:
    """Peak traced memory of a chain of squares under no_grad(), in arrays of ARRAY_SIZE."""
    gc.collect()
    with _tracing() as peak:
        x = engine.variable(np.ones(ARRAY_SIZE))
        with engine.no_grad():
            y = engine.square(x)
            for _ in range(squares - 1):
                y = engine.square(y)
        del x, y
        return peak() / (ARRAY_SIZE * 8)


def check_no_grad_memory(engine: Engine, _: None) -> None:
    """Under no_grad(), the peak of a chain of k squares does not grow with k (a constant extra copy may)."""
    short_peak = _peak_arrays(engine, SHORT_CHAIN)
    long_peak = _peak_arrays(engine, LONG_CHAIN)
    if long_peak > short_peak + GROWTH_ALLOWED:
        raise Violation(
            f"under no_grad(), a chain of {LONG_CHAIN} squares peaked at {long_peak:.1f} arrays and one of "
            f"{SHORT_CHAIN} at {short_peak:.1f}: the peak grows with the chain, so something keeps every "
            "intermediate array (no graph should)",
            "import tracemalloc\ntracemalloc.start()\nx = Variable(np.ones(65536))\nwith no_grad():\n"
            f"    y = square(x)\n    for _ in range({LONG_CHAIN - 1}):\n        y = square(y)\n"
            "print(tracemalloc.get_traced_memory()[1] / 524288, 'arrays at the peak')  # expected about 3\n"
            "tracemalloc.stop()",
            printing(lambda peak: isinstance(peak, float) and peak > 4.0),
        )


def _backward_peak_arrays(engine: Engine, squares: int) -> float:
    """Peak traced memory while `y.backward()` runs on a chain of squares, in arrays of ARRAY_SIZE."""
    x = engine.variable(np.ones(ARRAY_SIZE))
    y = engine.square(x)
    for _ in range(squares - 1):
        y = engine.square(y)
    gc.collect()
    with _tracing() as peak:
        engine.backward(y, retain_grad=False)
        return peak() / (ARRAY_SIZE * 8)


def check_backward_memory(engine: Engine, _: None) -> None:
    """With retain_grad=False, the peak while backward runs on a chain of k squares does not grow with k."""
    short_peak = _backward_peak_arrays(engine, SHORT_CHAIN)
    long_peak = _backward_peak_arrays(engine, LONG_CHAIN)
    if long_peak > short_peak + GROWTH_ALLOWED:
        raise Violation(
            f"while y.backward() ran on a chain of {LONG_CHAIN} squares the peak was {long_peak:.1f} arrays, on one "
            f"of {SHORT_CHAIN} {short_peak:.1f}: the grads of the intermediates are kept until the pass ends; "
            "step 18 clears each function's output grads right after that function runs",
            "import tracemalloc\nx = Variable(np.ones(65536))\ny = square(x)\n"
            f"for _ in range({LONG_CHAIN - 1}):\n    y = square(y)\ntracemalloc.start()\ny.backward()\n"
            "print(tracemalloc.get_traced_memory()[1] / 524288, 'arrays at the peak')  # expected about 3",
        )


def _no_code(_: None) -> str:
    return ""


_freed_trial = trial_maker(check_freed, _freed_code, lambda ex: (features(ex[0]), len(ex[0].nodes)))
_memory_trial = trial_maker(check_no_grad_memory, _no_code)
_backward_memory_trial = trial_maker(check_backward_memory, _no_code)

PROPERTIES: Final = (
    Property(
        id="graph-freed-by-reference-counting",
        tier="memory",
        summary="with the cyclic collector off, dropping the graph frees every Variable and Function",
        needs=frozenset({"Variable", "add", "square"}),
        trials=st.tuples(graphs(), st.sampled_from((None, False, True))).map(_freed_trial),
        examples=(
            _freed_trial((FAMOUS_GRAPHS["diamond: square(x)**2 + square(x)**2"], False)),
            _freed_trial((FAMOUS_GRAPHS["diamond: square(x)**2 + square(x)**2"], True)),
        ),
    ),
    Property(
        id="no-grad-forward-memory-bounded",
        tier="memory",
        summary="under no_grad(), the peak of a chain of k squares does not grow with k (no graph is kept)",
        needs=frozenset({"Variable", "square", "no_grad"}),
        trials=st.just(None).map(_memory_trial),
        max_examples=1,
    ),
    Property(
        id="backward-memory-independent-of-depth",
        tier="memory",
        summary="with retain_grad=False, the peak while y.backward() runs on a chain of k squares does not grow with k",
        needs=frozenset({"Variable", "square"}),
        trials=st.just(None).map(_backward_memory_trial),
        max_examples=1,
    ),
)
