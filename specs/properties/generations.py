"""Core property: `generation`, the step-18 number that orders the backward pass, follows the graph."""

from __future__ import annotations

from typing import Final

from specs.graphs.ir import Graph, features, generations
from specs.graphs.snippets import graph_code, name_of
from specs.graphs.strategies import FAMOUS_GRAPHS, graphs
from specs.properties.base import Property, Violation, build, reading, trial_maker
from specs.target.adapters.protocol import Engine

RULE: Final = "a leaf is 0, a Function is the max over its inputs, its output one more"


def check_generations(engine: Engine, graph: Graph) -> None:
    """Every value and creator has the book's generation; under no_grad() an output gets 0."""
    handles = build(engine, graph)
    want = generations(graph)
    for index, handle in enumerate(handles):
        name = name_of(graph, index)
        got = engine.generation(handle)
        if got != want[index]:
            raise Violation(f"{name}.generation is {got}, expected {want[index]} ({RULE})",
                            f"print({name}.generation)  # expected {want[index]}")
        if graph.is_leaf(index):
            continue
        creator = engine.creator(handle)
        if creator is None:
            raise Violation(f"{name} has no creator", f"print({name}.creator)  # expected a Function, got None",
                            reading(engine.creator, name, lambda found: found is None))
        inputs = ", ".join(name_of(graph, i) for i in graph.node(index).inputs)
        got = engine.generation(creator)
        if got != want[index] - 1:
            raise Violation(f"{name}.creator.generation is {got}, expected {want[index] - 1}, the max over its "
                            f"inputs ({inputs}) ({RULE})",
                            f"print({name}.creator.generation)  # expected {want[index] - 1}")
    output = name_of(graph, graph.output)
    with engine.no_grad():
        unrecorded = engine.square(handles[graph.output])
    got = engine.generation(unrecorded)
    if got != 0:
        raise Violation(f"square({output}) built under no_grad() has generation {got}, expected 0: nothing is "
                        "recorded, so it is a new leaf",
                        f"with no_grad():\n    z = square({output})\nprint(z.generation)  # expected 0")


def _unrecorded_call(graph: Graph) -> str:
    """The call the check makes last (a square under no_grad()): shown when the target raises there."""
    return f"with no_grad():\n    z = square({name_of(graph, graph.output)})\nprint(z.generation)\n"


_trial = trial_maker(check_generations, graph_code, lambda g: (features(g), len(g.nodes)), _unrecorded_call)

PROPERTIES: Final = (
    Property(
        id="generations-follow-the-graph",
        tier="core",
        summary=f"{RULE}; an output built under no_grad() is 0",
        needs=frozenset({"Variable", "add", "square", "no_grad"}),
        trials=graphs().map(_trial),
        examples=tuple(_trial(graph) for graph in FAMOUS_GRAPHS.values()),
        max_examples=50,
    ),
)
