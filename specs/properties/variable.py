"""Core properties: Variable accepts every ndarray (and None) and rejects everything else."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final

import numpy as np
from hypothesis import strategies as st

from specs.graphs.snippets import print_check
from specs.graphs.strategies import non_ndarrays
from specs.properties.base import Property, Violation, trial_maker
from specs.target.adapters.protocol import Engine, Handle


class AVariable:
    """Stands for `Variable(np.array(1.0))` made by the target itself: a Variable is not an ndarray."""

    def __repr__(self) -> str:
        return "Variable(np.array(1.0))"


A_VARIABLE: Final = AVariable()


def _argument(engine: Engine, value: object) -> object:
    return engine.variable(np.array(1.0)) if isinstance(value, AVariable) else value


def check_rejects(engine: Engine, value: object) -> None:
    """`Variable(value)` raises TypeError; `Variable(ndarray)` and `Variable(None)` do not."""
    call = f"Variable({value_code(value)})"
    try:
        engine.variable(_argument(engine, value))
    except TypeError:
        pass
    except Exception as error:
        raise Violation(f"{call} raised {type(error).__name__}: {error}; a non-ndarray must raise TypeError",
                        f"x = {call}  # raised {type(error).__name__}; expected TypeError",
                        lambda replayed: replayed.raised is not None and not isinstance(replayed.raised, TypeError),
                        ) from None
    else:
        kind = "a Variable" if isinstance(value, AVariable) else f"a {type(value).__name__}"
        raise Violation(f"{call} was accepted; {kind} is not an np.ndarray",
                        f"x = {call}  # expected TypeError: it was accepted",
                        lambda replayed: replayed.raised is None)
    for accepted, code in ((np.array(1.0), "np.array(1.0)"), (np.zeros((2, 1), dtype=np.float32),
                           "np.zeros((2, 1), dtype=np.float32)"), (None, "None")):
        try:
            engine.variable(accepted)
        except Exception as error:
            raise Violation(f"Variable({code}) raised {type(error).__name__}: {error}; it must be accepted",
                            f"x = Variable({code})  # raised {type(error).__name__}; expected a Variable",
                            lambda replayed: replayed.raised is not None) from None


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


def _reject_code(_: object) -> str:
    return ""


def _reject_action(value: object) -> str:
    return f"x = Variable({value_code(value)})\n"


def _describe(value: object) -> tuple[frozenset[str], int]:
    return frozenset({type(value).__name__}), 0


class MyArray(np.ndarray):  # a learner's own subclass, as in the snippet
    """A user-defined ndarray subclass."""


ACCEPTED: Final[dict[str, Callable[[], object]]] = {
    "np.array(2.0)": lambda: np.array(2.0),
    "np.array([1, 2])": lambda: np.array([1, 2]),
    "np.array([True, False])": lambda: np.array([True, False]),
    "np.array([0.5, 1.5], dtype=np.float16)": lambda: np.array([0.5, 1.5], dtype=np.float16),
    "np.array(1.5, dtype=np.float32)": lambda: np.array(1.5, dtype=np.float32),
    "np.zeros(0)": lambda: np.zeros(0),
    "np.zeros((2, 0))": lambda: np.zeros((2, 0)),
    "np.ma.masked_array([1.0, 2.0], mask=[False, True])": lambda: np.ma.masked_array([1.0, 2.0], mask=[False, True]),
    "np.zeros(2).view(MyArray)": lambda: np.zeros(2).view(MyArray),
    "np.arange(6.0)[::2]": lambda: np.arange(6.0)[::2],
    "np.ones((2, 3), order='F')": lambda: np.ones((2, 3), order="F"),
    "None": lambda: None,
}
SUBCLASS_CODE: Final = "class MyArray(np.ndarray):\n    pass\n"


def check_accepts(engine: Engine, code: str) -> None:
    """`Variable(a)` accepts any ndarray `a` (or None) and keeps its dtype, shape and values as `data`."""
    value = ACCEPTED[code]()
    try:
        handle: Handle = engine.variable(value)
    except Exception as error:
        raise Violation(f"Variable({code}) raised {type(error).__name__}: {error}; every np.ndarray (subclasses, "
                        "int, bool, float16 and empty arrays included) and None are accepted",
                        f"x = Variable({code})  # raised {type(error).__name__}; expected no error",
                        lambda replayed: replayed.raised is not None) from None
    if not isinstance(value, np.ndarray):
        return
    got = engine.data(handle)
    want = np.asarray(value)
    if got.dtype != want.dtype or got.shape != want.shape or not np.array_equal(np.asarray(got), want):
        raise Violation(f"Variable({code}).data is {np.asarray(got)!r} ({got.dtype}), expected the array given: "
                        f"{want!r} ({want.dtype})",
                        f"x = Variable({code})\n" + print_check("x.data", want, np.asarray(got)))


def _accept_code(code: str) -> str:
    return SUBCLASS_CODE if "MyArray" in code else ""


_reject_trial = trial_maker(check_rejects, _reject_code, _describe, _reject_action)
_accept_trial = trial_maker(check_accepts, _accept_code, lambda code: (frozenset({code}), 0),
                            lambda code: f"x = Variable({code})\n")

PROPERTIES: Final = (
    Property(
        id="variable-rejects-non-ndarray",
        tier="core",
        summary="Variable(data) raises TypeError unless data is an np.ndarray or None (a Variable included)",
        needs=frozenset({"Variable"}),
        trials=st.one_of(non_ndarrays(), st.just(A_VARIABLE)).map(_reject_trial),
        examples=tuple(_reject_trial(v) for v in (1.0, A_VARIABLE, 1, [1.0, 2.0], np.float64(1.0), "1")),
        max_examples=50,
    ),
    Property(
        id="variable-accepts-every-ndarray",
        tier="core",
        summary="Variable(a) accepts every np.ndarray (subclasses, int, bool, float16, empty) and None, keeping a",
        needs=frozenset({"Variable"}),
        trials=st.sampled_from(tuple(ACCEPTED)).map(_accept_trial),
        examples=tuple(_accept_trial(code) for code in ACCEPTED),
        max_examples=len(ACCEPTED),
    ),
)
