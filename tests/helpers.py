"""Small assertion helpers shared by the engine tests."""

from __future__ import annotations

from refengine import Array, Variable


def grad_of(x: Variable) -> Array:
    """Return x.grad, failing the test if backward left it unset."""
    assert x.grad is not None, "expected a grad, found None"
    return x.grad


def data_of(x: Variable) -> Array:
    """Return x.data, failing the test if it is None."""
    assert x.data is not None, "expected data, found None"
    return x.data
