"""Run a counterexample snippet once more: to verify it and to read what the target left.

A snippet is a promise: before the report prints it, the exact code is run against the target
in a fresh copy of its namespace (output thrown away), and the failure must show again: the
same exception, or the check's wrong value. What it printed is recorded (the objects, not
text), with what it raised and the namespace it left, so a property can judge its own check.
The picture of a counterexample shows the target's own values and grads from the same run.
The cyclic collector's state and `Config.enable_backprop` are put back afterwards: a
notebook's session goes on.
"""

from __future__ import annotations

import builtins
import contextlib
import gc
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final, TypeAlias

import numpy as np

from specs.graphs.snippets import printed
from specs.target.adapters.protocol import Engine
from specs.target.watchdog import TargetHang, time_limit


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


class Shown(str):
    """What the snippet's `repr(obj)` returned, still holding `obj` (the replay's `repr`)."""

    obj: object


@dataclass
class Replayed:
    """One run of a snippet: the namespace it left, what it printed and what it raised."""

    scope: dict[str, object]
    printed: list[tuple[object, ...]] = field(default_factory=list)  # each print's arguments, `repr`s unwrapped
    raised: BaseException | None = None
    hung: bool = False

    def last(self) -> object:
        """The last thing the snippet printed: the check's value (None when it printed nothing)."""
        return self.printed[-1][0] if self.printed and self.printed[-1] else None


Reproduces: TypeAlias = Callable[[Replayed], bool]  # does this run show the failure again?


def replay(engine: Engine, snippet: str, seconds: float) -> Replayed:
    """Run `snippet` once in a fresh copy of the target's namespace, graph building on as every example starts."""
    namespace = getattr(engine, "namespace", None)
    scope: dict[str, object] = dict(namespace) if isinstance(namespace, Mapping) else {}
    done = Replayed(scope)

    def recording_print(*args: object, **kwargs: object) -> None:
        done.printed.append(tuple(a.obj if isinstance(a, Shown) else a for a in args))

    def keeping_repr(obj: object) -> Shown:
        shown = Shown(builtins.repr(obj))
        shown.obj = obj
        return shown

    scope["print"], scope["repr"] = recording_print, keeping_repr
    gc_was_on = gc.isenabled()
    flag = _flag(engine)
    if flag is not None:
        _set_flag(engine, True)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            with time_limit(seconds):
                exec(compile(snippet, "<counterexample>", "exec"), scope)
    except TargetHang:
        done.hung = True
    except BaseException as error:  # the snippet shows the failure: often by raising, as the target did
        done.raised = error
    finally:
        if gc_was_on:
            gc.enable()
        if flag is not None:
            _set_flag(engine, flag)
    return done


def observe(engine: Engine, snippet: str, names: Iterable[str], seconds: float,
            replayed: Replayed | None = None) -> dict[str, Seen]:
    """What each of `names` holds after running `snippet` (or after the run `replayed` already made)."""
    scope = (replayed or replay(engine, snippet, seconds)).scope
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


_LITERALS: Final = {"array": np.array, "float32": np.float32, "float64": np.float64, "nan": np.nan, "inf": np.inf,
                    "True": True, "False": False, "None": None}


def _expected_line(snippet: str) -> int | None:
    """The index of the snippet's last `print(...)  # expected ...` line, if any."""
    lines = snippet.splitlines()
    found = [i for i, line in enumerate(lines) if "print(" in line and "# expected " in line]
    return found[-1] if found else None


def _expected_text(line: str) -> str:
    return line.split("# expected ", 1)[1].split(", got ")[0].strip()


def expected_comment(snippet: str) -> Reproduces | None:
    """A judge for a snippet whose last print says `# expected TEXT`: the replay printed something else.

    TEXT is what the print shows for a correct engine (numpy's default print options): a print of
    `np.asarray(...)`, or a literal (a number, None, True or False). None for a description
    ("a Function, not None"), which only a property's own judge can compare.
    """
    index = _expected_line(snippet)
    if index is None:
        return None
    line = snippet.splitlines()[index]
    text = _expected_text(line)
    if "np.asarray(" not in line:
        try:
            eval(text, {"__builtins__": {}}, dict(_LITERALS))  # literals only: no builtins, no names
        except Exception:
            return None
    return lambda replayed: (replayed.raised is None and bool(replayed.printed)
                             and printed(*replayed.printed[-1]) != text)


def with_got(snippet: str, replayed: Replayed) -> str:
    """The snippet with its last `# expected W` print saying what the replay printed there: `, got G`.

    Only a plain value is shown (an array, a number, None, a bool, a dtype): an object's repr holds an
    address that differs on every run. Nothing is added when the replay printed W itself.
    """
    index = _expected_line(snippet)
    if index is None or replayed.raised is not None or not replayed.printed:
        return snippet
    args = replayed.printed[-1]
    if not all(isinstance(a, _PLAIN) for a in args):
        return snippet
    lines = snippet.splitlines(keepends=True)
    line = lines[index].rstrip("\n")
    code, comment = line.split("# expected ", 1)
    want, got = _expected_text(line), printed(*args)
    lines[index] = f"{code}# expected {want}" + (f", got {got}" if got != want else "") + "\n"
    return "".join(lines)


_PLAIN: Final = (np.ndarray, np.generic, np.dtype, int, float, bool, str, type(None), list)
