"""The DAG model: validation, ancestors, generations and the features it names."""

from __future__ import annotations

import pytest

from specs.graphs.ir import Graph, Node, features, generations
from specs.graphs.strategies import FAMOUS_GRAPHS


def _graph(nodes: tuple[Node, ...], output: int, leaves: int = 1) -> Graph:
    return Graph("float64", (), tuple((1.0,) for _ in range(leaves)), nodes, output)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"nodes": (Node("add", (0, 1)),), "output": 1}, r"inputs \(0, 1\); each must be < 1"),
        ({"nodes": (Node("square", (0,)),), "output": 0}, r"output=0 must name a node"),
        ({"nodes": (Node("square", (0, 0)),), "output": 1}, r"'square' with 2 inputs"),
    ],
)
def test_invalid_graphs_are_refused_naming_the_problem(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _graph(**kwargs)  # type: ignore[arg-type]  # the parametrised values are the right types


def test_leaf_values_must_fill_the_shape() -> None:
    with pytest.raises(ValueError, match=r"leaf 0 has 1 values; shape \(2,\) needs 2"):
        Graph("float64", (2,), ((1.0,),), (Node("square", (0,)),), 1)


def test_ancestors_skip_unused_leaves_and_later_nodes() -> None:
    graph = _graph((Node("square", (0,)), Node("add", (2, 2)), Node("square", (1,))), 3, leaves=2)
    assert graph.ancestors() == {0, 2, 3}
    assert {"unused leaf", "output not the last node", "add(x, x)"} <= features(graph)


def test_generations_follow_the_longest_path() -> None:
    graph = FAMOUS_GRAPHS["step 18: x0 + (x0 + x1)"]
    assert generations(graph) == [0, 0, 1, 2]
    assert "inputs of unequal generations" in features(graph)


def test_the_famous_diamond_is_a_diamond() -> None:
    found = features(FAMOUS_GRAPHS["diamond: square(x)**2 + square(x)**2"])
    assert {"diamond", "fan-out", "shared subexpression"} <= found
    assert "diamond" not in features(FAMOUS_GRAPHS["x + x"])
