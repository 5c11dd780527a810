"""Targeted experiments: a few calls on a freshly loaded target whose outcomes confirm (or rule out) a likely cause.

They run once, right after loading, in the process that loaded the target, each under a time
limit and catching everything the target raises: a broken or hostile target costs an
experiment, never the check. What they show is carried to the report as plain strings, under
these keys (each present only when its experiment could run):

- `variable-none`, `variable-float`, `variable-numpy-scalar`: what `Variable(None)`,
  `Variable(1.0)` and `Variable(np.float64(4.0))` did ("accepted", or "raised TypeError: ...");
- `function-0d-forward`, `function-scalar-forward`: what the target's `Function.__call__` did
  with a forward returning `np.array(4.0)`, and one returning the numpy scalar `np.float64(4.0)`
  (as `x ** 2` does on a 0-d array): "returned a Variable", "returned None", "raised ...";
- `as-array`: "defined" when the target has a callable `as_array`, else "missing";
- `square`, `add`: what `square(x)` and `add(x, x)` returned (as above);
- `function-no-grad`, `square-no-grad`, `add-no-grad`: the same inside `no_grad()`, with
  "returned a Variable with no creator" or "... with a creator";
- `shared-function-runs`: how many times `y0 = square(x)`'s Function ran its `backward` during
  `add(y0, y0).backward(retain_grad=True)` ("ran 1 time" for the book's code: each function once);
- `function-outputs`: how a `Function` keeps its outputs ("weak references", or "held as list, ...");
- `no-grad-flag`: `Config.enable_backprop` read inside `no_grad()` ("False" for the book's code);
- `return-under-backprop-if`: "line N" when every `return` of `Function.__call__` is inside an
  `if` on `enable_backprop` (read from its code);
- `variable-attributes`, `function-attributes`: the attributes their instances get, read from the
  classes' code by the API probe (absent when that cannot be known);
- `stale-function`: the classes ("Add, Square") whose base `Function` is not the namespace's
  current `Function` (a notebook that defined `Function` again after them);
- `load-failure-binds:NAME`: a name the target lacks that a cell or statement which raised
  while loading would have defined, and that failure's summary.

Config.enable_backprop is put back as it was after every experiment.
"""

from __future__ import annotations

import ast
import inspect
import json
import os
import select
import signal
import textwrap
import time
import types
import warnings
import weakref
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from typing import Final

import numpy as np

from specs.target.execution import Failure
from specs.target.probe import instance_attributes
from specs.target.watchdog import time_limit

SECONDS: Final = 1.0  # per experiment: the book's code takes microseconds
BUDGET: Final = 3  # experiments' time limits for all of them: well inside the load's time limit
_LONGEST: Final = 200  # characters of an outcome: a hostile target's message is cut


def gather(namespace: Mapping[str, object], ops: Mapping[str, Callable[..., object]],
           failures: Iterable[Failure] = (), *, seconds: float = SECONDS) -> dict[str, str]:
    """Run the experiments on the target's names (`ops`: its `add` and `square`, or the probe's); their outcomes.

    `failures` are the cells or statements that raised while loading; `seconds` limits each experiment (and
    three times that, all of them: the rest are skipped).
    """
    found: dict[str, str] = {}
    variable, function = namespace.get("Variable"), namespace.get("Function")
    config = namespace.get("Config")
    flag = _flag(config)

    deadline = time.monotonic() + BUDGET * seconds

    def attempt(key: str, experiment: Callable[[], str], longest: int = _LONGEST) -> None:
        left = min(seconds, deadline - time.monotonic())
        if left <= 0:
            return  # a target that hangs in every experiment: the load must not wait for all of them
        try:  # the target's own warnings (an overflow in its forward) are not the learner's to read here
            with time_limit(left), warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                found[key] = experiment()[:longest]
        except BaseException as error:  # whatever the target raised is the outcome
            found[key] = _raised(error)
        finally:
            if flag is not None:
                _restore(config, flag)

    found["as-array"] = "defined" if callable(namespace.get("as_array")) else "missing"
    if callable(variable):
        attempt("variable-none", lambda: _accepted(variable(None)))
        attempt("variable-float", lambda: _accepted(variable(1.0)))
        attempt("variable-numpy-scalar", lambda: _accepted(variable(np.float64(4.0))))
        _ops(namespace, variable, function, ops, attempt)
    if isinstance(function, type):
        attempt("return-under-backprop-if", lambda: _return_under_backprop_if(function))
        attempt("stale-function", lambda: ", ".join(_stale_subclasses(namespace, function)))
    for owner, cls in (("variable", variable), ("function", function)):
        if isinstance(cls, type):
            attempt(f"{owner}-attributes", lambda: _attributes(cls), longest=2000)  # run at once: `cls` is this one
    for key in ("return-under-backprop-if", "stale-function", "variable-attributes", "function-attributes",
                "function-outputs", "shared-function-runs"):
        if not found.get(key) or found[key].startswith("raised"):  # kept only when known (a count needs a run)
            found.pop(key, None)
    for failure in failures:
        for name in sorted(failure.binds - set(namespace))[:20]:
            found.setdefault(f"load-failure-binds:{name}", failure.summary()[:_LONGEST])
    return found


def gather_apart(namespace: Mapping[str, object], ops: Mapping[str, Callable[..., object]],
                 failures: Iterable[Failure] = (), *, seconds: float = SECONDS) -> dict[str, str]:
    """`gather` in a forked child, so that a target which kills or hangs its process costs the evidence only.

    A `square` that calls `os._exit`, crashes the interpreter or ignores the watchdog must fail the
    properties that call it, not the load; the child's state (counters, caches the experiments
    filled) is thrown away with it. Without `os.fork` the experiments run here.
    """
    if not hasattr(os, "fork"):
        return gather(namespace, ops, failures, seconds=seconds)
    failures = list(failures)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, send the outcomes as one JSON text, leave without cleanup
        os.close(read)
        try:
            os.write(write, json.dumps(gather(namespace, ops, failures, seconds=seconds)).encode())
        finally:
            os._exit(0)
    os.close(write)
    deadline = time.monotonic() + BUDGET * seconds + 2.0  # the experiments' own budget, and time to start
    received = b""
    try:
        while (left := deadline - time.monotonic()) > 0 and select.select([read], [], [], left)[0]:
            chunk = os.read(read, 65536)
            if not chunk:
                break
            received += chunk
    finally:
        os.close(read)
        if os.waitpid(pid, os.WNOHANG) == (0, 0):  # still running: a hang the watchdog could not stop
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    try:
        found = json.loads(received.decode())
    except ValueError:  # the child died or hung before it answered: no evidence, never a guess
        return {}
    return {str(key): str(value) for key, value in found.items()} if isinstance(found, dict) else {}


def _ops(namespace: Mapping[str, object], variable: Callable[..., object], function: object,
         ops: Mapping[str, Callable[..., object]], attempt: Callable[[str, Callable[[], str]], None]) -> None:
    """The experiments that build graphs: through `Function.__call__` itself, then `square` and `add`."""
    no_grad, config = namespace.get("no_grad"), namespace.get("Config")

    def leaf() -> object:
        return variable(np.array(2.0))

    def twice(x: object) -> object:
        return ops["add"](x, x)

    calls: dict[str, Callable[[], object]] = {}
    if isinstance(function, type):
        calls["function-0d-forward"] = lambda: _made(function, np.array(4.0))()(leaf())
        calls["function-scalar-forward"] = lambda: _made(function, np.float64(4.0))()(leaf())
    if "square" in ops:
        calls["square"] = lambda: ops["square"](leaf())
    if "add" in ops:
        calls["add"] = lambda: twice(leaf())
    if "add" in ops and "square" in ops:
        attempt("shared-function-runs", lambda: _runs_of_shared_function(ops, leaf()))
    if isinstance(function, type):
        attempt("function-outputs", lambda: _outputs(_made(function, np.array(4.0))()(leaf())))
    if callable(no_grad) and config is not None:
        attempt("no-grad-flag", _outcome(lambda: getattr(config, "enable_backprop"), variable, no_grad, flag=True))
    for key, call in calls.items():
        attempt(key, _outcome(call, variable))
        if callable(no_grad) and key != "function-scalar-forward":
            name = "function-no-grad" if key.startswith("function") else f"{key}-no-grad"
            attempt(name, _outcome(call, variable, no_grad))


def _runs_of_shared_function(ops: Mapping[str, Callable[..., object]], x: object) -> str:
    """How often the Function of `y0 = square(x)` runs backward when `y0` reaches the output twice (`add(y0, y0)`)."""
    y0 = ops["square"](x)
    creator = getattr(y0, "creator")
    backward = getattr(creator, "backward")
    runs = 0

    def counted(*gys: object) -> object:
        nonlocal runs
        runs += 1
        return backward(*gys)

    setattr(creator, "backward", counted)  # on this one object only: the class is untouched
    getattr(ops["add"](y0, y0), "backward")(retain_grad=True)
    return f"ran {runs} time{'' if runs == 1 else 's'}"


def _outcome(call: Callable[[], object], variable: object, no_grad: Callable[[], object] | None = None, *,
             flag: bool = False) -> Callable[[], str]:
    """An experiment: what `call` returned (inside `no_grad()` when given, with whether it got a creator; with
    `flag`, the repr of the value itself: `Config.enable_backprop` as read inside the block)."""
    def experiment() -> str:
        if no_grad is None:
            return _returned(call(), variable)
        made = no_grad()
        if not isinstance(made, AbstractContextManager):
            return f"no_grad() returned a {type(made).__name__}, not a context manager"
        with made:
            out = call()
        if flag:
            return repr(out)[:_LONGEST]
        returned = _returned(out, variable)
        if returned != "returned a Variable":
            return returned
        return returned + (" with no creator" if getattr(out, "creator", None) is None else " with a creator")
    return experiment


def _outputs(output: object) -> str:
    """How a Function keeps the outputs of the call that made `output`: "weak references", or their types."""
    kept = getattr(getattr(output, "creator", None), "outputs", None)
    if not isinstance(kept, list | tuple) or not kept:
        return ""
    if all(isinstance(o, weakref.ref) for o in kept):
        return "weak references"
    return "held as " + ", ".join(sorted({type(o).__name__ for o in kept}))


def _made(function: type, value: object) -> type:
    """A subclass of the target's `Function` whose forward returns `value` whatever it is given."""
    return type("Experiment", (function,), {"forward": lambda self, *xs: value, "backward": lambda self, gy: gy})


def _returned(value: object, variable: object) -> str:
    if value is None:
        return "returned None"
    if isinstance(variable, type) and isinstance(value, variable):
        return "returned a Variable"
    return f"returned a {type(value).__name__}"


def _accepted(value: object) -> str:
    return "accepted"


def _raised(error: BaseException) -> str:
    try:
        text = " ".join(str(error).split())
    except BaseException:  # an exception whose str() raises: its type is all there is to say
        text = ""
    return f"raised {type(error).__name__}: {text}" if text else f"raised {type(error).__name__}"


def _flag(config: object) -> object | None:
    """`Config.enable_backprop` as it is now, or None when there is none to restore."""
    try:
        return getattr(config, "enable_backprop", None)
    except BaseException:  # a hostile Config: nothing to restore
        return None


def _restore(config: object, flag: object) -> None:
    try:
        setattr(config, "enable_backprop", flag)
    except BaseException:  # the properties start from True anyway
        pass


def _return_under_backprop_if(function: type) -> str:
    """"line N" when `Function.__call__` returns only from inside an `if` on `enable_backprop`; else ""."""
    call = vars(function).get("__call__")
    code = getattr(call, "__code__", None)
    if not isinstance(code, types.CodeType):
        return ""
    tree = ast.parse(textwrap.dedent(inspect.getsource(code)))
    definition = tree.body[0]
    if not isinstance(definition, ast.FunctionDef):
        return ""
    guarded = [node for statement in definition.body if isinstance(statement, ast.If)
               and "enable_backprop" in ast.unparse(statement.test)
               for node in ast.walk(statement) if isinstance(node, ast.Return)]
    others = [node for statement in definition.body if not (isinstance(statement, ast.If)
              and "enable_backprop" in ast.unparse(statement.test))
              for node in ast.walk(statement) if isinstance(node, ast.Return)]
    if not guarded or others:
        return ""
    return f"line {code.co_firstlineno + guarded[0].lineno - 1}"


def _attributes(cls: type) -> str:
    """The attributes instances of `cls` get (the probe reads them from its code), or "" when unknown."""
    attributes = instance_attributes(cls)
    return "" if attributes is None else ", ".join(sorted(a for a in attributes if not a.startswith("__")))


def _stale_subclasses(namespace: Mapping[str, object], function: type) -> list[str]:
    """The namespace's classes built on a `Function` that is not the current one (defined again later)."""
    stale = []
    for name, value in namespace.items():
        if isinstance(value, type) and value is not function and not issubclass(value, function) and any(
                base.__name__ == "Function" and base is not function for base in value.__mro__[1:]):
            stale.append(name)
    return sorted(stale)
