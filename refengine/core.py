"""Variable and Function: the graph, and the backward pass that walks it."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from refengine.config import _enable_backprop

Array: TypeAlias = npt.NDArray[np.floating[Any]]
"""The array type the engine computes with (float64 or float32 in practice)."""


def as_array(x: Array | np.floating[Any] | float) -> Array:
    """Return `x` as an ndarray: numpy scalars, which 0-d arithmetic returns, become 0-d arrays."""
    if isinstance(x, np.ndarray):
        return x
    return np.asarray(x)  # np.float32(1) -> array(1., dtype=float32): the dtype is kept


class Variable:
    """A box around an ndarray that remembers the Function that created it."""

    __slots__ = ("data", "grad", "creator", "generation", "__weakref__")

    def __init__(self, data: Array | None) -> None:
        if data is not None and not isinstance(data, np.ndarray):
            raise TypeError(f"Variable data must be an np.ndarray or None, not {type(data).__name__}")
        self.data = data
        self.grad: Array | None = None
        self.creator: Function | None = None
        self.generation = 0

    def set_creator(self, func: Function) -> None:
        """Record `func` as this variable's creator, one generation after it."""
        self.creator = func
        self.generation = func.generation + 1

    def cleargrad(self) -> None:
        """Forget the gradient, so that the next backward pass starts from zero."""
        self.grad = None

    def backward(self, retain_grad: bool = False) -> None:
        """Compute d self / d x for every variable x this one was computed from.

        Each reachable function runs once, highest generation first; grads accumulate with
        `x.grad + gx`, never in place. Unless `retain_grad`, each function's output grads are
        cleared as soon as it has run, so only leaf variables keep a grad.
        """
        if self.grad is None:
            self.grad = np.ones_like(self.data)
        if self.creator is None:
            return  # a leaf: nothing to propagate (the book crashes here)
        # Functions wait on one stack per generation, emptied from the highest generation down,
        # so each runs after every function that uses its output: linear time, where the book
        # re-sorts its list on every insertion (quadratic on wide graphs). Within a generation
        # the last one queued runs first, as in the book, so grads are summed in its order. The
        # creators of a function's inputs have lower generations than it, so none is pushed
        # onto the stack being emptied. The stacks are threaded through two dicts, not kept in
        # lists, so that a wide frontier adds no objects for the cyclic collector to walk.
        top = {self.creator.generation: self.creator}  # generation -> the last function pushed
        below: dict[Function, Function | None] = {self.creator: None}  # f -> the one under it
        for generation in range(self.creator.generation, -1, -1):
            f = top.pop(generation, None)
            while f is not None:
                y = _alive(f._output)
                gxs = f.backward(y.grad)
                if not isinstance(gxs, tuple):
                    gxs = (gxs,)
                for x, gx in zip(f.inputs, gxs):
                    # Rebinding, not `+=`: the first gx may be the very array another grad holds.
                    x.grad = as_array(gx) if x.grad is None else as_array(x.grad + gx)
                    if x.creator is not None and x.creator not in below:
                        below[x.creator] = top.get(x.creator.generation)
                        top[x.creator.generation] = x.creator
                if not retain_grad:
                    y.grad = None
                f = below[f]


def _alive(ref: weakref.ref[Variable]) -> Variable:
    """Dereference a function's output; it is alive while anything can reach its creator."""
    y = ref()
    if y is None:
        raise RuntimeError("an output of a function in the graph was freed before backward")
    return y


class Function:
    """An operation on Variables; subclasses define `forward` and `backward` on arrays."""

    # One weak reference, not the book's tuple of them: one object fewer per node for the
    # cyclic collector to walk (step-18 functions have one output).
    __slots__ = ("generation", "inputs", "_output", "__weakref__")
    forward: Callable[..., Array]  # xs -> y, on the inputs' arrays
    backward: Callable[..., Array | tuple[Array, ...]]  # gy -> gx, or (gx0, gx1, ...)

    @property
    def outputs(self) -> tuple[weakref.ref[Variable]]:
        """The book's `outputs`: a tuple of weak references to the results (here, the one result)."""
        return (self._output,)

    def __call__(self, *inputs: Variable) -> Variable:
        """Apply the function; record the graph only while `Config.enable_backprop` is true."""
        xs: list[Array | None] = []
        generation = 0
        for x in inputs:  # one plain loop: on Python 3.11 two comprehensions cost more than an add
            xs.append(x.data)
            if x.generation > generation:
                generation = x.generation
        output = Variable(as_array(self.forward(*xs)))
        if _enable_backprop.get():
            self.generation = generation
            output.set_creator(self)
            self.inputs = inputs  # strong: backward needs the inputs' data
            self._output = weakref.ref(output)  # weak: no Variable -> Function -> Variable cycle
        return output
