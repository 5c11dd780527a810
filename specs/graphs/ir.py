"""The frozen DAG model every property is written against: leaves, nodes, one output.

Values are numbered leaves first (0 .. n_leaves-1), then nodes in the order they are built;
a node's inputs always name earlier values, so the graph is a DAG by construction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

Op: TypeAlias = Literal["add", "square"]
OPS: Final[tuple[Op, ...]] = ("add", "square")
ARITY: Final[dict[Op, int]] = {"add": 2, "square": 1}
DType: TypeAlias = Literal["float64", "float32"]
DTYPES: Final[tuple[DType, ...]] = ("float64", "float32")
FloatArray: TypeAlias = npt.NDArray[np.floating]

ConfigBlock: TypeAlias = Literal["no_grad", "using_config(False)", "using_config(True)"]
ExceptionKind: TypeAlias = Literal[
    "ValueError", "ZeroDivisionError", "KeyboardInterrupt", "SystemExit", "GeneratorExit", "BaseException"
]
CONFIG_BLOCKS: Final[tuple[ConfigBlock, ...]] = ("no_grad", "using_config(False)", "using_config(True)")
EXCEPTION_KINDS: Final[tuple[ExceptionKind, ...]] = (
    "ValueError", "ZeroDivisionError", "KeyboardInterrupt", "SystemExit", "GeneratorExit", "BaseException"
)


@dataclass(frozen=True, slots=True)
class Node:
    """One function application: `op` over the values numbered in `inputs`."""

    op: Op
    inputs: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Graph:
    """A computation graph: leaf values (flat, row-major), nodes, and the output's number."""

    dtype: DType
    shape: tuple[int, ...]
    leaves: tuple[tuple[float, ...], ...]
    nodes: tuple[Node, ...]
    output: int

    def __post_init__(self) -> None:
        if self.dtype not in DTYPES:
            raise ValueError(f"dtype={self.dtype!r} must be one of {DTYPES}")
        size = math.prod(self.shape)
        for i, leaf in enumerate(self.leaves):
            if len(leaf) != size:
                raise ValueError(f"leaf {i} has {len(leaf)} values; shape {self.shape} needs {size}")
        for k, node in enumerate(self.nodes):
            position = len(self.leaves) + k
            if node.op not in ARITY or len(node.inputs) != ARITY[node.op]:
                raise ValueError(f"node {position}: {node.op!r} with {len(node.inputs)} inputs")
            if not all(0 <= i < position for i in node.inputs):
                raise ValueError(f"node {position} has inputs {node.inputs}; each must be < {position}")
        if not len(self.leaves) <= self.output < self.size:
            raise ValueError(f"output={self.output} must name a node ({len(self.leaves)}..{self.size - 1})")

    @property
    def size(self) -> int:
        """How many values the graph has: leaves plus nodes."""
        return len(self.leaves) + len(self.nodes)

    def is_leaf(self, index: int) -> bool:
        """Whether value `index` is a leaf (a Variable without a creator)."""
        return index < len(self.leaves)

    def node(self, index: int) -> Node:
        """The node that computes value `index` (which must not be a leaf)."""
        return self.nodes[index - len(self.leaves)]

    def leaf_array(self, index: int) -> FloatArray:
        """A fresh array holding leaf `index`'s values in the graph's shape and dtype."""
        return np.array(self.leaves[index], dtype=self.dtype).reshape(self.shape)

    def ancestors(self) -> frozenset[int]:
        """The output and every value it is computed from."""
        found = {self.output}
        for index in range(self.output, len(self.leaves) - 1, -1):
            if index in found and not self.is_leaf(index):
                found.update(self.node(index).inputs)
        return frozenset(found)


def generations(graph: Graph) -> list[int]:
    """The generation DeZero gives each value: 0 for leaves, 1 + max over a node's inputs."""
    result = [0] * graph.size
    for index in range(len(graph.leaves), graph.size):
        result[index] = 1 + max(result[i] for i in graph.node(index).inputs)
    return result


def features(graph: Graph) -> frozenset[str]:
    """Name the graph shapes the semantics care about that this graph shows."""
    found: set[str] = set()
    reachable = graph.ancestors()
    uses = [0] * graph.size
    gens = generations(graph)
    for index in range(len(graph.leaves), graph.size):
        node = graph.node(index)
        for i in node.inputs:
            uses[i] += 1
        if node.op == "add" and node.inputs[0] == node.inputs[1]:
            found.add("add(x, x)")
        if node.op == "square" and not graph.is_leaf(node.inputs[0]) and graph.node(node.inputs[0]).op == "square":
            found.add("chain of squares")
        if node.op == "add" and gens[node.inputs[0]] != gens[node.inputs[1]]:
            found.add("inputs of unequal generations")
    if any(count > 1 for count in uses):
        found.add("fan-out")
    if any(count > 1 and not graph.is_leaf(i) for i, count in enumerate(uses)):
        found.add("shared subexpression")
    if _has_diamond(graph):
        found.add("diamond")
    if _queued_between_generations(graph, gens):
        found.add("out-of-order frontier")
    if any(node.op == "add" and abs(gens[node.inputs[0]] - gens[node.inputs[1]]) >= 3 for node in graph.nodes):
        found.add("long skip connection")
    if _longest_square_chain(graph) >= 4:
        found.add("deep chain of squares")
    found.update(_magnitude_features(graph))
    if any(i not in reachable for i in range(len(graph.leaves))):
        found.add("unused leaf")
    if graph.output != graph.size - 1:
        found.add("output not the last node")
    found.add(f"{len(graph.shape)}-d")
    found.add(graph.dtype)
    return frozenset(found)


def _queued_between_generations(graph: Graph, gens: list[int]) -> bool:
    """Whether the book's backward queues a function while others wait with both higher and
    lower generations: only a full sort by generation puts it in the right place."""
    pending, seen = [graph.output], {graph.output}
    while pending:
        pending.sort(key=lambda i: gens[i])
        for i in graph.node(pending.pop()).inputs:
            if not graph.is_leaf(i) and i not in seen:
                if any(gens[j] < gens[i] for j in pending) and any(gens[j] > gens[i] for j in pending):
                    return True
                seen.add(i)
                pending.append(i)
    return False


def _longest_square_chain(graph: Graph) -> int:
    """The most squares applied one after another to one value."""
    chain = [0] * graph.size
    for index in range(len(graph.leaves), graph.size):
        node = graph.node(index)
        chain[index] = chain[node.inputs[0]] + 1 if node.op == "square" else 0
    return max(chain)


def _magnitude_features(graph: Graph) -> set[str]:
    """Leaves far from 1 and large gradients (from a float64 pass: a label, not an oracle)."""
    found: set[str] = set()
    leaves = np.abs(np.array(graph.leaves, dtype=np.float64))
    if (leaves >= 100).any():
        found.add("leaf above 100")
    if ((leaves > 0) & (leaves < 0.01)).any():
        found.add("leaf below 0.01")
    values = [np.array(leaf, dtype=np.float64) for leaf in graph.leaves]
    for node in graph.nodes:
        a = values[node.inputs[0]]
        values.append(a + values[node.inputs[1]] if node.op == "add" else a * a)
    adjoint = [np.zeros_like(values[0]) for _ in range(graph.size)]
    adjoint[graph.output] = np.ones_like(values[0])
    for index in range(graph.output, len(graph.leaves) - 1, -1):
        node = graph.node(index)
        for i in node.inputs:
            adjoint[i] = adjoint[i] + (adjoint[index] if node.op == "add" else 2 * values[i] * adjoint[index])
    if max(float(np.abs(a).max()) for a in adjoint[: len(graph.leaves)]) > 1e6:
        found.add("gradient above 1e6")
    return found


def _has_diamond(graph: Graph) -> bool:
    """Whether some value feeds two distinct intermediates that meet again in one node."""
    for source in range(graph.size):
        below = [False] * graph.size  # values computed from `source`, itself excluded
        for index in range(max(source + 1, len(graph.leaves)), graph.size):
            inputs = graph.node(index).inputs
            below[index] = any(i == source or below[i] for i in inputs)
            if len(set(inputs)) == 2 and all(below[i] for i in inputs):
                return True
    return False


# A sequence of operations on one engine, for the state-machine property. Steps name
# variables by their number in the order they were made (leaves and results alike).


@dataclass(frozen=True, slots=True)
class MakeLeaf:
    """`x = Variable(np.array(values))` in the program's shape and dtype."""

    values: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Apply:
    """`y = add(a, b)` or `y = square(a)` on earlier variables."""

    op: Op
    inputs: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Backward:
    """`v.backward()` or `v.backward(retain_grad=True)` on a variable that has a creator."""

    variable: int
    retain_grad: bool


@dataclass(frozen=True, slots=True)
class ClearGrad:
    """`v.cleargrad()`."""

    variable: int


@dataclass(frozen=True, slots=True)
class Enter:
    """Enter a `no_grad()` or `using_config("enable_backprop", value)` block (kept open)."""

    block: ConfigBlock


@dataclass(frozen=True, slots=True)
class Leave:
    """Leave the innermost open block, normally or by raising `raises` inside it."""

    raises: ExceptionKind | None


@dataclass(frozen=True, slots=True)
class SetFlag:
    """`Config.enable_backprop = value`, the book's own spelling."""

    value: bool


Step: TypeAlias = MakeLeaf | Apply | Backward | ClearGrad | Enter | Leave | SetFlag


@dataclass(frozen=True, slots=True)
class Program:
    """Steps run in order on one engine; open blocks are left normally at the end."""

    dtype: DType
    shape: tuple[int, ...]
    steps: tuple[Step, ...]
