"""The adapter for micrograd: a Value per array element, so add and square map element by element.

micrograd is scalar-valued: a 0-d array becomes one `Value`, an n-d array an ndarray of
independent Values (the way micrograd's own nn keeps vectors as lists of Values). Values hold
numpy scalars, so float32 stays float32. micrograd has no grad mode, no Config and no cleargrad
(`x.grad = 0` is its idiom); its grads start at 0, never None. micrograd records no Function:
the creator of a Value is the `_backward` closure its op made (of the first element, for arrays).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

import numpy as np

from specs.graphs.ir import FloatArray
from specs.target.adapters.importing import import_engine, version_of
from specs.target.adapters.modeless import WithoutGradMode
from specs.target.adapters.protocol import Handle, MissingName

NO_GRAD_MODE: Final = "micrograd always records the graph: it has no grad mode"
UNSUPPORTED: Final[Mapping[str, str]] = {
    "Config": NO_GRAD_MODE,
    "no_grad": NO_GRAD_MODE,
    "using_config": NO_GRAD_MODE,
    "generations-follow-the-graph": "micrograd's Values have no generation: its backward sorts them by a recursive walk",
    "output-grad-set-beforehand-seeds-backward": "micrograd's backward always seeds the output's grad with 1",
    "handed-out-grads-are-never-mutated": "micrograd's grads are Python numbers per element, gathered into a new array "
    "on every read: nothing handed out can be observed",
    "variable-rejects-non-ndarray": "the rule is DeZero's own input check; micrograd's Value wraps any number by design",
}
IMPORT_LINES = """from micrograd.engine import Value
Variable = lambda a: Value(a[()])  # 0-d arrays; n-d arrays map to ndarrays of Values, element by element
add, square = (lambda a, b: a + b), (lambda a: a ** 2)
# x.cleargrad() is x.grad = 0; grads start at 0"""


class MicrogradEngine(WithoutGradMode):
    """Drive micrograd through the suite's operations, element by element."""

    def __init__(self) -> None:
        self.value_type: Callable[[object], object] = import_engine(
            "micrograd.engine", "`pip install micrograd==0.1.0`, or `nox -s micrograd`").Value
        self.label = f"micrograd {version_of('micrograd')} (element by element)"

    def unsupported(self) -> Mapping[str, str]:
        """The grad-mode names, and DeZero's input check."""
        return UNSUPPORTED

    def variable(self, data: object) -> Handle:
        """A Value for a 0-d array, an ndarray of Values otherwise; anything else is wrapped as is."""
        if not isinstance(data, np.ndarray):
            return self.value_type(data)
        return _each(self.value_type, data)

    def add(self, x0: Handle, x1: Handle) -> Handle:
        """`x0 + x1`, element by element."""
        return _each(lambda a, b: a + b, x0, x1)

    def square(self, x: Handle) -> Handle:
        """`x ** 2`, element by element."""
        return _each(lambda a: a ** 2, x)

    def data(self, x: Handle) -> FloatArray:
        """The Values' data as an ndarray of their dtype."""
        return _gather(x, "data", None)

    def grad(self, x: Handle) -> FloatArray | None:
        """The Values' grads as an ndarray of the data's dtype (micrograd starts them at int 0)."""
        return _gather(x, "grad", self.data(x).dtype)

    def creator(self, x: Handle) -> object | None:
        """The `_backward` closure of x's op (of its first element), or None for a leaf."""
        first = x.flat[0] if isinstance(x, np.ndarray) else x
        return getattr(first, "_backward") if getattr(first, "_prev") else None

    def generation(self, node: object) -> int:
        """Declared unsupported: micrograd's Values have no generation."""
        raise MissingName("generation")

    def set_grad(self, x: Handle, grad: FloatArray) -> None:
        """Declared unsupported: micrograd's backward always seeds 1."""
        raise MissingName("grad")

    def backward(self, x: Handle, *, retain_grad: bool) -> None:
        """`v.backward()` on each element: micrograd keeps every grad whatever retain_grad says."""
        for value in _values(x):
            getattr(value, "backward")()

    def cleargrad(self, x: Handle) -> None:
        """`v.grad = 0` on each element, micrograd's zero_grad."""
        for value in _values(x):
            setattr(value, "grad", 0)

    def snippet_header(self) -> str:
        """How the counterexample's DeZero names map onto micrograd."""
        return f"import numpy as np\n{IMPORT_LINES}\n"


def _values(x: Handle) -> list[object]:
    return list(x.flat) if isinstance(x, np.ndarray) else [x]


def _each(op: Callable[..., object], *xs: Handle) -> Handle:
    """Apply `op` to corresponding elements; 0-d arrays and single Values give a single Value."""
    arrays = [x if isinstance(x, np.ndarray) else np.array(x, dtype=object) for x in xs]
    if arrays[0].ndim == 0:
        return op(*(a[()] for a in arrays))
    out = np.empty(arrays[0].shape, dtype=object)
    for index in np.ndindex(out.shape):
        out[index] = op(*(a[index] for a in arrays))
    return out


def _gather(x: Handle, attribute: str, dtype: np.dtype[np.floating] | None) -> FloatArray:
    shape = x.shape if isinstance(x, np.ndarray) else ()
    return np.array([getattr(v, attribute) for v in _values(x)], dtype=dtype).reshape(shape)
