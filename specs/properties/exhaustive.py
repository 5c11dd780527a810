"""The small-scope tier: every small add/square graph, checked against the exact gradients.

Explicit examples, run in order, sweep consecutive slices of the graphs of `specs.graphs.exhaustive`
(smallest first) under every value set, with `retain_grad` False (leaf grads) and True
(every grad); the first wrong grad stops the run, so the counterexample is the smallest
failing graph, as shrinking would give. Slices keep each example well within the watchdog.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from hypothesis import strategies as st

from specs.graphs.exhaustive import coverage, small_graphs
from specs.graphs.ir import Graph
from specs.graphs.oracle import adjoints, mismatches
from specs.properties.base import Property, Trial, Violation, build
from specs.target.adapters.protocol import Engine
from specs.properties.graphs import (
    GRAPH_NAMES,
    _code_keeping_leaves_and_output,
    check_gradients,
    check_retain_true,
)
from specs.graphs.snippets import graph_code, name_of

PROPERTY_ID: Final = "small-graphs-match-exact-gradients"


def estimates(graph: Graph) -> tuple[list[np.longdouble], list[float], float]:
    """For a 0-d graph: each value's adjoint in long double, the oracle's tolerance for it (the
    same running bound as `specs.graphs.oracle.adjoints`), and how far the estimate may be from exact,
    as a fraction of that tolerance (1.0 where long double is no wider than float64)."""
    eps, tiny = float(np.finfo(graph.dtype).eps), float(np.finfo(graph.dtype).tiny)
    wide = np.finfo(np.longdouble)
    steps = 2 * len(graph.nodes) + 4
    values = [np.longdouble(leaf[0]) for leaf in graph.leaves]
    magnitudes = [abs(leaf[0]) for leaf in graph.leaves]  # the oracle's: sums of magnitudes, not |sums|
    for node in graph.nodes:
        a, m = values[node.inputs[0]], magnitudes[node.inputs[0]]
        if node.op == "add":
            values.append(a + values[node.inputs[1]])
            magnitudes.append(m + magnitudes[node.inputs[1]])
        else:
            values.append(a * a)
            magnitudes.append(m * m)
    adjoint = [np.longdouble(0)] * graph.size
    bound = [0.0] * graph.size
    adjoint[graph.output], bound[graph.output] = np.longdouble(1), 1.0
    for index in range(graph.output, len(graph.leaves) - 1, -1):
        node = graph.node(index)
        for i in node.inputs:
            square = node.op == "square"
            adjoint[i] += adjoint[index] * (2 * values[i] if square else 1)
            bound[i] += bound[index] * (2 * magnitudes[i] if square else 1.0)
    tolerance = [2 * steps * (eps * b + tiny) for b in bound]
    return adjoint, tolerance, min(1.0, 1.01 * float(wide.eps) / eps + float(wide.tiny) / tiny)


def _grads_within(engine: Engine, graph: Graph, retain_grad: bool) -> bool | None:
    """One backward pass on a fresh build: True when every grad it must leave is surely within
    the oracle's tolerance, False when one is missing or of the wrong shape or dtype, None when
    only the exact oracle can tell."""
    handles = build(engine, graph)
    n_leaves = len(graph.leaves)
    kept = handles if retain_grad else handles[:n_leaves] + [handles[graph.output]]
    del handles  # without retain_grad only what a learner's nested expression keeps stays alive
    engine.backward(kept[-1], retain_grad=retain_grad)
    estimate, tolerance, slack = estimates(graph)
    for index in range(graph.size if retain_grad else n_leaves):
        got = engine.grad(kept[index])
        if got is None or got.shape != graph.shape or got.dtype != graph.dtype:
            return False
        if not abs(np.longdouble(float(got)) - estimate[index]) <= tolerance[index] * (1 - slack):  # NaN too
            return None
    return True


def _matches(engine: Engine, graph: Graph, retain_grad: bool) -> bool:
    """Whether the grads of one backward pass are within the exact oracle's tolerance."""
    quick = _grads_within(engine, graph, retain_grad)
    if quick is not None:
        return quick
    reference = adjoints(graph)  # exact, in Fractions: slow, so only when the estimate cannot decide
    handles = build(engine, graph)
    n_leaves = len(graph.leaves)
    kept = handles if retain_grad else handles[:n_leaves] + [handles[graph.output]]
    del handles
    engine.backward(kept[-1], retain_grad=retain_grad)
    for index in range(graph.size if retain_grad else n_leaves):
        got = engine.grad(kept[index])
        if got is None or got.shape != graph.shape or got.dtype != graph.dtype:
            return False
        if mismatches(got, index, reference):
            return False
    return True


PARTS: Final = 40  # slices of the sweep, one example each


@dataclass
class Sweep:
    """One slice's state: the graph and flag being checked, for the snippet of a failure or hang."""

    part: int = 0
    graph: Graph | None = None
    retain_grad: bool = False

    def run(self, engine: Engine) -> None:
        """Check the slice's graphs, smallest first; raise a Violation at the first wrong grad."""
        for graph in small_graphs(self.part, PARTS):
            for retain_grad in (False, True):
                self.graph, self.retain_grad = graph, retain_grad
                if not _matches(engine, graph, retain_grad):
                    (check_retain_true if retain_grad else check_gradients)(engine, graph)  # says what is wrong
                    raise Violation(f"the grads after {self.action_code().strip()} differ from one run to the next")
        self.graph = None

    def setup_code(self) -> str:
        """The failing graph, built as the check built it."""
        if self.graph is None:
            return ""
        return graph_code(self.graph) if self.retain_grad else _code_keeping_leaves_and_output(self.graph)

    def action_code(self) -> str:
        """The backward call that failed or hung."""
        if self.graph is None:
            return ""
        return f"{name_of(self.graph, self.graph.output)}.backward({'retain_grad=True' if self.retain_grad else ''})\n"


def describe_coverage() -> str:
    """What the sweep covers, for the report and the README."""
    shapes, pairs = coverage()
    return (f"checked {shapes:,} graphs (up to 2 leaves and 4 nodes, or 1 leaf and 5 nodes, up to isomorphism) "
            f"under {pairs:,} leaf-value choices, each with retain_grad False and True")


def _trial(sweep: Sweep) -> Trial:
    return Trial(sweep.run, sweep.setup_code, sweep.action_code, frozenset({"exhaustive sweep"}))


def _done(_: Engine) -> None:
    """After the explicit slices, Hypothesis asks for one drawn example: nothing is left to check."""


PROPERTIES: Final = (
    Property(
        id=PROPERTY_ID,
        tier="core",
        summary="every add/square graph of up to 2 leaves and 4 nodes (1 leaf: 5 nodes) gets the exact grads, "
        "with retain_grad False and True, under value sets chosen to show ordering and magnitude bugs",
        needs=GRAPH_NAMES,
        trials=st.just(Trial(_done, lambda: "")),
        examples=tuple(_trial(Sweep(part)) for part in range(PARTS)),
        max_examples=1,
        time_scale=4.0,  # the first slice also enumerates the graphs (under a second on one core)
        passed_message=describe_coverage,
    ),
)
