"""The adapter for any namespace that spells the book's API: refengine, a learner's file or
notebook, a module, or `globals()`.

Targets differ in what they keep as a grad (an ndarray, a numpy scalar, a 0-d array, or a
Variable wrapping one); everything is turned into an ndarray here, not in the properties.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import cast

import numpy as np

from specs.adapters.protocol import Handle, MissingName
from specs.ir import FloatArray
from specs.loader import API_NAMES



class DezeroStyle:
    """Drive an engine through the step-18 names found in `namespace`."""

    def __init__(self, namespace: Mapping[str, object], label: str, import_line: str | None = None) -> None:
        self.namespace = namespace
        self.label = label
        self.import_line = import_line

    def _get(self, name: str) -> object:
        try:
            return self.namespace[name]
        except KeyError:
            raise MissingName(name) from None

    def _call(self, name: str, *args: object) -> object:
        function = self._get(name)
        if not callable(function):
            raise TypeError(f"the target's `{name}` is a {type(function).__name__}, not callable")
        return function(*args)

    def names(self) -> frozenset[str]:
        """The API names the namespace provides."""
        return frozenset(name for name in API_NAMES if name in self.namespace)

    def unsupported(self) -> Mapping[str, str]:
        """Nothing: a step-18 namespace is expected to provide every name."""
        return {}

    def variable(self, data: object) -> Handle:
        """Call `Variable(data)`."""
        return self._call("Variable", data)

    def add(self, x0: Handle, x1: Handle) -> Handle:
        """Call `add(x0, x1)`."""
        return self._call("add", x0, x1)

    def square(self, x: Handle) -> Handle:
        """Call `square(x)`."""
        return self._call("square", x)

    def data(self, x: Handle) -> FloatArray:
        """`x.data` as an ndarray."""
        return _as_ndarray(_attribute(x, "data"))

    def grad(self, x: Handle) -> FloatArray | None:
        """`x.grad` as an ndarray, unwrapping a Variable that holds the grad, or None."""
        grad = _attribute(x, "grad")
        if grad is None:
            return None
        if not isinstance(grad, np.ndarray | np.generic) and hasattr(grad, "data"):
            grad = _attribute(grad, "data")  # a Variable wrapping the grad (later DeZero steps)
        return _as_ndarray(grad)

    def creator(self, x: Handle) -> object | None:
        """`x.creator`."""
        return _attribute(x, "creator")

    def generation(self, node: object) -> int:
        """`node.generation` of a Variable or a Function, which must be an integer."""
        value = _attribute(node, "generation")
        if isinstance(value, int | np.integer) and not isinstance(value, bool):
            return int(value)
        raise TypeError(f"the target's {type(node).__name__}.generation is {value!r}, not an integer")

    def set_grad(self, x: Handle, grad: FloatArray) -> None:
        """`x.grad = grad`."""
        setattr(x, "grad", grad)

    def backward(self, x: Handle, *, retain_grad: bool) -> None:
        """`x.backward()`, passing `retain_grad=True` only when asked, so pre-step-18 engines run."""
        method = _attribute(x, "backward")
        assert callable(method)
        if retain_grad:
            method(retain_grad=True)
        else:
            method()

    def cleargrad(self, x: Handle) -> None:
        """`x.cleargrad()`."""
        method = _attribute(x, "cleargrad")
        assert callable(method)
        method()

    def no_grad(self) -> AbstractContextManager[object]:
        """`no_grad()`."""
        return cast(AbstractContextManager[object], self._call("no_grad"))

    def using_config(self, name: str, value: bool) -> AbstractContextManager[object]:
        """`using_config(name, value)`."""
        return cast(AbstractContextManager[object], self._call("using_config", name, value))

    def enable_backprop(self) -> bool:
        """`Config.enable_backprop`."""
        return bool(_attribute(self._get("Config"), "enable_backprop"))

    def set_enable_backprop(self, value: bool) -> None:
        """`Config.enable_backprop = value`."""
        setattr(self._get("Config"), "enable_backprop", value)

    def snippet_header(self) -> str:
        """An import of the target's names, or a note to run the snippet where they are defined."""
        if self.import_line is not None:
            return f"import numpy as np\n{self.import_line}\n"
        return f"import numpy as np\n# run where {self.label}'s definitions are in scope (e.g. a new cell)\n"


def _attribute(obj: object, name: str) -> object:
    """Read `obj.name`, saying which object lacked it."""
    try:
        return getattr(obj, name)
    except AttributeError:
        raise AttributeError(f"the target's {type(obj).__name__} object has no attribute {name!r}") from None


def _as_ndarray(value: object) -> FloatArray:
    """An ndarray for an ndarray, a numpy scalar or a Python number; anything else is an error."""
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, np.generic | float | int):
        return np.asarray(value)
    raise TypeError(f"expected an ndarray, got a {type(value).__name__}: {value!r}")
