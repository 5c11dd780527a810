"""The adapter for JAX: values are jax arrays; `y.backward()` is `jax.vjp` of y's expression.

JAX is functional: its arrays record no graph and hold no grad. The adapter records which op
made each value (a `Recorded` handle around the jax array) so that `backward()` can replay y as
a function of the leaves it depends on and pull ones back through `jax.vjp`; the gradient itself
is JAX's. Leaves that y does not depend on are not arguments, so their grad stays None. The
properties about stored grads, graph modes and graph memory are not applicable. The adapter
turns on `jax_enable_x64`, or float64 leaves would be computed in float32.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np

from specs.graphs.ir import FloatArray
from specs.target.adapters.importing import import_engine
from specs.target.adapters.modeless import WithoutGradMode
from specs.target.adapters.protocol import Handle, MissingName

FUNCTIONAL: Final = "jax has no grad mode: it differentiates functions, and records nothing while computing"
UNSUPPORTED: Final[Mapping[str, str]] = {
    "Config": FUNCTIONAL,
    "no_grad": FUNCTIONAL,
    "using_config": FUNCTIONAL,
    "retain-grad-false-keeps-only-leaf-grads": "jax arrays hold no grad: only leaves get one, from vjp",
    "retain-grad-true-keeps-intermediate-grads": "jax arrays hold no grad: only leaves get one, from vjp",
    "grads-accumulate-across-backward-calls": "jax returns gradients; it keeps none to accumulate",
    "graph-freed-by-reference-counting": "jax records no graph to free",
    "generations-follow-the-graph": "jax records no graph, so nothing has a generation",
    "output-grad-set-beforehand-seeds-backward": "jax arrays hold no grad to seed with",
    "handed-out-grads-are-never-mutated": "jax returns new gradients and keeps none to accumulate",
    "variable-rejects-non-ndarray": "the rule is DeZero's own input check; jnp.asarray takes any array-like",
}
IMPORT_LINES = """import jax, jax.numpy as jnp
jax.config.update("jax_enable_x64", True)
Variable, add, square = jnp.asarray, jnp.add, jnp.square
# y.backward() is: leaves' grads = jax.vjp(f, *leaves)[1](jnp.ones_like(y)), f computing y from the leaves"""


class Recorded:
    """A jax array, the op that made it and its inputs; a leaf also gets the grad vjp gave it."""

    __slots__ = ("value", "op", "inputs", "grad", "__weakref__")

    def __init__(self, value: object, op: str = "", inputs: tuple[Recorded, ...] = ()) -> None:
        self.value, self.op, self.inputs = value, op, inputs
        self.grad: FloatArray | None = None


class JaxEngine(WithoutGradMode):
    """Drive JAX through the suite's operations, gradients by `jax.vjp`."""

    def __init__(self) -> None:
        self.jax = import_engine("jax", "`pip install jax==0.10.2 jaxlib==0.10.2`, or `nox -s jax`")
        self.jnp = import_engine("jax.numpy", "")
        self.jax.config.update("jax_enable_x64", True)
        self.label = f"jax {self.jax.__version__}"

    def unsupported(self) -> Mapping[str, str]:
        """Grad modes and the properties about stored grads and graphs."""
        return UNSUPPORTED

    def variable(self, data: object) -> Handle:
        """`jnp.asarray(data)`, recorded as a leaf."""
        return Recorded(self.jnp.asarray(data))

    def add(self, x0: Handle, x1: Handle) -> Handle:
        """`jnp.add(x0, x1)`, recorded."""
        assert isinstance(x0, Recorded) and isinstance(x1, Recorded)
        return Recorded(self.jnp.add(x0.value, x1.value), "add", (x0, x1))

    def square(self, x: Handle) -> Handle:
        """`jnp.square(x)`, recorded."""
        assert isinstance(x, Recorded)
        return Recorded(self.jnp.square(x.value), "square", (x,))

    def data(self, x: Handle) -> FloatArray:
        """The jax array as an ndarray."""
        assert isinstance(x, Recorded)
        return np.array(x.value)

    def grad(self, x: Handle) -> FloatArray | None:
        """The grad the last vjp gave a leaf; None for anything else."""
        assert isinstance(x, Recorded)
        return x.grad

    def creator(self, x: Handle) -> object | None:
        """None: jax records no Function."""
        return None

    def generation(self, node: object) -> int:
        """Declared unsupported: jax records no graph."""
        raise MissingName("generation")

    def set_grad(self, x: Handle, grad: FloatArray) -> None:
        """Declared unsupported: jax arrays hold no grad."""
        raise MissingName("grad")

    def backward(self, y: Handle, *, retain_grad: bool) -> None:
        """Set each leaf y depends on to its grad: vjp of the replayed expression, pulled back from ones."""
        assert isinstance(y, Recorded)
        order = _topological(y)
        leaves = [node for node in order if not node.op]

        def replay(*leaf_values: object) -> object:
            values = {id(leaf): value for leaf, value in zip(leaves, leaf_values)}
            for node in order:
                if node.op == "add":
                    values[id(node)] = self.jnp.add(values[id(node.inputs[0])], values[id(node.inputs[1])])
                elif node.op == "square":
                    values[id(node)] = self.jnp.square(values[id(node.inputs[0])])
            return values[id(y)]

        output, pullback = self.jax.vjp(replay, *(leaf.value for leaf in leaves))
        for leaf, grad in zip(leaves, pullback(self.jnp.ones_like(output))):
            leaf.grad = np.array(grad)

    def cleargrad(self, x: Handle) -> None:
        """Forget a leaf's grad."""
        assert isinstance(x, Recorded)
        x.grad = None

    def snippet_header(self) -> str:
        """How the counterexample's DeZero names map onto jax."""
        return f"import numpy as np\n{IMPORT_LINES}\n"


def _topological(y: Recorded) -> list[Recorded]:
    """y's ancestors and y, inputs before the values made from them, found without recursion."""
    order: list[Recorded] = []
    state: dict[int, bool] = {}  # False: being visited; True: placed
    stack: list[tuple[Recorded, bool]] = [(y, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            state[id(node)] = True
        elif id(node) not in state:
            state[id(node)] = False
            stack.append((node, True))
            stack.extend((parent, False) for parent in node.inputs if id(parent) not in state)
    return order
