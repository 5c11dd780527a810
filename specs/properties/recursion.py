"""Core property: backward over a chain deeper than Python's default recursion limit works."""

from __future__ import annotations

from typing import Final

import numpy as np
from hypothesis import strategies as st

from specs.graphs.snippets import short
from specs.properties.base import Property, Violation, trial_maker
from specs.target.adapters.protocol import Engine

DEPTH: Final = 5_000  # past the default limit (1,000) and past the ~2,000 frames Hypothesis adds to it


def check_no_recursion(engine: Engine, _: None) -> None:
    """Backward over a chain of DEPTH adds gives x.grad = DEPTH + 1 without a RecursionError."""
    x = engine.variable(np.array(1.0))
    y = x
    for _step in range(DEPTH):
        y = engine.add(y, x)
    try:
        engine.backward(y, retain_grad=False)
    except RecursionError as error:
        raise Violation(
            f"y.backward() on a chain of {DEPTH:,} adds raised RecursionError ({error}): a recursive topological "
            "sort or a recursive backward; step 18 walks the graph with a loop over a list of functions",
            "y.backward()  # raised RecursionError",
        ) from None
    got = engine.grad(x)
    if got is None or got.shape != () or got != DEPTH + 1:
        raise Violation(f"x.grad is {short(got)} after backward over the chain, expected {DEPTH + 1}.0",
                        f"y.backward()\nprint(x.grad)  # expected {DEPTH + 1}.0")


def _code(_: None) -> str:
    return f"x = Variable(np.array(1.0))\ny = x\nfor _ in range({DEPTH}):\n    y = add(y, x)\n"


_trial = trial_maker(check_no_recursion, _code, action=lambda _: "y.backward()\n")

PROPERTIES: Final = (
    Property(
        id="backward-needs-no-recursion",
        tier="core",
        summary=f"backward over a chain of {DEPTH:,} adds, past Python's recursion limit, gives the right grad",
        needs=frozenset({"Variable", "add"}),
        trials=st.just(None).map(_trial),
        max_examples=1,
        time_scale=10.0,  # a generous cap: under load, building 5,000 nodes and unwinding a RecursionError is slow
    ),
)
