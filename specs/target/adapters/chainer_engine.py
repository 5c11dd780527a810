"""The adapter for Chainer 7, DeZero's ancestor: the same names, `F.add` and `F.square` as the ops,
`chainer.config` as Config and `no_backprop_mode` as no_grad.

Chainer seeds `backward()` only on one-element outputs and asks the caller to set `y.grad` on
larger ones; the adapter sets it to ones, as DeZero does itself. Chainer 7.8.1 needs numpy < 2.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np

from specs.target.adapters.dezero_style import DezeroStyle
from specs.target.adapters.importing import import_engine, version_of
from specs.target.adapters.protocol import Handle

UNSUPPORTED: Final[Mapping[str, str]] = {
    "using-config-rejects-unknown-names": "chainer's configuration is open by design: using_config sets any name",
    "config-restored-after-exception": "half its scenarios raise from inside square on an object array, and chainer's "
    "type check rejects object arrays (InvalidType) before square runs; operation-sequences-match-model leaves "
    "blocks by exceptions too",
}
IMPORT_LINES = """import chainer
import chainer.functions as F
from chainer import Variable, using_config, no_backprop_mode as no_grad
add, square, Config = F.add, F.square, chainer.config
# on an output of more than one element, y.backward() stands for: y.grad = np.ones_like(y.array); y.backward()"""


class ChainerEngine(DezeroStyle):
    """Drive Chainer through the book's names."""

    def __init__(self) -> None:
        chainer = import_engine("chainer", '`pip install wheel; pip install --no-build-isolation chainer==7.8.1 "numpy<2"`')
        functions = import_engine("chainer.functions", "")
        namespace = {
            "Variable": chainer.Variable,
            "add": functions.add,
            "square": functions.square,
            "Config": chainer.config,
            "using_config": chainer.using_config,
            "no_grad": chainer.no_backprop_mode,
        }
        super().__init__(namespace, f"chainer {version_of('chainer')}", IMPORT_LINES)

    def unsupported(self) -> Mapping[str, str]:
        """The exception-in-op probe, which chainer's type check stops before its op runs."""
        return UNSUPPORTED

    def generation(self, node: object) -> int:
        """`node.rank`, chainer's name for DeZero's generation (same rule), of a Variable or a FunctionNode."""
        return int(getattr(node, "rank"))

    def backward(self, x: Handle, *, retain_grad: bool) -> None:
        """`x.backward()`, first seeding `x.grad` with ones when x has more than one element."""
        if getattr(x, "grad") is None and getattr(x, "size") != 1:
            setattr(x, "grad", np.ones_like(getattr(x, "array")))
        super().backward(x, retain_grad=retain_grad)
