"""Counterexamples as short Python a learner can paste next to their engine and run."""

from __future__ import annotations

import numpy as np

from specs.graphs.ir import Graph


def name_of(graph: Graph, index: int) -> str:
    """The snippet's name for value `index`: x0, x1, ... for leaves, y0, y1, ... for nodes."""
    n_leaves = len(graph.leaves)
    return f"x{index}" if index < n_leaves else f"y{index - n_leaves}"


def array_code(array: np.ndarray) -> str:
    """Source for `array` that rebuilds it exactly, dtype included."""
    values = repr(array.tolist())
    dtype = "" if array.dtype == np.float64 else f", dtype=np.{array.dtype}"
    return f"np.array({values}{dtype})"


def graph_code(graph: Graph) -> str:
    """The lines that build `graph` with Variable, add and square."""
    lines = [f"{name_of(graph, i)} = Variable({array_code(graph.leaf_array(i))})" for i in range(len(graph.leaves))]
    for k, node in enumerate(graph.nodes):
        args = ", ".join(name_of(graph, i) for i in node.inputs)
        lines.append(f"{name_of(graph, len(graph.leaves) + k)} = {node.op}({args})")
    return "\n".join(lines) + "\n"


def differing(got: object, want: object) -> tuple[str, str]:
    """`short` of both, with more digits when needed so that two different values never print alike."""
    for precision in (8, 12, 17):
        shown = short(got, precision), short(want, precision)
        if shown[0] != shown[1]:
            return shown
    return shown


def short(array: object, precision: int = 8) -> str:
    """A one-line repr for messages, in numpy's default print options whatever a target set."""
    with np.printoptions(precision=precision, threshold=1000, edgeitems=3, linewidth=75, suppress=False,
                         floatmode="maxprec", sign="-", legacy=False):
        return " ".join(repr(array).split())
