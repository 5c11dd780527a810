"""Pins the types of refengine's public API; mypy reads this file, nobody runs it."""

from __future__ import annotations

import contextlib
import weakref
from typing import assert_type

import numpy as np

from refengine import (
    Add,
    Array,
    Config,
    Function,
    Square,
    Variable,
    add,
    as_array,
    no_grad,
    square,
    using_config,
)

x = Variable(np.array(2.0))
assert_type(x.data, Array | None)
assert_type(x.grad, Array | None)
assert_type(x.creator, Function | None)
assert_type(x.generation, int)
assert_type(x.backward(), None)
assert_type(x.backward(retain_grad=True), None)
assert_type(x.cleargrad(), None)

assert_type(add(x, x), Variable)
assert_type(square(x), Variable)
assert_type(Add()(x, x), Variable)
assert_type(Square()(x), Variable)

f = square(x).creator
if f is not None:
    assert_type(f.generation, int)
    assert_type(f.inputs, tuple[Variable, ...])
    assert_type(f.outputs, tuple[weakref.ref[Variable]])

assert_type(as_array(np.float64(1.0)), Array)
assert_type(as_array(1.0), Array)

assert_type(Config.enable_backprop, bool)
Config.enable_backprop = False  # the book's spelling type-checks
assert_type(using_config("enable_backprop", True), contextlib.AbstractContextManager[None])
assert_type(no_grad(), contextlib.AbstractContextManager[None])

using_config("enable_backpro", True)  # type: ignore[arg-type]  # misspelt names are caught
Variable(1.0)  # type: ignore[arg-type]  # floats are rejected, as at run time
