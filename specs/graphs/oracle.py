"""Oracles that never touch the target: numpy forward values and exact gradients.

An add/square graph computes, elementwise, a polynomial with integer coefficients, so its
gradient at the (binary, hence rational) leaf values is a rational number that reverse mode
over `fractions.Fraction` gives exactly. Central finite differences stay as a cross-check
and as a hint in failure messages. Tolerances come from a running error bound: the same
reverse pass over absolute values, times the unit roundoff and the number of rounded steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from specs.graphs.ir import FloatArray, Graph


def forward_values(graph: Graph) -> list[FloatArray]:
    """Every value of the graph computed by numpy in the graph's dtype (exactly rounded ops)."""
    values: list[FloatArray] = [graph.leaf_array(i) for i in range(len(graph.leaves))]
    with np.errstate(all="ignore"):  # IEEE results whatever error state a target has set
        for node in graph.nodes:
            if node.op == "add":
                values.append(np.asarray(np.add(values[node.inputs[0]], values[node.inputs[1]])))
            else:
                values.append(np.asarray(np.square(values[node.inputs[0]])))
    return values


@dataclass(frozen=True, slots=True)
class Adjoints:
    """d sum(output) / d value for every value (exact), and how far a float result may stray."""

    exact: list[list[Fraction]]  # [value][element], zero for values the output ignores
    tolerance: list[list[float]]  # [value][element]

    def reference(self, index: int, shape: tuple[int, ...]) -> FloatArray:
        """The exact adjoint of value `index` rounded to float64, in the given shape."""
        return np.array([float(f) for f in self.exact[index]], dtype=np.float64).reshape(shape)


def adjoints(graph: Graph) -> Adjoints:
    """Exact adjoints by reverse mode over Fractions, element by element, with tolerances."""
    eps = float(np.finfo(graph.dtype).eps)
    tiny = float(np.finfo(graph.dtype).tiny)
    steps = 2 * len(graph.nodes) + 4  # rounded operations on any path, forward and backward
    exact: list[list[Fraction]] = [[] for _ in range(graph.size)]
    tolerance: list[list[float]] = [[] for _ in range(graph.size)]
    for element in range(len(graph.leaves[0])):
        values = [Fraction(leaf[element]) for leaf in graph.leaves]
        magnitudes = [abs(float(v)) for v in values]
        for node in graph.nodes:
            a = node.inputs[0]
            if node.op == "add":
                values.append(values[a] + values[node.inputs[1]])
                magnitudes.append(magnitudes[a] + magnitudes[node.inputs[1]])
            else:
                values.append(values[a] * values[a])
                magnitudes.append(magnitudes[a] * magnitudes[a])
        adjoint = [Fraction(0)] * graph.size
        bound = [0.0] * graph.size  # the same pass over absolute values
        adjoint[graph.output], bound[graph.output] = Fraction(1), 1.0
        for index in range(graph.output, len(graph.leaves) - 1, -1):
            node = graph.node(index)
            for i in node.inputs:
                local = 2 * values[i] if node.op == "square" else Fraction(1)
                adjoint[i] += adjoint[index] * local
                bound[i] += bound[index] * (2 * magnitudes[i] if node.op == "square" else 1.0)
        for index in range(graph.size):
            exact[index].append(adjoint[index])
            tolerance[index].append(2 * steps * (eps * bound[index] + tiny))
    return Adjoints(exact, tolerance)


def finite_differences(graph: Graph, leaf: int, h: float = 2.0**-20) -> FloatArray:
    """Central differences of sum(output) with respect to one leaf, in float64.

    Every op is elementwise, so d sum(y) / d x[e] is d y[e] / d x[e]: only element e of the
    output is differenced (a large neighbour in the sum would round the change away), with a
    step relative to x[e]'s size.
    """
    base = graph.leaf_array(leaf).astype(np.float64)
    result = np.zeros(base.size)
    for element in range(base.size):
        totals = []
        step = h * max(1.0, abs(float(base.reshape(-1)[element])))
        for signed in (step, -step):
            moved = base.copy().reshape(-1)
            moved[element] += signed
            with np.errstate(all="ignore"):
                totals.append(float(np.asarray(_evaluate64(graph, leaf, moved.reshape(base.shape))).reshape(-1)[element]))
        result[element] = (totals[0] - totals[1]) / (2 * step)
    return result.reshape(base.shape)


def _evaluate64(graph: Graph, leaf: int, replacement: FloatArray) -> FloatArray:
    values = [replacement if i == leaf else graph.leaf_array(i).astype(np.float64) for i in range(len(graph.leaves))]
    for node in graph.nodes:
        a = values[node.inputs[0]]
        values.append(a + values[node.inputs[1]] if node.op == "add" else a * a)
    return values[graph.output]


def mismatches(actual: FloatArray, index: int, reference: Adjoints) -> list[tuple[int, float, Fraction, float]]:
    """Elements of `actual` farther from the exact adjoint of value `index` than allowed.

    Returns (flat element, actual, exact, tolerance) for each; an empty list means a match.
    """
    found = []
    for element, got in enumerate(np.asarray(actual, dtype=np.float64).reshape(-1)):
        want, allowed = reference.exact[index][element], reference.tolerance[index][element]
        if not np.isfinite(got) or abs(Fraction(float(got)) - want) > Fraction(allowed):
            found.append((element, float(got), want, allowed))
    return found
