"""Hypothesis strategies for graphs, config scenarios and non-array values.

Graphs are drawn as choices that stay valid when Hypothesis deletes or lowers any of them:
a node's input is "the value k places back" (k taken modulo the values built so far) and the
output is "the node k places from the end", so every choice shrinks towards 0 and the smallest
graphs are chains that end at their last node.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.extra.numpy import array_shapes

from specs.graphs.ir import (
    CONFIG_BLOCKS,
    DTYPES,
    EXCEPTION_KINDS,
    OPS,
    Apply,
    Backward,
    ClearGrad,
    ConfigBlock,
    DType,
    Enter,
    ExceptionKind,
    Graph,
    Leave,
    MakeLeaf,
    Node,
    Program,
    SetFlag,
    Step,
)

LEAF_BOUND: Final = 2.0  # leaves of `programs()` hold values in [-2, 2]
SQUARE_LIMIT: Final = 2.0**10  # in `programs()`, a value whose bound exceeds this is never squared
GRADIENT_LIMIT: Final = 2.0**40  # graphs whose gradients could exceed this (about 1.1e12) are not drawn
LEAF_EXPONENTS: Final = (-20, 10)  # a quarter of the graphs have leaves in [2**-20, 2**11) in magnitude
NEAR_EXPONENTS: Final = (-3, 2)  # ... the others in [0.125, 8); zeros in both
GRAPH_SQUARE_LIMIT: Final = 2.0**20  # in `graphs()`, a value is squared only while |value| <= this
# Below these, a square or a product of local derivatives could underflow, and the exact
# oracle's running error bound (relative, plus one `tiny` a step) would no longer hold.
SQUARE_FLOOR: Final[dict[DType, float]] = {"float64": 2.0**-400, "float32": 2.0**-50}
PRODUCT_FLOOR: Final[dict[DType, float]] = {"float64": 2.0**-900, "float32": 2.0**-110}
_MAX_CHOICE: Final = 2**16


def _check_count(name: str, value: object, low: int, high: int) -> None:
    if not (isinstance(value, int) and not isinstance(value, bool) and low <= value <= high):
        raise InvalidArgument(f"{name}={value!r} must be an integer from {low} to {high}")


def graphs(
    *,
    min_leaves: int = 1,
    max_leaves: int = 3,
    min_nodes: int = 1,
    max_nodes: int = 10,
    dtypes: Sequence[DType] = DTYPES,
    max_dims: int = 3,
    max_side: int = 3,
) -> st.SearchStrategy[Graph]:
    """Computation graphs of adds and squares over leaves of one shape and dtype.

    - min_leaves, max_leaves: how many leaf Variables (1 to 8).
    - min_nodes, max_nodes: how many function applications (1 to 64).
    - dtypes: the dtypes to draw from (a non-empty subset of "float64", "float32").
    - max_dims, max_side: the leaves' shape, 0-d up to `max_dims` dimensions of 1 to `max_side`.

    A leaf element is 0 or +-m * 2**e, an integer mantissa m (often a few bits, up to the
    dtype's precision): exact in the dtype, in [0.125, 8) in magnitude, or in a quarter of the
    graphs anywhere from 2**-20 to 2**11 (1e-6 to 2e3), so gradients reach about 1e12. Two
    graphs in three grow along a spine: each node usually takes the latest value first, and
    the output is the last node, so deep chains of squares, long skip connections and backward
    frontiers holding functions of three or more generations are common. A value is squared
    only while its magnitude stays within [2**-50, 2**20] (float64: [2**-400, 2**20]), so
    nothing overflows or underflows.

    Examples shrink to fewer nodes, to chains ending at their last node, to `add` before
    `square`, and to 0-d float64 leaves holding plain values: 1.0, then 2.0, 0.5, 3.0, -1.0.

    >>> graphs(max_nodes=4).example()  # doctest: +SKIP
    """
    _check_count("min_leaves", min_leaves, 1, 8)
    _check_count("max_leaves", max_leaves, min_leaves, 8)
    _check_count("min_nodes", min_nodes, 1, 64)
    _check_count("max_nodes", max_nodes, min_nodes, 64)
    _check_count("max_dims", max_dims, 0, 3)
    _check_count("max_side", max_side, 1, 8)
    if isinstance(dtypes, str) or not dtypes or any(d not in DTYPES for d in dtypes):
        raise InvalidArgument(f"dtypes={dtypes!r} must be a non-empty sequence drawn from {DTYPES}")
    return _graphs(
        leaf_counts=(min_leaves, max_leaves),
        node_counts=(min_nodes, max_nodes),
        dtypes=tuple(dtypes),
        max_dims=max_dims,
        max_side=max_side,
    )


def leaf_values(dtype: DType, *, wide: bool) -> st.SearchStrategy[float]:
    """Exact leaf elements: 0, or +-m * 2**e with an integer mantissa m; they shrink to 1.0.

    `wide` spreads magnitudes over 2**-20 to 2**11 instead of 2**-3 to 2**3; zero is the
    exponent's top code, so it is drawn now and then without being what values shrink to.
    """
    digits = 24 if dtype == "float32" else 53
    low, high = LEAF_EXPONENTS if wide else NEAR_EXPONENTS
    return st.builds(_leaf_value, st.integers(-(2**digits - 1), 2**digits - 1), st.integers(low, high + 1),
                     st.just(high + 1))


def _leaf_value(mantissa: int, exponent: int, zero: int) -> float:
    """sign(m) * |m| * 2**(e - leading digit), with m = 0 read as 1 and e = `zero` as 0.0."""
    if exponent == zero:
        return 0.0
    digits = abs(mantissa) or 1
    value = math.ldexp(digits, exponent - digits.bit_length() + 1)
    return -value if mantissa < 0 else value


@st.composite
def _graphs(
    draw: st.DrawFn,
    *,
    leaf_counts: tuple[int, int],
    node_counts: tuple[int, int],
    dtypes: tuple[DType, ...],
    max_dims: int,
    max_side: int,
) -> Graph:
    dtype = draw(st.sampled_from(dtypes))
    shape = draw(array_shapes(min_dims=0, max_dims=max_dims, min_side=1, max_side=max_side))
    size = math.prod(shape)
    n_leaves = draw(st.integers(*leaf_counts))
    elements = leaf_values(dtype, wide=draw(st.integers(0, 3)) == 3)
    leaves = tuple(tuple(draw(st.lists(elements, min_size=size, max_size=size))) for _ in range(n_leaves))
    values = [np.array(leaf, dtype=dtype) for leaf in leaves]  # the forward pass, as the graph grows
    spine = draw(st.integers(0, 2)) != 0
    nodes: list[Node] = []
    for _ in range(draw(st.integers(*node_counts))):
        op = draw(st.sampled_from(OPS))
        position = len(values)
        back = draw(st.integers(0, _MAX_CHOICE))
        if spine and draw(st.integers(0, 3)) != 3:
            back = 0  # the spine: most nodes continue from the latest value
        first = position - 1 - back % position
        high, low = _magnitudes(values[first])
        if op == "square" and high <= GRAPH_SQUARE_LIMIT and low >= SQUARE_FLOOR[dtype]:
            nodes.append(Node("square", (first,)))
            values.append(np.square(values[first]))
        else:  # an add, or a square that could overflow or underflow turned into add(x, x)
            # on the spine an add's other input is an earlier node: a skip connection whose
            # creator waits in the backward frontier while later generations run
            span = position - n_leaves if spine and position > n_leaves else position
            second = first if op == "square" else position - 1 - draw(st.integers(0, _MAX_CHOICE)) % span
            nodes.append(Node("add", (first, second)))
            values.append(np.add(values[first], values[second]))
    output = len(values) - 1 - (0 if spine else draw(st.integers(0, _MAX_CHOICE)) % len(nodes))
    graph = Graph(dtype=dtype, shape=shape, leaves=leaves, nodes=tuple(nodes), output=output)
    if not _gradients_in_range(graph, [_magnitudes(v) for v in values]):
        draw(st.nothing())  # rare: many paths through squares of large (or tiny) values
    return graph


def _magnitudes(value: np.ndarray) -> tuple[float, float]:
    """The largest magnitude among an array's elements, and the smallest nonzero one (inf if none)."""
    magnitude = np.abs(value.astype(np.float64))
    nonzero = magnitude[magnitude > 0]
    return float(magnitude.max()), float(nonzero.min()) if nonzero.size else math.inf


def _gradients_in_range(graph: Graph, magnitudes: list[tuple[float, float]]) -> bool:
    """Whether no adjoint can exceed GRADIENT_LIMIT, nor a nonzero product of local derivatives
    fall below the dtype's PRODUCT_FLOOR (where it would round to a subnormal)."""
    high = [0.0] * graph.size
    low = [math.inf] * graph.size
    high[graph.output] = low[graph.output] = 1.0
    for index in range(graph.output, len(graph.leaves) - 1, -1):
        node = graph.node(index)
        for i in node.inputs:
            if node.op == "add":
                high[i] += high[index]
                low[i] = min(low[i], low[index])
            else:
                high[i] += high[index] * 2 * magnitudes[i][0]
                low[i] = min(low[i], low[index] * 2 * magnitudes[i][1])
    return max(high) <= GRADIENT_LIMIT and min(low) >= PRODUCT_FLOOR[graph.dtype]


def _leaf(values: Sequence[float], dtype: DType = "float64") -> tuple[float, ...]:
    return tuple(float(np.dtype(dtype).type(v)) for v in values)


# The famous cases, run first by every graph property whatever Hypothesis draws.
FAMOUS_GRAPHS: Final[dict[str, Graph]] = {
    "x + x": Graph("float64", (), (_leaf([3.0]),), (Node("add", (0, 0)),), 1),
    "step 18: x0 + (x0 + x1)": Graph(
        "float64", (), (_leaf([1.0]), _leaf([1.0])), (Node("add", (0, 1)), Node("add", (0, 2))), 3
    ),
    "diamond: square(x)**2 + square(x)**2": Graph(
        "float64",
        (2,),
        (_leaf([2.0, -0.5]),),
        (Node("square", (0,)), Node("square", (1,)), Node("square", (1,)), Node("add", (2, 3))),
        4,
    ),
    "skip connection: c = x + b, y = c + b, b = square(square(x))": Graph(
        "float64",
        (),
        (_leaf([1.5]),),
        (Node("square", (0,)), Node("square", (1,)), Node("add", (0, 2)), Node("add", (3, 2))),
        4,
    ),
    "chain of squares": Graph(
        "float32", (2, 2), (_leaf([1.5, -1.25, 0.0, 2.0], "float32"),),
        (Node("square", (0,)), Node("square", (1,)), Node("square", (2,))), 3,
    ),
    # y1's creator is queued while y0's (generation 1) and y2's (3) wait: appending it, or
    # inserting it at either end, runs it before y2's creator has added to y1.grad (x0.grad 2, not 14).
    "frontier of three generations: y3 = y0 + y1 beside y2 = square(y1)": Graph(
        "float64", (), (_leaf([1.0]),),
        (Node("square", (0,)), Node("square", (1,)), Node("square", (2,)), Node("add", (1, 2)), Node("add", (3, 4))),
        5,
    ),
    # gradients of about 1e6 (x.grad = 32 * 2**15): a clipped or rounded Square.backward shows
    "deep squares: s = square(square(square(square(x)))), y = s + s at x = 2": Graph(
        "float64", (), (_leaf([2.0]),),
        (Node("square", (0,)), Node("square", (1,)), Node("square", (2,)), Node("square", (3,)), Node("add", (4, 4))),
        5,
    ),
    "large leaves: square(square(x)) at x = 1000 and -0.5 in float32": Graph(
        "float32", (2,), (_leaf([1000.0, -0.5], "float32"),), (Node("square", (0,)), Node("square", (1,))), 2,
    ),
}


@dataclass(frozen=True, slots=True)
class ConfigScenario:
    """Nested config blocks entered from `prior`; `raises` escapes the innermost one.

    `from_op` raises it inside the target's own `square` (its input array holds an object whose
    `**` raises) instead of in the block's body; `raises=None` leaves the blocks normally.
    """

    prior: bool
    blocks: tuple[ConfigBlock, ...]
    raises: ExceptionKind | None
    from_op: bool


def config_scenarios(*, max_depth: int = 4) -> st.SearchStrategy[ConfigScenario]:
    """Scenarios for `using_config` / `no_grad`: nesting depth 1 to `max_depth` (at most 16).

    Shrinks to one `no_grad()` block entered with graph building on, left by a ValueError.
    """
    _check_count("max_depth", max_depth, 1, 16)
    return st.builds(
        ConfigScenario,
        prior=st.booleans().map(lambda b: not b),
        blocks=st.lists(st.sampled_from(CONFIG_BLOCKS), min_size=1, max_size=max_depth).map(tuple),
        raises=st.one_of(st.sampled_from(EXCEPTION_KINDS), st.none()),
        from_op=st.booleans(),
    )


def non_ndarrays() -> st.SearchStrategy[object]:
    """Values that `Variable` must reject: Python and numpy scalars, lists, tuples, strings.

    Shrinks towards the float 0.0.
    """
    return st.one_of(
        st.floats(allow_nan=False),
        st.integers(),
        st.lists(st.floats(allow_nan=False), max_size=3),
        st.tuples(st.floats(allow_nan=False)),
        st.floats(allow_nan=False, width=32).map(np.float32),
        st.floats(allow_nan=False).map(np.float64),
        st.integers(-(2**31), 2**31 - 1).map(np.int64),
        st.booleans(),
        st.text(max_size=3),
    )


PLAIN_VALUES: Final = (1.0, 2.0, 0.5, 3.0, -1.0, 0.0, -0.5, 1.5)  # what a learner types; leaves shrink to 1.0
STEP_KINDS: Final = ("leaf", "apply", "apply", "backward", "backward", "cleargrad", "enter", "leave", "set_flag")


def programs(*, max_steps: int = 24) -> st.SearchStrategy[Program]:
    """Sequences of up to `max_steps` operations (1 to 64) on one engine, for the state machine.

    Leaves are small (0-d to 2-d, sides up to 2) and hold the plain values a learner types
    (1.0, 2.0, 0.5, 3.0, -1.0, 0.0, -0.5, 1.5: `graphs()` covers other floats); `backward` is only called on
    variables that have a creator; blocks may be left by any exception kind. Shrinks to fewer
    steps, 0-d float64 leaves holding 1.0, adds and blocks left normally.
    """
    _check_count("max_steps", max_steps, 1, 64)
    return _programs(max_steps=max_steps)


@st.composite
def _programs(draw: st.DrawFn, *, max_steps: int) -> Program:
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=2))
    elements = st.sampled_from(PLAIN_VALUES)  # one choice each: cheap to shrink; graphs() covers other floats
    bounds: list[float] = []
    has_creator: list[bool] = []
    flag, saved = True, list[bool]()
    steps: list[Step] = []
    for _ in range(draw(st.integers(1, max_steps))):
        kind = draw(st.sampled_from(STEP_KINDS)) if bounds else "leaf"
        if kind == "leave" and not saved:
            kind = "enter"  # nothing to leave yet
        with_creator = [i for i, created in enumerate(has_creator) if created]
        pick = draw(st.integers(0, _MAX_CHOICE))
        if kind == "leaf":
            values = tuple(draw(st.lists(elements, min_size=math.prod(shape), max_size=math.prod(shape))))
            steps.append(MakeLeaf(values))
            bounds.append(max(PLAIN_VALUES))
            has_creator.append(False)
        elif kind == "apply" or (kind == "backward" and not with_creator):
            first = len(bounds) - 1 - pick % len(bounds)
            if draw(st.booleans()) and bounds[first] <= SQUARE_LIMIT:
                steps.append(Apply("square", (first,)))
                bounds.append(bounds[first] ** 2)
            else:
                second = len(bounds) - 1 - draw(st.integers(0, _MAX_CHOICE)) % len(bounds)
                steps.append(Apply("add", (first, second)))
                bounds.append(bounds[first] + bounds[second])
            has_creator.append(flag)
        elif kind == "backward":
            steps.append(Backward(with_creator[-1 - pick % len(with_creator)], draw(st.booleans())))
        elif kind == "cleargrad":
            steps.append(ClearGrad(len(bounds) - 1 - pick % len(bounds)))
        elif kind == "enter":
            block = draw(st.sampled_from(CONFIG_BLOCKS))
            steps.append(Enter(block))
            saved.append(flag)
            flag = block == "using_config(True)"
        elif kind == "leave":
            steps.append(Leave(draw(st.one_of(st.none(), st.sampled_from(EXCEPTION_KINDS)))))
            flag = saved.pop()
        else:
            flag = draw(st.booleans())
            steps.append(SetFlag(flag))
    return Program(dtype, shape, tuple(steps))
