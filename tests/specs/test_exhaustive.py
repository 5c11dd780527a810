"""The small-scope tier: the enumeration is complete, de-duplicated and smallest first."""

from __future__ import annotations

from fractions import Fraction

import pytest

from specs.graphs.exhaustive import coverage, small_graphs, small_shapes
from specs.graphs.ir import Graph, Node, generations
from specs.graphs.oracle import adjoints
from specs.properties.exhaustive import estimates


def test_the_counts_of_the_smallest_shapes_are_the_hand_counted_ones() -> None:
    sizes = [(n_leaves, len(nodes)) for n_leaves, nodes in small_shapes()]
    # one leaf: square(x), add(x, x); two nodes: 8 (e.g. square(square(x)), add(square(x), x), add(x, square(x)))
    assert sizes.count((1, 1)) == 2 and sizes.count((1, 2)) == 8
    assert sizes.count((2, 1)) == 1 and sizes.count((2, 2)) == 10  # add(x0, x1); then 10 with both leaves used
    assert coverage() == (7943, 14866)


def test_shapes_are_distinct_use_every_leaf_and_reach_the_output() -> None:
    shapes = small_shapes()
    assert len(set(shapes)) == len(shapes)
    assert [len(nodes) for _, nodes in shapes] == sorted(len(nodes) for _, nodes in shapes)
    for n_leaves, nodes in shapes:
        graph = Graph("float64", (), tuple((1.0,) for _ in range(n_leaves)), nodes, n_leaves + len(nodes) - 1)
        assert graph.ancestors() == frozenset(range(graph.size))


def test_the_issues_five_node_graph_is_covered() -> None:
    nodes = (Node("square", (0,)), Node("square", (1,)), Node("square", (2,)), Node("add", (1, 2)), Node("add", (3, 4)))
    assert max(generations(Graph("float64", (), ((1.0,),), nodes, 5))) == 4
    # in canonical (depth-first, inputs in order) numbering the chain comes first, as here
    assert (1, nodes) in set(small_shapes())


def test_graphs_come_in_slices_that_cover_everything_once() -> None:
    whole = list(small_graphs())
    parts = [g for part in range(7) for g in small_graphs(part, 7)]
    assert parts == whole and len(whole) == coverage()[1]


def test_the_quick_estimates_agree_with_the_exact_oracle() -> None:
    for i, graph in enumerate(small_graphs()):
        if i % 97:
            continue
        estimate, tolerance, slack = estimates(graph)
        reference = adjoints(graph)
        assert 0 < slack <= 1
        for k in range(graph.size):
            assert tolerance[k] == pytest.approx(reference.tolerance[k][0], rel=1e-12)
            assert abs(Fraction(*estimate[k].as_integer_ratio()) - reference.exact[k][0]) <= Fraction(slack * tolerance[k])
