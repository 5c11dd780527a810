"""Semantics point 3: the backward pass."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest

from refengine import Add, Array, Square, Variable, add, square
from tests.helpers import grad_of


def test_seeds_ones_like_the_output() -> None:
    x = Variable(np.ones((2, 3), dtype=np.float32))
    y = square(x)
    y.backward(retain_grad=True)
    assert grad_of(y).shape == (2, 3) and grad_of(y).dtype == np.float32
    np.testing.assert_array_equal(grad_of(y), np.ones((2, 3)))
    assert grad_of(x).dtype == np.float32


def test_the_books_step_18_example() -> None:
    x0 = Variable(np.array(1.0))
    x1 = Variable(np.array(1.0))
    t = add(x0, x1)
    y = add(x0, t)
    y.backward()
    assert y.grad is None and t.grad is None
    assert grad_of(x0) == 2.0 and grad_of(x1) == 1.0


def test_retain_grad_keeps_every_intermediate_grad() -> None:
    x0 = Variable(np.array(1.0))
    x1 = Variable(np.array(1.0))
    t = add(x0, x1)
    y = add(x0, t)
    y.backward(retain_grad=True)
    assert grad_of(y) == 1.0 and grad_of(t) == 1.0
    assert grad_of(x0) == 2.0 and grad_of(x1) == 1.0


def test_without_retain_grad_only_leaves_keep_grads() -> None:
    x = Variable(np.array(3.0))
    a = square(x)
    b = square(a)
    y = add(b, a)
    y.backward()
    assert [v.grad for v in (a, b, y)] == [None, None, None]
    assert grad_of(x) == 4 * 3.0**3 + 2 * 3.0  # d(x^4 + x^2)/dx


class _CountingSquare(Square):
    """A Square that counts how often its backward runs."""

    __slots__ = ("calls",)
    calls: int

    def backward(self, gy: Array) -> Array:
        self.calls = getattr(self, "calls", 0) + 1
        return super().backward(gy)


def test_each_reachable_function_runs_once_on_a_diamond() -> None:
    x = Variable(np.array(2.0))
    f = _CountingSquare()
    a = f(x)
    y = add(square(a), square(a))  # y = 2 x^4: the diamond of step 16
    y.backward()
    assert f.calls == 1
    assert grad_of(x) == 64.0  # a stack without the generation sort (step 15) gives 32


class _RecordingSquare(Square):
    """A Square whose backward records the grads of watched variables as it runs."""

    __slots__ = ("log", "watched")
    log: list[tuple[int, list[bool]]]
    watched: list[Variable]

    def backward(self, gy: Array) -> Array:
        self.log.append((self.generation, [v.grad is None for v in self.watched]))
        return super().backward(gy)


def test_functions_run_in_decreasing_generation_and_free_output_grads_as_they_go() -> None:
    log: list[tuple[int, list[bool]]] = []
    x = Variable(np.array(1.5))
    chain = [x]
    functions = []
    for _ in range(4):
        f = _RecordingSquare()
        f.log, f.watched = log, []
        functions.append(f)
        chain.append(f(chain[-1]))
    for f, later in zip(functions, range(2, 6)):
        f.watched = chain[later:]  # outputs of functions that ran before this one
    y = add(chain[-1], chain[1])  # a skip connection across generations
    y.backward()
    generations = [generation for generation, _ in log]
    assert generations == sorted(generations, reverse=True) == [3, 2, 1, 0]
    assert all(all(cleared) for _, cleared in log)


def test_accumulates_by_rebinding_never_in_place() -> None:
    x = Variable(np.array(3.0))
    y = add(x, x)  # Add hands back (gy, gy): one array object for both inputs
    y.backward(retain_grad=True)
    assert grad_of(x) == 2.0
    assert grad_of(y) == 1.0  # `x.grad += gx` would have turned y.grad into 2.0 too


def test_grads_are_arrays_even_for_0d_data() -> None:
    x = Variable(np.array(3.0, dtype=np.float32))
    y = add(square(x), square(x))
    y.backward()
    assert type(x.grad) is np.ndarray and grad_of(x).dtype == np.float32 and grad_of(x) == 12.0


def test_backward_twice_accumulates_and_cleargrad_resets() -> None:
    x = Variable(np.array(3.0))
    y = square(x)
    y.backward()
    y.backward()
    assert grad_of(x) == 12.0
    x.cleargrad()
    y.backward()
    assert grad_of(x) == 6.0


def test_backward_on_a_leaf_seeds_its_grad() -> None:
    x = Variable(np.array([1.0, 2.0]))
    x.backward()
    np.testing.assert_array_equal(grad_of(x), [1.0, 1.0])


def test_the_book_crashes_on_backward_of_a_leaf(book: ModuleType) -> None:
    x = book.Variable(np.array([1.0, 2.0]))
    with pytest.raises(AttributeError):
        x.backward()


def test_shared_subexpressions_get_the_sum_of_their_paths() -> None:
    x = Variable(np.array([1.0, -2.0]))
    a = square(x)
    y = add(add(a, x), add(a, a))  # 3x^2 + x
    y.backward()
    np.testing.assert_array_equal(grad_of(x), 6 * np.array([1.0, -2.0]) + 1)
    assert isinstance(y.creator, Add)


def test_a_reused_function_whose_last_output_is_gone_fails_naming_the_cause() -> None:
    # Calling one Function object twice re-points its outputs at the second result; once that
    # is dropped, backward from the first cannot find the grads it needs.
    f = Square()
    x = Variable(np.array(3.0))
    y = f(x)
    f(x)  # the second output is dropped at once
    with pytest.raises(RuntimeError, match="^an output of a function in the graph was freed before backward$"):
        y.backward()
