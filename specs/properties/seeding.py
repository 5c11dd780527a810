"""Core properties of the grads backward hands out: a grad set on the output is the seed, and an
array once handed out (or given as a seed) is never changed afterwards."""

from __future__ import annotations

from typing import Final

import numpy as np

from specs.graphs.ir import FloatArray, Graph, features
from specs.graphs.oracle import adjoints
from specs.graphs.snippets import name_of, print_check, printed
from specs.graphs.strategies import FAMOUS_GRAPHS, graphs
from specs.properties.base import Property, Violation, trial_maker
from specs.properties.graphs import _check_grad, _code_keeping_leaves_and_output, _double, _leaves_and_output
from specs.target.adapters.protocol import Engine, Handle

SEED: Final = 2.0


def _seed(graph: Graph) -> FloatArray:
    return np.full(graph.shape, SEED, dtype=graph.dtype)


def _seed_line(graph: Graph) -> str:
    output = name_of(graph, graph.output)
    dtype = "" if graph.dtype == "float64" else f", dtype=np.{graph.dtype}"
    return f"{output}.grad = np.full({graph.shape}, {SEED}{dtype})\n{output}.backward()"


def check_seed(engine: Engine, graph: Graph) -> None:
    """With `y.grad = 2` set first, `y.backward()` gives every reached leaf twice its adjoint."""
    handles = _leaves_and_output(engine, graph)
    engine.set_grad(handles[-1], _seed(graph))
    engine.backward(handles[-1], retain_grad=False)
    twice = _double(adjoints(graph))
    for index in sorted(i for i in graph.ancestors() if graph.is_leaf(i)):
        _check_grad(engine, graph, index, engine.grad(handles[index]), twice, _seed_line(graph), 2, "a seed of 2")


def _unchanged(what: str, kept: FloatArray, copy: FloatArray, by: str, code: str) -> None:
    """Raise a Violation unless `kept` still holds `copy`'s values; `code` ends where `kept` is printed."""
    if kept.tobytes() != copy.tobytes():
        raise Violation(
            f"{what} was changed in place by {by}: it held {printed(copy)}, now {printed(kept)} (an array once "
            "handed out is never modified: write x.grad = x.grad + gx, not x.grad += gx, and never modify gy)",
            f"{code}\n" + print_check("kept", copy, kept),
        )


def _hand_out(engine: Engine, handles: list[Handle], reached: list[int]) -> list[tuple[int, FloatArray, FloatArray]]:
    """The grad arrays the leaves hold now, with a copy of each."""
    found = []
    for index in reached:
        grad = engine.grad(handles[index])
        if grad is not None:
            found.append((index, grad, grad.copy()))
    return found


def check_handed_out(engine: Engine, graph: Graph) -> None:
    """The seed, and each leaf grad array a pass left, keep their values through later passes and cleargrad."""
    handles = _leaves_and_output(engine, graph)
    output = name_of(graph, graph.output)
    reached = sorted(i for i in graph.ancestors() if graph.is_leaf(i))
    seed = _seed(graph)
    engine.set_grad(handles[-1], seed)
    engine.backward(handles[-1], retain_grad=False)
    first = _seed_line(graph).replace(f"{output}.grad = ", "kept = ").replace(f"\n{output}.backward()", "")
    first += f"\n{output}.grad = kept\n{output}.backward()"
    _unchanged(f"the array set as {output}.grad (the seed)", seed, _seed(graph), f"{output}.backward()", first)
    given = _hand_out(engine, handles, reached)
    again = f"{output}.backward()"
    engine.backward(handles[-1], retain_grad=False)
    calls = _seed_line(graph)
    for index, kept, copy in given:
        name = name_of(graph, index)
        _unchanged(f"the array {name}.grad held after the first pass", kept, copy, f"a second {again}",
                   f"{calls}\nkept = {name}.grad\n{again}")
    given = _hand_out(engine, handles, reached)
    for index in reached:
        engine.cleargrad(handles[index])
    engine.backward(handles[-1], retain_grad=False)
    clears = "\n".join(f"{name_of(graph, i)}.cleargrad()" for i in reached)
    for index, kept, copy in given:
        name = name_of(graph, index)
        _unchanged(f"the array {name}.grad held before cleargrad()", kept, copy, f"cleargrad() and {again}",
                   f"{calls}\n{again}\nkept = {name}.grad\n{clears}\n{again}")


def _handed_out_calls(graph: Graph) -> str:
    """Every call the handed-out check makes, in order: shown when one of them raises."""
    output = name_of(graph, graph.output)
    clears = "".join(f"{name_of(graph, i)}.cleargrad()\n" for i in sorted(graph.ancestors()) if graph.is_leaf(i))
    return f"{_seed_line(graph)}\n{output}.backward()\n{clears}{output}.backward()\n"


def _describe(graph: Graph) -> tuple[frozenset[str], int]:
    return features(graph), len(graph.nodes)


_seed_trial = trial_maker(check_seed, _code_keeping_leaves_and_output, _describe, lambda g: _seed_line(g) + "\n")
# the first call it makes, for the snippet when the target raises there
_handed_out_trial = trial_maker(check_handed_out, _code_keeping_leaves_and_output, _describe, _handed_out_calls)
NEEDS: Final = frozenset({"Variable", "add", "square"})

PROPERTIES: Final = (
    Property(
        id="output-grad-set-beforehand-seeds-backward",
        tier="core",
        summary="with y.grad = 2 set first, y.backward() gives twice the leaf grads (an existing grad is the seed)",
        needs=NEEDS,
        trials=graphs().map(_seed_trial),
        examples=tuple(_seed_trial(graph) for graph in FAMOUS_GRAPHS.values()),
        max_examples=50,
    ),
    Property(
        id="handed-out-grads-are-never-mutated",
        tier="core",
        summary="a seed set as y.grad, and every grad array a pass left on a leaf, keep their values afterwards",
        needs=NEEDS,
        trials=graphs().map(_handed_out_trial),
        examples=tuple(_handed_out_trial(graph) for graph in FAMOUS_GRAPHS.values()),
        max_examples=50,
    ),
)
