"""The adapter for MyGrad: `mygrad.Tensor` plays Variable, `mygrad.no_autodiff` plays no_grad.

MyGrad keeps every tensor's grad after `backward()` (there is no retain_grad flag), and its one
graph-tracking switch is global; the adapter calls `backward()` for either value of retain_grad
and reads and sets that switch through `no_autodiff.state` as Config.enable_backprop.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Final, cast

import numpy as np

from specs.graphs.ir import FloatArray
from specs.target.adapters.importing import import_engine
from specs.target.adapters.protocol import Handle, MissingName

UNSUPPORTED: Final[Mapping[str, str]] = {
    "using_config": "mygrad's only context is no_autodiff: nothing switches graph tracking on or to a given value",
    "generations-follow-the-graph": "mygrad tensors have no generation",
    "output-grad-set-beforehand-seeds-backward": "mygrad's backward takes its seed as an argument; .grad is set by it",
    "handed-out-grads-are-never-mutated": "the adapter reads mygrad's grads as copies, so the check would pass whatever "
    "mygrad did",
    "variable-rejects-non-ndarray": "the rule is DeZero's own input check; mygrad.Tensor takes any array-like "
    "(like np.asarray) by design",
}
IMPORT_LINES = """import mygrad as mg
Variable, add, square, no_grad = mg.Tensor, mg.add, mg.square, lambda: mg.no_autodiff
# y.backward(retain_grad=True) is y.backward(); x.cleargrad() is x.null_grad();
# Config.enable_backprop is mg.no_autodiff.state"""


class MygradEngine:
    """Drive MyGrad through the suite's operations."""

    def __init__(self) -> None:
        self.mygrad = import_engine("mygrad", "`pip install mygrad==2.5.0`, or `nox -s mygrad`")
        self.label = f"mygrad {self.mygrad.__version__}"

    def names(self) -> frozenset[str]:
        """Every name but using_config has a counterpart."""
        return frozenset({"Variable", "add", "square", "Config", "no_grad"})

    def unsupported(self) -> Mapping[str, str]:
        """using_config, and properties whose rule mygrad does not share by design."""
        return UNSUPPORTED

    def variable(self, data: object) -> Handle:
        """`mygrad.Tensor(data)`."""
        return cast(object, self.mygrad.Tensor(data))

    def add(self, x0: Handle, x1: Handle) -> Handle:
        """`mygrad.add(x0, x1)`."""
        return cast(object, self.mygrad.add(x0, x1))

    def square(self, x: Handle) -> Handle:
        """`mygrad.square(x)`."""
        return cast(object, self.mygrad.square(x))

    def data(self, x: Handle) -> FloatArray:
        """`x.data`, copied."""
        return np.array(getattr(x, "data"))

    def grad(self, x: Handle) -> FloatArray | None:
        """`x.grad`, copied."""
        grad = getattr(x, "grad")
        return None if grad is None else np.array(grad)

    def creator(self, x: Handle) -> object | None:
        """`x.creator`, the Operation that made x."""
        return cast(object, getattr(x, "creator"))

    def generation(self, node: object) -> int:
        """Declared unsupported: mygrad tensors have no generation."""
        raise MissingName("generation")

    def set_grad(self, x: Handle, grad: FloatArray) -> None:
        """Declared unsupported: mygrad's backward takes its seed as an argument."""
        raise MissingName("grad")

    def backward(self, x: Handle, *, retain_grad: bool) -> None:
        """`x.backward()`: mygrad always keeps every grad."""
        getattr(x, "backward")()

    def cleargrad(self, x: Handle) -> None:
        """`x.null_grad()`."""
        getattr(x, "null_grad")()

    def no_grad(self) -> AbstractContextManager[object]:
        """`mygrad.no_autodiff`, a reusable context manager."""
        return cast(AbstractContextManager[object], self.mygrad.no_autodiff)

    def using_config(self, name: str, value: bool) -> AbstractContextManager[object]:
        """Declared unsupported: mygrad has no such context."""
        raise AttributeError("mygrad has no using_config")

    def enable_backprop(self) -> bool:
        """`mygrad.no_autodiff.state`: whether graph tracking is on."""
        return bool(self.mygrad.no_autodiff.state)

    def set_enable_backprop(self, value: bool) -> None:
        """`mygrad.no_autodiff.state = value` (global to the process)."""
        self.mygrad.no_autodiff.state = value

    def snippet_header(self) -> str:
        """How the counterexample's DeZero names map onto mygrad."""
        return f"import numpy as np\n{IMPORT_LINES}\n"
