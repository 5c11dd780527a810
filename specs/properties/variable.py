"""Core property: Variable accepts ndarrays (and None) and rejects everything else."""

from __future__ import annotations

import math
from typing import Final

import numpy as np

from specs.adapters.protocol import Engine
from specs.properties.base import Property, Violation, trial_maker
from specs.strategies import non_ndarrays

ACCEPTED: Final = ((np.array(1.0), "np.array(1.0)"), (np.zeros((2, 1), dtype=np.float32),
                   "np.zeros((2, 1), dtype=np.float32)"), (None, "None"))


def check_rejects(engine: Engine, value: object) -> None:
    """`Variable(value)` raises TypeError; `Variable(ndarray)` and `Variable(None)` do not."""
    try:
        engine.variable(value)
    except TypeError:
        pass
    else:
        raise Violation(
            f"Variable({value_code(value)}) was accepted; a {type(value).__name__} is not an np.ndarray",
            f"x = Variable({value_code(value)})  # expected TypeError: it was accepted",
            lambda replayed: replayed.raised is None,
        )
    for accepted, code in ACCEPTED:
        try:
            engine.variable(accepted)
        except TypeError as error:
            raise Violation(
                f"Variable({code}) raised TypeError ({error}); an np.ndarray or None must be accepted",
                f"x = Variable({code})  # raised TypeError; expected a Variable",
                lambda replayed: isinstance(replayed.raised, TypeError),
            ) from None


def value_code(value: object) -> str:
    """Python source that rebuilds `value` (infinities and numpy scalars included)."""
    if isinstance(value, np.generic):
        return f"np.{type(value).__name__}({value_code(value.item())})"
    if isinstance(value, float) and not math.isfinite(value):
        return f"float({str(value)!r})"
    if isinstance(value, list | tuple):
        items = ", ".join(value_code(v) for v in value)
        return f"[{items}]" if isinstance(value, list) else f"({items}{',' if len(value) == 1 else ''})"
    return repr(value)


def _code(value: object) -> str:
    return ""


def _action(value: object) -> str:
    """The whole check as code: shown when the target raises something other than TypeError."""
    accepted = "".join(f"x = Variable({code})\n" for _, code in ACCEPTED)
    return f"try:\n    x = Variable({value_code(value)})\nexcept TypeError:\n    pass  # expected\n{accepted}"


def _describe(value: object) -> tuple[frozenset[str], int]:
    return frozenset({type(value).__name__}), 0


_trial = trial_maker(check_rejects, _code, _describe, _action)

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
