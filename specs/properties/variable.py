"""Core property: Variable accepts ndarrays (and None) and rejects everything else."""

from __future__ import annotations

from typing import Final

import numpy as np

from specs.adapters.protocol import Engine
from specs.properties.base import Property, Violation, trial_maker
from specs.strategies import non_ndarrays


def check_rejects(engine: Engine, value: object) -> None:
    """`Variable(value)` raises TypeError; `Variable(ndarray)` and `Variable(None)` do not."""
    try:
        engine.variable(value)
    except TypeError:
        pass
    else:
        raise Violation(
            f"Variable({value!r}) was accepted; a {type(value).__name__} is not an np.ndarray",
            "# expected TypeError",
        )
    for accepted in (np.array(1.0), np.zeros((2, 1), dtype=np.float32), None):
        try:
            engine.variable(accepted)
        except TypeError as error:
            raise Violation(f"Variable({accepted!r}) raised TypeError: {error}", "") from None


def _code(value: object) -> str:
    return f"Variable({value!r})  # should raise TypeError\n"


def _describe(value: object) -> tuple[frozenset[str], int]:
    return frozenset({type(value).__name__}), 0


_trial = trial_maker(check_rejects, _code, _describe)

PROPERTIES: Final = (
    Property(
        id="variable-rejects-non-ndarray",
        tier="core",
        summary="Variable(data) raises TypeError unless data is an np.ndarray or None",
        needs=frozenset({"Variable"}),
        trials=non_ndarrays().map(_trial),
        examples=tuple(_trial(v) for v in (1.0, 1, [1.0, 2.0], np.float64(1.0), "1")),
        max_examples=50,
    ),
)
