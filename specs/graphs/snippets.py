"""Counterexamples as short Python a learner can paste next to their engine and run."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

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
    with _default_print(precision):
        return " ".join(repr(array).split())


def _default_print(precision: int = 8) -> contextlib.AbstractContextManager[object]:
    """numpy's default print options, whatever a target set: what a learner's fresh session prints."""
    return np.printoptions(precision=precision, threshold=1000, edgeitems=3, linewidth=75, suppress=False,
                           floatmode="maxprec", sign="-", legacy=False)


def _text(value: object) -> str:
    with _default_print():
        return str(value)


def printed(*values: object) -> str:
    """What `print(*values)` shows in numpy's default print options, its lines joined by a space."""
    return " ".join(_text(value) for value in values).replace("\n", " ")


def print_check(expr: str, want: object, got: object) -> str:
    """`print(...)  # expected W, got G` for `expr`: W and G exactly what the print shows for each value.

    The plainest form that tells the two apart is used: `np.asarray(expr)` (a numpy scalar and a
    0-d array print alike: the book's grads are the one, refengine's the other), then `.tolist()`
    (every digit, one line for any shape), then `.dtype` (same values, another dtype).
    """
    forms: tuple[tuple[str, Callable[[object], object]], ...] = (
        (f"np.asarray({expr})", np.asarray),
        (f"np.asarray({expr}).tolist()", lambda value: np.asarray(value).tolist()),
        (f"np.asarray({expr}).dtype", lambda value: np.asarray(value).dtype),
    )
    for code, convert in forms:
        shown_want, shown_got = printed(convert(want)), printed(convert(got))
        if shown_want != shown_got and "\n" not in _text(convert(want)):
            break
    return f"print({code})  # expected {shown_want}, got {shown_got}"

