"""Semantics point 6: deep graphs need no recursion, going backward or being freed."""

from __future__ import annotations

import gc
import sys
import weakref

import numpy as np

from refengine import Variable, add
from tests.helpers import grad_of

DEPTH = 100_000  # 100x Python's default recursion limit; the 1,000,000 run is in bench/


def test_backward_and_release_of_a_100000_node_chain() -> None:
    assert DEPTH > 50 * sys.getrecursionlimit()
    x = Variable(np.array(1.0))
    y = x
    for _ in range(DEPTH):
        y = add(y, x)  # y = (DEPTH + 1) x: the grad is exact
    assert y.generation == DEPTH
    y.backward()
    assert grad_of(x) == DEPTH + 1
    creator = weakref.ref(y.creator) if y.creator is not None else None
    gc.disable()  # reference counting alone must free the chain
    try:
        del y
        assert creator is not None and creator() is None
    finally:
        gc.enable()
    assert grad_of(x) == DEPTH + 1  # the leaf and its grad live on
