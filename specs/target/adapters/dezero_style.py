"""The adapter for any namespace that spells the book's API: refengine, a learner's file or
notebook, a module, or `globals()`.

Targets differ in what they keep as a grad (an ndarray, a numpy scalar, a 0-d array, or a
Variable wrapping one); everything is turned into an ndarray here, not in the properties.
The API probe (specs.target.probe) runs first: a piece it found missing blocks what needs it, `add`
and `square` may come from what the target has, and nothing the target lacks is ever created.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import cast

import numpy as np

from specs.graphs.ir import FloatArray
from specs.target.adapters.protocol import Handle, MissingName
from specs.target.loader import API_NAMES
from specs.target.probe import Blocked, Findings, Gap, probe


class DezeroStyle:
    """Drive an engine through the step-18 names found in `namespace`."""

    def __init__(
        self, namespace: Mapping[str, object], label: str, import_line: str | None = None,
        findings: Findings | None = None,
    ) -> None:
        self.namespace = namespace
        self.label = label
        self.import_line = import_line
        self.findings = probe(namespace) if findings is None else findings
        self.gaps: tuple[Gap, ...] = tuple(self.findings.gaps)

    def _blocked(self, piece: str) -> None:
        """Raise Blocked when the probe found `piece` missing."""
        gap = self.findings.gap(piece)
        if gap is not None:
            raise Blocked(gap)

    def _read(self, obj: object, name: str) -> object:
        """`obj.name`; a Variable attribute the probe found missing blocks the property."""
        try:
            return getattr(obj, name)
        except AttributeError:
            self._blocked(f"Variable.{name}")
            raise AttributeError(f"the target's {type(obj).__name__} object has no attribute {name!r}") from None

    def _op(self, name: str, *args: Handle) -> Handle:
        """Call the target's op (or the one the probe took from it); one output must be a Variable."""
        op = self.findings.ops.get(name)
        if op is None:
            raise MissingName(name)
        out = op(*args)
        if isinstance(out, list | tuple):
            call = "square(x)" if name == "square" else "add(x0, x1)"
            shown = "x = Variable(np.array(1.0))\n" + ("y = square(x)" if name == "square" else "y = add(x, x)")
            raise Blocked(Gap(f"{name}()", f"`{call}` returned a {type(out).__name__}, not a Variable: "
                              "`Function.__call__` should return `outputs[0]` when there is one output",
                              snippet=f"{shown}\nprint(type(y))  # expected Variable, got {type(out).__name__}\n"))
        return out

    def _context(self, name: str, *args: object) -> AbstractContextManager[object]:
        self._blocked(name)
        made = self._call(name, *args)
        if not (hasattr(made, "__enter__") and hasattr(made, "__exit__")):
            hint = ": is `@contextlib.contextmanager` missing?" if inspect.isgenerator(made) else ""
            call = "no_grad()" if name == "no_grad" else f"using_config{args!r}"
            raise Blocked(Gap(name, f"`{name}` returned a {type(made).__name__}, not a context manager{hint}",
                              snippet=f"print(type({call}))  # expected a context manager, got "
                                      f"{type(made).__name__}\n"))
        return cast(AbstractContextManager[object], made)

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
        return frozenset(name for name in API_NAMES if name in self.namespace) | frozenset(self.findings.ops)

    def unsupported(self) -> Mapping[str, str]:
        """Nothing: a step-18 namespace is expected to provide every name."""
        return {}

    def variable(self, data: object) -> Handle:
        """Call `Variable(data)`."""
        return self._call("Variable", data)

    def add(self, x0: Handle, x1: Handle) -> Handle:
        """Call `add(x0, x1)` (or what the probe found in its place)."""
        return self._op("add", x0, x1)

    def square(self, x: Handle) -> Handle:
        """Call `square(x)` (or what the probe found in its place)."""
        return self._op("square", x)

    def data(self, x: Handle) -> FloatArray:
        """`x.data` as an ndarray."""
        return _as_ndarray(self._read(x, "data"))

    def grad(self, x: Handle) -> FloatArray | None:
        """`x.grad` as an ndarray, unwrapping a Variable that holds the grad, or None."""
        grad = self._read(x, "grad")
        if grad is None:
            return None
        if not isinstance(grad, np.ndarray | np.generic) and hasattr(grad, "data"):
            grad = _attribute(grad, "data")  # a Variable wrapping the grad (later DeZero steps)
        return _as_ndarray(grad)

    def creator(self, x: Handle) -> object | None:
        """`x.creator`."""
        return self._read(x, "creator")

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
        method = self._read(x, "backward")
        assert callable(method)
        if retain_grad:
            self._blocked("Variable.backward(retain_grad)")
            method(retain_grad=True)
        else:
            method()

    def cleargrad(self, x: Handle) -> None:
        """`x.cleargrad()`."""
        method = self._read(x, "cleargrad")
        assert callable(method)
        method()

    def no_grad(self) -> AbstractContextManager[object]:
        """`no_grad()`."""
        return self._context("no_grad")

    def using_config(self, name: str, value: bool) -> AbstractContextManager[object]:
        """`using_config(name, value)`."""
        return self._context("using_config", name, value)

    def enable_backprop(self) -> object:
        """`Config.enable_backprop`, as the value it holds (a str `'False'` stays a str)."""
        self._blocked("Config.enable_backprop")
        return _attribute(self._get("Config"), "enable_backprop")

    def set_enable_backprop(self, value: bool) -> None:
        """`Config.enable_backprop = value`, only where the target has that attribute: never created."""
        self._blocked("Config.enable_backprop")
        config = self._get("Config")
        _attribute(config, "enable_backprop")
        setattr(config, "enable_backprop", value)

    def snippet_header(self) -> str:
        """An import of the target's names (or a note to run the snippet where they are defined),
        then the ops the suite supplied because the target lacks them."""
        if self.import_line is not None:
            head = f"import numpy as np\n{self.import_line}\n"
        else:
            head = f"import numpy as np\n# run where {self.label}'s definitions are in scope (e.g. a new cell)\n"
        supplied = "".join(self.findings.sources[name] for name in sorted(self.findings.sources))
        return head + (supplied + "\n" if supplied else "")


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
