"""Core property: backward over a chain deeper than Python's default recursion limit works."""

from __future__ import annotations

from typing import Final

import numpy as np
from hypothesis import strategies as st

from specs.graphs.snippets import print_check, printed
from specs.properties.base import Property, Violation, reading, trial_maker
from specs.target.adapters.protocol import Engine

DEPTH: Final = 5_000  # past the default limit (1,000) and past the ~2,000 frames Hypothesis adds to it


def check_no_recursion(engine: Engine, _: None) -> None:
    """Backward over a chain of DEPTH adds, each of a new leaf, finishes and gives x.grad = 1.

    Only recursion is judged: every Variable gets one grad and no value passes DEPTH + 1, so a
    grad overwritten or accumulated wrongly (which the graph properties report) changes nothing here.
    """
    x = engine.variable(np.array(1.0))
    y = x
    for _step in range(DEPTH):
        y = engine.add(y, engine.variable(np.array(1.0)))
    try:
        engine.backward(y, retain_grad=False)
    except RecursionError as error:
        raise Violation(
            f"y.backward() on a chain of {DEPTH:,} adds raised RecursionError ({error}): a recursive topological "
            "sort or a recursive backward; step 18 walks the graph with a loop over a list of functions",
            "y.backward()  # raised RecursionError",
        ) from None
    got, want = engine.grad(x), np.array(1.0)
    if got is None or np.shape(got) != () or got != want:
        raise Violation(f"x.grad is {printed(np.asarray(got))} after backward over the chain of {DEPTH:,} adds, "
                        "expected 1.0",
                        "y.backward()\n" + print_check("x.grad", want, got),
                        reading(engine.grad, "x", lambda grad: grad is None or np.shape(grad) != () or grad != want))


def _code(_: None) -> str:
    return f"x = Variable(np.array(1.0))\ny = x\nfor _ in range({DEPTH}):\n    y = add(y, Variable(np.array(1.0)))\n"


_trial = trial_maker(check_no_recursion, _code, action=lambda _: "y.backward()\n")

PROPERTIES: Final = (
    Property(
        id="backward-needs-no-recursion",
        tier="core",
        summary=f"backward over a chain of {DEPTH:,} adds, past Python's recursion limit, reaches its first input",
        needs=frozenset({"Variable", "add"}),
        trials=st.just(None).map(_trial),
        max_examples=1,
        time_scale=10.0,  # a generous cap: under load, building 5,000 nodes and unwinding a RecursionError is slow
    ),
)
