"""The strategies: every graph is valid and bounded, every shape occurs, bad arguments fail."""

from __future__ import annotations

import math
import random
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis.errors import InvalidArgument

from specs.graphs.ir import Graph, features
from specs.graphs.oracle import adjoints, forward_values
from specs.graphs.strategies import GRADIENT_LIMIT, config_scenarios, graphs

def _minimal(condition: Callable[[Graph], bool]) -> Graph:
    """The smallest graph satisfying `condition`, found and shrunk with a fixed seed."""
    quiet = settings(database=None, derandomize=False, max_examples=2000)
    return find(graphs(), condition, settings=quiet, random=random.Random(0))


SHAPES = (
    "fan-out", "shared subexpression", "diamond", "add(x, x)", "chain of squares",
    "inputs of unequal generations", "unused leaf", "output not the last node",
    "0-d", "1-d", "2-d", "3-d", "float64", "float32", "out-of-order frontier", "long skip connection",
    "deep chain of squares", "gradient above 1e6", "leaf above 100", "leaf below 0.01",
)


@settings(max_examples=300)
@given(graphs())
def test_every_graph_is_valid_bounded_and_finite(graph: Graph) -> None:
    assert 1 <= len(graph.leaves) <= 3 and 1 <= len(graph.nodes) <= 10 and len(graph.shape) <= 3
    assert all(v == 0 or 2.0**-20 <= abs(v) < 2.0**11 for leaf in graph.leaves for v in leaf)
    with np.errstate(all="raise"):  # no overflow, and no underflow either: the oracle's bound needs none
        values = forward_values(graph)
    assert all(v.dtype == np.dtype(graph.dtype) and v.shape == graph.shape for v in values)
    exact = adjoints(graph).exact
    assert max(abs(f) for row in exact for f in row) <= GRADIENT_LIMIT


def test_leaf_values_shrink_to_plain_numbers() -> None:
    big = _minimal(lambda g: any(abs(v) > 2.5 for leaf in g.leaves for v in leaf))
    assert big.leaves in (((3.0,),), ((4.0,),))
    negative = _minimal(lambda g: any(v < 0 for leaf in g.leaves for v in leaf))
    assert negative.leaves == ((-1.0,),)
    small = _minimal(lambda g: any(0 < abs(v) < 1 for leaf in g.leaves for v in leaf))
    assert small.leaves == ((0.5,),)


@pytest.mark.parametrize("shape", SHAPES)
def test_each_graph_shape_occurs(shape: str) -> None:
    found = _minimal(lambda g: shape in features(g))
    assert shape in features(found)


def test_a_diamond_shrinks_to_three_nodes_over_one_leaf_holding_1() -> None:
    minimal = _minimal(lambda g: "diamond" in features(g))
    assert minimal.dtype == "float64" and minimal.shape == () and len(minimal.nodes) == 3
    assert minimal.leaves == ((1.0,),)


def test_an_add_x_x_graph_shrinks_to_one_node() -> None:
    minimal = _minimal(lambda g: "add(x, x)" in features(g))
    assert len(minimal.nodes) == 1 and math.prod(minimal.shape) == 1


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"max_nodes": -1}, "max_nodes=-1"),
        ({"min_nodes": 5, "max_nodes": 2}, "max_nodes=2"),
        ({"min_leaves": 0}, "min_leaves=0"),
        ({"max_dims": 4}, "max_dims=4"),
        ({"max_side": True}, "max_side=True"),
        ({"dtypes": ["float16"]}, "dtypes=['float16']"),
        ({"dtypes": "float64"}, "dtypes='float64'"),
        ({"dtypes": []}, "dtypes=[]"),
    ],
)
def test_bad_arguments_raise_invalid_argument_at_call_time(kwargs: dict[str, object], name: str) -> None:
    with pytest.raises(InvalidArgument, match=name.replace("[", r"\[").replace("]", r"\]")):
        graphs(**kwargs)  # type: ignore[arg-type]  # wrong on purpose


def test_config_scenarios_reject_a_bad_depth() -> None:
    with pytest.raises(InvalidArgument, match="max_depth=0"):
        config_scenarios(max_depth=0)
