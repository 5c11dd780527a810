"""Extended properties: where the book's code is wrong or silent. Reported; never fail a run."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Final, TypeVar

import numpy as np
from hypothesis import strategies as st

from specs.graphs.ir import Graph, features
from specs.graphs.snippets import array_code, print_check, short
from specs.graphs.strategies import graphs
from specs.properties.base import Property, Violation, printing, reading, trial_maker
from specs.properties.memory import cyclic_gc_off
from specs.target.adapters.protocol import Engine

T = TypeVar("T")
DEEP_CHAIN: Final = 100_000


def check_leaf_backward(engine: Engine, graph: Graph) -> None:
    """`x.backward()` on a Variable without a creator sets its grad to ones_like(x.data)."""
    x = engine.variable(graph.leaf_array(0))
    engine.backward(x, retain_grad=False)
    got, want = engine.grad(x), np.ones(graph.shape, dtype=graph.dtype)
    def wrong(grad: object) -> bool:
        return not (isinstance(grad, np.ndarray) and grad.dtype == want.dtype and grad.shape == want.shape
                    and np.array_equal(grad, want))

    if wrong(got):
        raise Violation(f"after x.backward() on a leaf, x.grad is {short(got)}, expected {short(want)}",
                        print_check("x.grad", want, got),
                        reading(engine.grad, "x", wrong))


def _in_new_thread(work: Callable[[], T]) -> T:
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(work())
        except BaseException as error:  # handed back to the caller's thread
            errors.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return results[0]


def check_threads(engine: Engine, _: None) -> None:
    """no_grad() in one thread leaves graph building on in another."""
    with engine.no_grad():
        built = _in_new_thread(lambda: engine.creator(engine.square(engine.variable(np.array(2.0)))) is not None)
    if not built:
        raise Violation(
            "while the main thread was inside no_grad(), square() in another thread recorded no creator "
            "(Config is shared by all threads)",
            "import threading\nwith no_grad():\n    t = threading.Thread(target=lambda: print(square(Variable("
            "np.array(2.0))).creator))\n    t.start(); t.join()  # expected a Function, not None",
            printing(lambda creator: creator is None),
        )


def check_deep_graph(engine: Engine, _: None) -> None:
    """Backward over a 100,000-node chain, and freeing it, need no recursion.

    Each add takes a new leaf: every grad is set once, so only the walk is judged (x.grad is 1),
    not how grads accumulate, which the graph properties judge.
    """
    x = engine.variable(np.array(1.0))
    y = x
    for _step in range(DEEP_CHAIN):
        y = engine.add(y, engine.variable(np.array(1.0)))
    engine.backward(y, retain_grad=False)
    got = engine.grad(x)
    if got is None or got != 1.0:
        raise Violation(f"x.grad is {short(got)} after backward over the chain, expected 1.0", "",
                        reading(engine.grad, "x", lambda grad: grad is None or bool(grad != 1.0)))
    creator = engine.creator(y)
    try:
        ref = weakref.ref(creator) if creator is not None else None
    except TypeError:
        ref = None  # a Function without weak-reference support: only the backward pass is judged
    del creator
    with cyclic_gc_off():
        del y
        if ref is not None and ref() is not None:
            raise Violation("dropping the chain's output did not free it",
                            "import gc, weakref\ngc.disable()\nref = weakref.ref(y.creator)\ndel y\n"
                            "print(ref())  # expected None",
                            printing(lambda alive: alive is not None))


def _deep_code(_: None) -> str:
    return (f"x = Variable(np.array(1.0))\ny = x\nfor _ in range({DEEP_CHAIN}):\n    y = add(y, Variable(np.array(1.0)))\n"
            "y.backward()\nprint(np.asarray(x.grad))  # expected 1.0\n")


_leaf_trial = trial_maker(check_leaf_backward, lambda g: f"x = Variable({array_code(g.leaf_array(0))})\nx.backward()\n",
                          lambda g: (features(g), 0))
_thread_trial = trial_maker(check_threads, lambda _: "")
_deep_trial = trial_maker(check_deep_graph, _deep_code)

PROPERTIES: Final = (
    Property(
        id="backward-on-leaf-seeds-its-grad",
        tier="extended",
        summary="x.backward() on a leaf sets x.grad = ones_like(x.data) (the book raises AttributeError)",
        needs=frozenset({"Variable"}),
        trials=graphs(max_nodes=1).map(_leaf_trial),
        max_examples=20,
    ),
    Property(
        id="config-isolated-between-threads",
        tier="extended",
        summary="no_grad() in one thread leaves graph building on in others (the book shares one Config)",
        needs=frozenset({"Variable", "square", "no_grad"}),
        trials=st.just(None).map(_thread_trial),
        max_examples=1,
    ),
    Property(
        id="deep-graph-backward",
        tier="extended",
        summary=f"backward over a {DEEP_CHAIN:,}-node chain and its release need no recursion",
        needs=frozenset({"Variable", "add"}),
        trials=st.just(None).map(_deep_trial),
        max_examples=1,
        time_scale=20.0,
    ),
)
