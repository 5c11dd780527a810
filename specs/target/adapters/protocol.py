"""The protocol an adapter implements to put an engine under test.

Handles are the engine's own Variable objects, opaque to the suite. Engines never import
specs to satisfy this: an adapter wraps them.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Protocol, TypeAlias

from specs.graphs.ir import FloatArray

Handle: TypeAlias = object


class MissingName(Exception):
    """The target lacks a name of the API that a property needs."""

    def __init__(self, name: str) -> None:
        super().__init__(f"the target has no `{name}`")
        self.name = name

    def report_message(self) -> str:
        """The failed property's message."""
        return f"{self}, which this property needs"


class Engine(Protocol):
    """What the properties ask of a target, in the terms of DeZero step 18."""

    label: str

    def names(self) -> frozenset[str]:
        """The API names the target provides (of Variable, add, square, Config, ...)."""
        ...

    def unsupported(self) -> Mapping[str, str]:
        """API names or property ids the engine has no counterpart for, by design, with the reason.

        A property that needs one is reported `not-applicable` with that reason, never passed;
        a name that is merely missing (neither provided nor declared here) fails the property.
        """
        ...

    def variable(self, data: object) -> Handle:
        """Call the target's `Variable(data)`."""
        ...

    def add(self, x0: Handle, x1: Handle) -> Handle:
        """Call the target's `add(x0, x1)`."""
        ...

    def square(self, x: Handle) -> Handle:
        """Call the target's `square(x)`."""
        ...

    def data(self, x: Handle) -> FloatArray:
        """`x.data` as an ndarray."""
        ...

    def grad(self, x: Handle) -> FloatArray | None:
        """`x.grad` as an ndarray (whatever the target keeps it as), or None."""
        ...

    def creator(self, x: Handle) -> object | None:
        """`x.creator`."""
        ...

    def generation(self, node: object) -> int:
        """`node.generation` of a Variable or of a Function (a creator)."""
        ...

    def set_grad(self, x: Handle, grad: FloatArray) -> None:
        """Assign `x.grad = grad` (a seed for the next `x.backward()`)."""
        ...

    def backward(self, x: Handle, *, retain_grad: bool) -> None:
        """Call `x.backward()`, or `x.backward(retain_grad=True)`."""
        ...

    def cleargrad(self, x: Handle) -> None:
        """Call `x.cleargrad()`."""
        ...

    def no_grad(self) -> AbstractContextManager[object]:
        """The target's `no_grad()`."""
        ...

    def using_config(self, name: str, value: bool) -> AbstractContextManager[object]:
        """The target's `using_config(name, value)`."""
        ...

    def enable_backprop(self) -> object:
        """Read the target's `Config.enable_backprop`: the value it holds, a bool in a conforming engine."""
        ...

    def set_enable_backprop(self, value: bool) -> None:
        """Assign the target's `Config.enable_backprop`."""
        ...

    def snippet_header(self) -> str:
        """The lines a counterexample snippet starts with to get at the target's API."""
        ...
