"""Variable and Function: the graph, and the backward pass that walks it."""

from __future__ import annotations

import heapq
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
        funcs: list[tuple[int, int, Function]] = []  # heap of (-generation, tiebreak, f)
        seen: set[Function] = set()

        def add_func(f: Function) -> None:
            if f not in seen:
                seen.add(f)
                heapq.heappush(funcs, (-f.generation, len(seen), f))

        add_func(self.creator)
        while funcs:
            f = heapq.heappop(funcs)[2]
            gys = [_alive(y).grad for y in f.outputs]
            gxs = f.backward(*gys)
            if not isinstance(gxs, tuple):
                gxs = (gxs,)
            for x, gx in zip(f.inputs, gxs):
                # Rebinding, not `+=`: the first gx may be the very array another grad holds.
                x.grad = as_array(gx) if x.grad is None else as_array(x.grad + gx)
                if x.creator is not None:
                    add_func(x.creator)
            if not retain_grad:
                for y in f.outputs:
                    _alive(y).grad = None


def _alive(ref: weakref.ref[Variable]) -> Variable:
    """Dereference a function's output; it is alive while anything can reach its creator."""
    y = ref()
    if y is None:
        raise RuntimeError("an output of a function in the graph was freed before backward")
    return y


class Function:
    """An operation on Variables; subclasses define `forward` and `backward` on arrays."""

    __slots__ = ("generation", "inputs", "outputs", "__weakref__")
    forward: Callable[..., Array]  # xs -> y, on the inputs' arrays
    backward: Callable[..., Array | tuple[Array, ...]]  # gy -> gx, or (gx0, gx1, ...)

    def __call__(self, *inputs: Variable) -> Variable:
        """Apply the function; record the graph only while `Config.enable_backprop` is true."""
        y = self.forward(*[x.data for x in inputs])
        output = Variable(as_array(y))
        if _enable_backprop.get():
            self.generation = max([x.generation for x in inputs])
            output.set_creator(self)
            self.inputs = inputs  # strong: backward needs the inputs' data
            self.outputs = (weakref.ref(output),)  # weak: no Variable -> Function -> Variable cycle
        return output
