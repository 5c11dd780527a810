"""The oracles: exact closed forms, bit-exact forward values, finite differences as a cross-check."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings

from specs.graphs.ir import Graph, Node
from specs.graphs.oracle import adjoints, finite_differences, forward_values, mismatches
from specs.graphs.strategies import graphs


def _chain(x: float, dtype: str = "float64") -> Graph:
    """y = square(square(x)): dy/dx = 4 x^3."""
    return Graph(dtype, (), ((x,),), (Node("square", (0,)), Node("square", (1,))), 2)  # type: ignore[arg-type]


def test_square_of_square_has_gradient_4x_cubed_exactly() -> None:
    x = 1.1  # not a short binary fraction: the exact answer has a long denominator
    assert adjoints(_chain(x)).exact[0] == [4 * Fraction(x) ** 3]
    assert adjoints(_chain(x)).exact[1] == [2 * Fraction(x) ** 2]  # dy/d(x^2) = 2 x^2


def test_adjoints_of_unreached_values_are_zero() -> None:
    graph = Graph("float64", (), ((1.0,), (2.0,)), (Node("square", (0,)), Node("square", (1,))), 2)
    assert adjoints(graph).exact[1] == [Fraction(0)] and adjoints(graph).exact[3] == [Fraction(0)]


def test_forward_values_round_like_the_dtype() -> None:
    graph = _chain(float(np.float32(1.1)), "float32")
    values = forward_values(graph)
    assert values[2].dtype == np.float32
    assert values[2] == np.float32(np.float32(np.float32(1.1) * np.float32(1.1)) ** 2)


def test_mismatches_accept_the_rounded_truth_and_reject_a_relative_error_of_1e_7() -> None:
    graph = _chain(1.1)
    reference = adjoints(graph)
    truth = np.array(float(reference.exact[0][0]))
    assert mismatches(truth, 0, reference) == []
    assert len(mismatches(truth * (1 + 1e-7), 0, reference)) == 1
    assert len(mismatches(np.array(np.inf), 0, reference)) == 1


@settings(max_examples=100)
@given(graphs(dtypes=["float64"], max_nodes=6))
def test_finite_differences_agree_with_the_exact_gradient(graph: Graph) -> None:
    reference = adjoints(graph)
    for leaf in range(len(graph.leaves)):
        exact = reference.reference(leaf, graph.shape)
        np.testing.assert_allclose(finite_differences(graph, leaf), exact, rtol=1e-5, atol=1e-5)


@settings(max_examples=200)
@given(graphs())
def test_a_float_reverse_pass_in_the_dtype_stays_within_tolerance(graph: Graph) -> None:
    """Plain numpy reverse mode, rounded like any target, never trips the tolerance."""
    values = forward_values(graph)
    grads = [np.zeros(graph.shape, dtype=graph.dtype) for _ in range(graph.size)]
    grads[graph.output] = np.ones(graph.shape, dtype=graph.dtype)
    for index in range(graph.output, len(graph.leaves) - 1, -1):
        node = graph.node(index)
        for i in node.inputs:
            local = 2 * values[i] * grads[index] if node.op == "square" else grads[index]
            grads[i] = np.asarray(grads[i] + local)
    reference = adjoints(graph)
    for leaf in range(len(graph.leaves)):
        assert mismatches(grads[leaf], leaf, reference) == []
