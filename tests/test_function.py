"""Semantics points 2 and 4: what calling a Function records, and the two ops' rules."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import numpy as np
import pytest

from refengine import Add, Config, Square, Variable, add, as_array, no_grad, square
from tests.helpers import data_of


@pytest.fixture
def no_cyclic_gc() -> Iterator[None]:
    """Only reference counting frees objects: what these tests show must not need the collector."""
    gc.collect()
    gc.disable()
    yield
    gc.enable()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_0d_results_stay_0d_arrays_of_the_input_dtype(dtype: type[np.floating]) -> None:
    y = square(Variable(np.array(3.0, dtype=dtype)))
    assert type(y.data) is np.ndarray
    assert data_of(y).shape == ()
    assert data_of(y).dtype == dtype
    assert data_of(y) == 9.0


def test_as_array_turns_numpy_scalars_into_0d_arrays_and_passes_arrays_through() -> None:
    a = as_array(np.float32(2.5))
    assert type(a) is np.ndarray and a.shape == () and a.dtype == np.float32 and a == 2.5
    b = np.array([1.0])
    assert as_array(b) is b
    assert as_array(1.5).dtype == np.float64


def test_forward_values_of_add_and_square() -> None:
    x0 = Variable(np.array([1.0, -2.0, 0.5]))
    x1 = Variable(np.array([3.0, 4.0, -0.25]))
    np.testing.assert_array_equal(data_of(add(x0, x1)), [4.0, 2.0, 0.25])
    np.testing.assert_array_equal(data_of(square(x0)), [1.0, 4.0, 0.25])


def test_records_generation_as_the_max_over_inputs() -> None:
    x = Variable(np.array(2.0))
    a = square(x)
    b = square(a)
    y = add(x, b)  # inputs of generations 0 and 2
    assert (a.generation, b.generation, y.generation) == (1, 2, 3)
    assert y.creator is not None and y.creator.generation == 2


def test_records_inputs_strongly_and_outputs_weakly() -> None:
    x0 = Variable(np.array(1.0))
    x1 = Variable(np.array(2.0))
    f = Add()
    y = f(x0, x1)
    assert y.creator is f
    assert f.inputs[0] is x0 and f.inputs[1] is x1
    assert isinstance(f.outputs[0], weakref.ref)
    assert f.outputs[0]() is y


def test_dropping_the_output_frees_the_graph_without_the_cyclic_collector(no_cyclic_gc: None) -> None:
    x = Variable(np.array(2.0))
    y = square(square(x))
    creator = weakref.ref(y.creator) if y.creator is not None else None
    assert creator is not None and creator() is not None
    del y
    assert creator() is None


def test_no_grad_records_nothing_and_frees_function_and_inputs_at_once(no_cyclic_gc: None) -> None:
    x = Variable(np.array(2.0))
    f = Square()
    function_ref, input_ref = weakref.ref(f), weakref.ref(x)
    with no_grad():
        y = f(x)
    assert y.creator is None and y.generation == 0
    assert not hasattr(f, "inputs") and not hasattr(f, "outputs")
    del f, x
    assert function_ref() is None and input_ref() is None
    assert data_of(y) == 4.0


def test_graph_building_keeps_inputs_alive_through_the_output() -> None:
    x = Variable(np.array(2.0))
    input_ref = weakref.ref(x)
    y = square(x)
    del x
    assert input_ref() is not None
    assert y.creator is not None and y.creator.inputs[0] is input_ref()


def test_the_book_spelling_switches_recording_off() -> None:
    Config.enable_backprop = False
    y = add(Variable(np.array(1.0)), Variable(np.array(1.0)))
    assert y.creator is None


def test_add_rejects_inputs_of_different_shapes_naming_both() -> None:
    with pytest.raises(ValueError, match=r"\(2,\) and \(3,\)"):
        add(Variable(np.zeros(2)), Variable(np.zeros(3)))


def test_backward_rules_beside_forward() -> None:
    gy = np.array([1.0, 10.0])
    f = Add()
    f(Variable(np.zeros(2)), Variable(np.zeros(2)))
    gx0, gx1 = f.backward(gy)
    assert gx0 is gy and gx1 is gy
    s = Square()
    s(Variable(np.array([3.0, -0.5])))
    np.testing.assert_array_equal(s.backward(gy), [6.0, -10.0])
