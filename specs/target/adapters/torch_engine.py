"""The adapter for PyTorch: tensors from `torch.from_numpy` play Variables, grad mode plays Config.

Mapping: `Variable(a)` is `torch.from_numpy(a).requires_grad_()`; `y.backward()` is
`y.backward(torch.ones_like(y), retain_graph=True)` (DeZero keeps its graph and seeds ones);
`retain_grad=True` first calls `.retain_grad()` on every non-leaf tensor the adapter made that
y depends on; `cleargrad()` sets `.grad = None`; Config.enable_backprop is
`torch.is_grad_enabled()` / `torch.set_grad_enabled(v)`; `using_config("enable_backprop", v)` is
`torch.set_grad_enabled(v)` (which switches when made: the suite enters it at once).
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Final, cast

from specs.graphs.ir import FloatArray
from specs.target.adapters.importing import import_engine
from specs.target.adapters.protocol import Handle, MissingName

UNSUPPORTED: Final[Mapping[str, str]] = {
    "variable-rejects-non-ndarray": "torch has no tensor without data (`Variable(None)`), and which constructor plays "
    "Variable is a choice: torch.tensor takes any array-like, torch.from_numpy only ndarrays",
    "config-restored-after-exception": "half its scenarios raise from inside square on an object array, which no "
    "torch tensor can hold; operation-sequences-match-model leaves blocks by exceptions too",
    "generations-follow-the-graph": "torch numbers no generations: its autograd engine orders nodes by sequence number",
    "output-grad-set-beforehand-seeds-backward": "torch's backward takes its seed as an argument (the adapter passes "
    "ones); a .grad set beforehand is not a seed",
    "handed-out-grads-are-never-mutated": "the adapter reads torch's grads as copies (torch itself accumulates .grad in "
    "place), so the check would pass whatever torch did",
    "using-config-rejects-unknown-names": "torch has one grad-mode switch and no config names: the adapter, not torch, "
    "would reject a name",
    "using-config-reads-old-value-on-entry": "torch.set_grad_enabled, which plays using_config, switches when made",
    "no-grad-forward-memory-bounded": "tracemalloc sees numpy's allocations, not torch's CPU allocator, so the "
    "measurement would pass whatever torch kept",
}
IMPORT_LINES = """import torch
Variable = lambda a: torch.from_numpy(a).requires_grad_()
add, square, no_grad = torch.add, torch.square, torch.no_grad
# y.backward() is y.backward(torch.ones_like(y), retain_graph=True); retain_grad=True first calls
# .retain_grad() on the non-leaf tensors y depends on; x.cleargrad() is x.grad = None;
# Config.enable_backprop is torch.is_grad_enabled(); using_config('enable_backprop', v) is torch.set_grad_enabled(v)"""


class TorchEngine:
    """Drive PyTorch through the suite's operations."""

    def __init__(self) -> None:
        self.torch = import_engine("torch", "`pip install torch==2.13.0` (CPU), or `nox -s torch`")
        self.label = f"torch {self.torch.__version__}"
        self._made: dict[int, weakref.ref[object]] = {}  # live non-leaf tensors by id, for retain_grad=True

    def names(self) -> frozenset[str]:
        """Every name has a counterpart."""
        return frozenset({"Variable", "add", "square", "Config", "using_config", "no_grad"})

    def unsupported(self) -> Mapping[str, str]:
        """Properties whose observation has no torch counterpart (keyed by property id)."""
        return UNSUPPORTED

    def variable(self, data: object) -> Handle:
        """`torch.from_numpy(data).requires_grad_()`: a leaf sharing data's memory."""
        tensor = self.torch.from_numpy(data)
        return cast(object, tensor.requires_grad_() if tensor.is_floating_point() else tensor)

    def _made_here(self, tensor: object) -> object:
        # `is_leaf`, not `grad_fn is not None`: reading `.grad_fn` gives the autograd node a Python
        # object, and torch 2.13 frees a chain of such nodes recursively: past ~50,000 of them
        # (20,000 are fine) the C stack overflows and the process dies with SIGSEGV on release.
        if not getattr(tensor, "is_leaf"):
            key = id(tensor)
            self._made[key] = weakref.ref(tensor, lambda _: self._made.pop(key, None))
        return tensor

    def add(self, x0: Handle, x1: Handle) -> Handle:
        """`torch.add(x0, x1)`."""
        return self._made_here(self.torch.add(x0, x1))

    def square(self, x: Handle) -> Handle:
        """`torch.square(x)`."""
        return self._made_here(self.torch.square(x))

    def data(self, x: Handle) -> FloatArray:
        """`x.detach().numpy()`, copied."""
        return cast(FloatArray, getattr(x, "detach")().numpy().copy())

    def grad(self, x: Handle) -> FloatArray | None:
        """`x.grad` as an ndarray, without torch's warning about reading a non-leaf's grad."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            grad = getattr(x, "grad")
        return None if grad is None else cast(FloatArray, grad.detach().numpy().copy())

    def creator(self, x: Handle) -> object | None:
        """`x.grad_fn`."""
        return cast(object, getattr(x, "grad_fn"))

    def generation(self, node: object) -> int:
        """Declared unsupported: torch has no generation."""
        raise MissingName("generation")

    def set_grad(self, x: Handle, grad: FloatArray) -> None:
        """Declared unsupported: torch's backward takes its seed as an argument."""
        raise MissingName("grad")

    def backward(self, x: Handle, *, retain_grad: bool) -> None:
        """`x.backward(ones_like(x), retain_graph=True)`, after `.retain_grad()` on x's non-leaf ancestors."""
        if retain_grad:
            nodes = _graph_nodes(getattr(x, "grad_fn"))
            for ref in list(self._made.values()):
                tensor = ref()
                if tensor is not None and id(getattr(tensor, "grad_fn")) in nodes:
                    getattr(tensor, "retain_grad")()
        getattr(x, "backward")(self.torch.ones_like(x), retain_graph=True)

    def cleargrad(self, x: Handle) -> None:
        """`x.grad = None`."""
        setattr(x, "grad", None)

    def no_grad(self) -> AbstractContextManager[object]:
        """`torch.no_grad()`."""
        return cast(AbstractContextManager[object], self.torch.no_grad())

    def using_config(self, name: str, value: bool) -> AbstractContextManager[object]:
        """`torch.set_grad_enabled(value)` for "enable_backprop", torch's only such flag."""
        if name != "enable_backprop":
            raise AttributeError(f"torch has no config {name!r}")
        return cast(AbstractContextManager[object], self.torch.set_grad_enabled(value))

    def enable_backprop(self) -> bool:
        """`torch.is_grad_enabled()`."""
        return bool(self.torch.is_grad_enabled())

    def set_enable_backprop(self, value: bool) -> None:
        """`torch.set_grad_enabled(value)`, called as a function (this thread's grad mode)."""
        self.torch.set_grad_enabled(value)

    def snippet_header(self) -> str:
        """How the counterexample's DeZero names map onto torch."""
        return f"import numpy as np\n{IMPORT_LINES}\n"


def _graph_nodes(root: object) -> dict[int, object]:
    """Every autograd node reachable from `root`, by id, found without recursion."""
    seen: dict[int, object] = {}
    pending = [root] if root is not None else []
    while pending:
        node = pending.pop()
        if id(node) not in seen:
            seen[id(node)] = node
            pending.extend(parent for parent, _ in getattr(node, "next_functions") if parent is not None)
    return seen
