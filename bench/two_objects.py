"""A probe, not an engine to use: step 18 with only the two objects per node the API names.

Each node is one Variable and one Function, nothing else: the Function keeps its inputs in
two slots instead of a tuple and holds no reference to its output at all (backward carries
each function's output along instead), so it breaks the rule that a Function records its
outputs as weak references. What it measures is how fast any engine with a Variable and a
Function object per node can be on CPython:

    python bench/scalar_dag.py --engines refengine book two-objects
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


class Variable:
    """data, grad, creator and generation, in slots."""

    __slots__ = ("data", "grad", "creator", "generation")

    def __init__(self, data: Array) -> None:
        self.data = data
        self.grad: Array | None = None
        self.creator: Function | None = None
        self.generation = 0

    def backward(self) -> None:
        """refengine's pass (one stack per generation), carrying each function's output."""
        self.grad = np.ones_like(self.data)
        if self.creator is None:
            return
        top = {self.creator.generation: self.creator}
        below: dict[Function, Function | None] = {self.creator: None}
        output = {self.creator: self}  # the one link the Function itself does not keep
        for generation in range(self.creator.generation, -1, -1):
            f = top.pop(generation, None)
            while f is not None:
                y = output[f]
                assert y.grad is not None
                inputs = (f.x0,) if f.x1 is None else (f.x0, f.x1)
                for x, gx in zip(inputs, f.backward(y.grad)):
                    x.grad = gx if x.grad is None else np.asarray(x.grad + gx)
                    if x.creator is not None and x.creator not in below:
                        below[x.creator] = top.get(x.creator.generation)
                        top[x.creator.generation] = x.creator
                        output[x.creator] = x
                y.grad = None
                f = below[f]


class Function:
    """One or two inputs in slots; no outputs recorded."""

    __slots__ = ("generation", "x0", "x1")

    def __call__(self, x0: Variable, x1: Variable | None = None) -> Variable:
        y = self.forward(x0.data) if x1 is None else self.forward(x0.data, x1.data)
        output = Variable(np.asarray(y))
        self.generation = x0.generation if x1 is None else max(x0.generation, x1.generation)
        self.x0, self.x1 = x0, x1
        output.creator, output.generation = self, self.generation + 1
        return output

    def forward(self, *xs: Array) -> Array:
        """The op on arrays."""
        raise NotImplementedError

    def backward(self, gy: Array) -> tuple[Array, ...]:
        """The grads of the inputs."""
        raise NotImplementedError


class Add(Function):
    """x0 + x1."""

    __slots__ = ()

    def forward(self, *xs: Array) -> Array:
        """Add."""
        return xs[0] + xs[1]

    def backward(self, gy: Array) -> tuple[Array, ...]:
        """(gy, gy)."""
        return gy, gy


class Square(Function):
    """x ** 2."""

    __slots__ = ()

    def forward(self, *xs: Array) -> Array:
        """Square."""
        return xs[0] ** 2

    def backward(self, gy: Array) -> tuple[Array, ...]:
        """2 x gy."""
        gx = self.x0.data * gy
        gx *= 2
        return (np.asarray(gx),)


def add(x0: Variable, x1: Variable) -> Variable:
    """x0 + x1."""
    return Add()(x0, x1)


def square(x: Variable) -> Variable:
    """x ** 2."""
    return Square()(x)
