"""Run a counterexample snippet once more and read what the target left in each Variable.

The picture of a counterexample shows the target's own values and grads, so the snippet (the
exact code the report prints) is run in a copy of the target's namespace, its output thrown
away; whatever it raises, the Variables made so far are still read. The cyclic collector's
state and `Config.enable_backprop` are put back afterwards: a notebook's session goes on.
"""

from __future__ import annotations

import contextlib
import gc
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from specs.adapters.protocol import Engine
from specs.watchdog import TargetHang, time_limit


@dataclass(frozen=True, slots=True)
class Seen:
    """One Variable as the target left it: data, grad (None: grad None) and whether it has a creator."""

    shape: tuple[int, ...]
    dtype: str
    data: str
    grad: str | None
    recorded: bool


def brief(array: np.ndarray) -> str:
    """A short, one-line rendering of an array's values for a picture's label."""
    values = np.asarray(array)
    if values.ndim == 0:
        return f"{values.item():.6g}" if values.dtype.kind in "fiu" else repr(values.item())
    return " ".join(np.array2string(values, threshold=6, edgeitems=2, precision=5, separator=", ").split())


def observe(engine: Engine, snippet: str, names: Iterable[str], seconds: float) -> dict[str, Seen]:
    """Run `snippet` against `engine` and return what each of `names` holds afterwards."""
    namespace = getattr(engine, "namespace", None)
    scope: dict[str, object] = dict(namespace) if isinstance(namespace, Mapping) else {}
    gc_was_on = gc.isenabled()
    flag = _flag(engine)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            with time_limit(seconds):
                exec(compile(snippet, "<counterexample>", "exec"), scope)
    except (Exception, SystemExit, GeneratorExit, TargetHang):
        pass  # the snippet shows the failure: often by raising, as the target did
    finally:
        if gc_was_on:
            gc.enable()
        if flag is not None:
            _set_flag(engine, flag)
    found = {}
    for name in names:
        if name in scope:
            seen = _read(engine, scope[name])
            if seen is not None:
                found[name] = seen
    return found


def _read(engine: Engine, handle: object) -> Seen | None:
    try:
        data = engine.data(handle)
        grad = engine.grad(handle)
        recorded = engine.creator(handle) is not None
    except Exception:  # not a Variable of this engine, or one it cannot show
        return None
    return Seen(tuple(data.shape), str(data.dtype), brief(data), None if grad is None else brief(grad), recorded)


def _flag(engine: Engine) -> bool | None:
    try:
        flag = engine.enable_backprop()
    except Exception:
        return None
    return flag if isinstance(flag, bool) else None  # a str 'False' is not put back


def _set_flag(engine: Engine, value: bool) -> None:
    with contextlib.suppress(Exception):
        engine.set_enable_backprop(value)
