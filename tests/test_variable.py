"""Semantics point 1: what a Variable accepts and holds."""

from __future__ import annotations

import numpy as np
import pytest

from refengine import Square, Variable


class _SubArray(np.ndarray):  # a bare subclass, as users write them
    pass


def test_holds_the_array_it_was_given_and_starts_without_grad_or_creator() -> None:
    data = np.array([1.0, 2.0])
    x = Variable(data)
    assert x.data is data
    assert x.grad is None
    assert x.creator is None
    assert x.generation == 0


def test_accepts_ndarray_subclasses_and_none() -> None:
    sub = np.zeros(3).view(_SubArray)
    assert Variable(sub).data is sub
    assert Variable(None).data is None


@pytest.mark.parametrize(
    ("value", "type_name"),
    [(1.0, "float"), (1, "int"), ([1.0, 2.0], "list"), (np.float64(1), "float64"), ("1", "str")],
)
def test_rejects_everything_else_naming_the_type(value: object, type_name: str) -> None:
    with pytest.raises(TypeError, match=rf"\b{type_name}\b"):
        Variable(value)  # type: ignore[arg-type]


def test_set_creator_puts_the_variable_one_generation_after_its_function() -> None:
    f = Square()
    f.generation = 4
    x = Variable(np.array(1.0))
    x.set_creator(f)
    assert x.creator is f
    assert x.generation == 5


def test_cleargrad_forgets_the_grad() -> None:
    x = Variable(np.array(1.0))
    x.grad = np.array(3.0)
    x.cleargrad()
    assert x.grad is None
