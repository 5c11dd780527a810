"""The small-scope tier: every small add/square graph, checked against the exact gradients.

Explicit examples, run in order, sweep consecutive slices of the graphs of `specs.exhaustive`
(smallest first) under every value set, with `retain_grad` False (leaf grads) and True
(every grad); the first wrong grad stops the run, so the counterexample is the smallest
failing graph, as shrinking would give. Slices keep each example well within the watchdog.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from hypothesis import strategies as st

from specs.adapters.protocol import Engine
from specs.exhaustive import coverage, small_graphs
from specs.ir import Graph
from specs.oracle import Adjoints, adjoints
from specs.properties.base import Property, Trial, Violation, build
from specs.properties.graphs import (
    GRAPH_NAMES,
    _code_keeping_leaves_and_output,
    check_gradients,
    check_retain_true,
)
from specs.snippets import graph_code, name_of

PROPERTY_ID: Final = "small-graphs-match-exact-gradients"


def _matches(engine: Engine, graph: Graph, retain_grad: bool, reference: Adjoints) -> bool:
    """One backward pass on a fresh build; whether every grad it must leave is within tolerance."""
    handles = build(engine, graph)
    n_leaves = len(graph.leaves)
    kept = handles if retain_grad else handles[:n_leaves] + [handles[graph.output]]
    del handles  # without retain_grad only what a learner's nested expression keeps stays alive
    engine.backward(kept[-1], retain_grad=retain_grad)
    for index in range(graph.size if retain_grad else n_leaves):
        got = engine.grad(kept[index])
        if got is None or got.shape != graph.shape or got.dtype != graph.dtype:
            return False
        want, allowed = float(reference.exact[index][0]), reference.tolerance[index][0]
        if not abs(float(got) - want) <= allowed:  # NaN fails too
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
            reference = adjoints(graph)
            for retain_grad in (False, True):
                self.graph, self.retain_grad = graph, retain_grad
                if not _matches(engine, graph, retain_grad, reference):
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
