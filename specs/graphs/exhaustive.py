"""Every add/square graph up to a small bound, once each up to isomorphism, smallest first.

The small-scope hypothesis: most bugs show on a small input, so the suite tries all of them.
A graph here keeps only what reaches its output (the last node) and uses every leaf. Two
graphs are the same when renaming leaves and reordering nodes turns one into the other,
inputs kept in order (`add(a, b)` and `add(b, a)` differ: an engine may queue them in either
order). The canonical form numbers values in the order a depth-first walk from the output,
inputs left to right, finishes them; the enumeration keeps the first sequence of each form.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Final

from specs.graphs.ir import DType, Graph, Node

ValueSet = tuple[DType, tuple[float, ...]]  # the dtype, then leaf x0's value, x1's, ...
# Leaf values chosen to show ordering bugs (plain values whose grads never cancel) and
# magnitude ones (gradients up to 1e95, tiny leaves, float32 rounding, signs).
VALUE_SETS: Final[tuple[ValueSet, ...]] = (
    ("float64", (1.0, 2.0)),
    ("float64", (3.0, -0.5)),
    ("float64", (1000.0, 0.001)),
    ("float32", (2.0, -1.5)),
)
# (leaves, nodes, value sets): every graph with at most that many leaves and nodes is checked
# under those value sets. One leaf reaches 5 nodes, where a function can be queued between two
# others of lower and higher generation (x = 1.5 keeps 32 squares exact in float64).
SCOPES: Final[tuple[tuple[int, int, tuple[ValueSet, ...]], ...]] = (
    (2, 4, VALUE_SETS),
    (1, 5, (("float64", (1.5,)),)),
)
MAX_LEAVES: Final = max(scope[0] for scope in SCOPES)
MAX_NODES: Final = max(scope[1] for scope in SCOPES)
Shape = tuple[int, tuple[Node, ...]]  # leaves, then nodes; the output is the last node


def _sequences(n_leaves: int, n_nodes: int) -> Iterator[tuple[Node, ...]]:
    """Node sequences over `n_leaves` leaves in which every value but the last is used later."""
    nodes: list[Node] = []
    unused: list[int] = []  # nodes nothing uses yet: each later node can use up two of them

    def extend() -> Iterator[tuple[Node, ...]]:
        position = n_leaves + len(nodes)
        remaining = n_nodes - len(nodes)
        if remaining == 0:
            if len(unused) == 1:
                yield tuple(nodes)
            return
        choices = [Node("square", (a,)) for a in range(position)]
        choices += [Node("add", (a, b)) for a in range(position) for b in range(position)]
        for node in choices:
            freed = [i for i in set(node.inputs) if i in unused]
            left = len(unused) - len(freed) + 1
            if left - 1 > remaining - 1:  # too many loose ends for the nodes still to come
                continue
            nodes.append(node)
            saved = list(unused)
            unused[:] = [i for i in unused if i not in freed] + [position]
            yield from extend()
            unused[:] = saved
            nodes.pop()

    yield from extend()


def _canonical(n_leaves: int, nodes: tuple[Node, ...]) -> Shape:
    """Renumber values in the order a depth-first walk from the output finishes them."""
    leaf_names: dict[int, int] = {}
    finished: list[int] = []
    seen: set[int] = set()

    def visit(index: int) -> None:
        if index in seen:
            return
        seen.add(index)
        if index < n_leaves:
            leaf_names[index] = len(leaf_names)
            return
        for i in nodes[index - n_leaves].inputs:
            visit(i)
        finished.append(index)

    visit(n_leaves + len(nodes) - 1)
    names = dict(leaf_names)
    for k, index in enumerate(finished):
        names[index] = len(leaf_names) + k
    renamed = tuple(Node(nodes[i - n_leaves].op, tuple(names[j] for j in nodes[i - n_leaves].inputs)) for i in finished)
    return len(leaf_names), renamed


@cache
def small_shapes() -> tuple[Shape, ...]:
    """Every graph shape within SCOPES (each leaf used), fewest nodes first, then fewest leaves."""
    found: dict[Shape, None] = {}
    for n_nodes in range(1, MAX_NODES + 1):
        for n_leaves in range(1, MAX_LEAVES + 1):
            if not value_sets(n_leaves, n_nodes):
                continue
            for nodes in _sequences(n_leaves, n_nodes):
                shape = _canonical(n_leaves, nodes)
                if shape[0] == n_leaves:  # every leaf used
                    found.setdefault(shape, None)
    return tuple(found)


def value_sets(n_leaves: int, n_nodes: int) -> tuple[ValueSet, ...]:
    """The value sets of every scope that holds a graph of this size."""
    chosen: dict[ValueSet, None] = {}
    for leaves, nodes, sets in SCOPES:
        if n_leaves <= leaves and n_nodes <= nodes:
            chosen.update(dict.fromkeys(sets))
    return tuple(chosen)


def small_graphs(part: int = 0, parts: int = 1) -> Iterator[Graph]:
    """Every small shape under each of its value sets, smallest shape first; or the `part`-th
    of `parts` consecutive slices of them."""
    shapes = small_shapes()
    for n_leaves, nodes in shapes[part * len(shapes) // parts : (part + 1) * len(shapes) // parts]:
        for dtype, values in value_sets(n_leaves, len(nodes)):
            leaves = tuple((values[i],) for i in range(n_leaves))
            yield Graph(dtype, (), leaves, nodes, n_leaves + len(nodes) - 1)


def coverage() -> tuple[int, int]:
    """How many graph shapes, and how many (shape, value set) pairs, the sweep checks."""
    shapes = small_shapes()
    return len(shapes), sum(len(value_sets(n, len(nodes))) for n, nodes in shapes)
