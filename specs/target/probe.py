"""The API probe: before any property runs, look for every name and attribute of the book's API.

Each missing piece is found once, with the likely spelling from the target's own names
("`Variable` has no `creator`; it has `creater`"), and every property that needs it is then
failed as blocked by it, instead of each one printing its own traceback. When `add` or
`square` is absent the probe takes it from what the target has (a later step's `Square` or
`Pow`, the `+` and `**` operators, or the book's op defined on the target's own `Function`).
The probe reads the target's code and never runs it (a hostile `square` must cost only the
properties that call it); it never creates an attribute.
"""

from __future__ import annotations

import difflib
import dis
import inspect
import types
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final, Protocol, runtime_checkable

from specs.target.adapters.protocol import MissingName

Op = Callable[..., object]
TOP_LEVEL: Final = ("Variable", "Config", "using_config", "no_grad")
VARIABLE_ATTRIBUTES: Final = ("data", "grad", "creator", "generation", "backward", "cleargrad")
FUNCTION_ATTRIBUTES: Final = ("inputs", "outputs", "generation")
GRAPH: Final = frozenset({"add", "square"})  # a property needing either builds a graph through Function


@dataclass(frozen=True, slots=True)
class Gap:
    """A piece of the book's API that the target lacks or gets wrong in shape.

    `piece` is its name ("Variable.creator", "square", "using_config"); `blocks` the top-level
    names whose properties cannot run without it (the suite never touches the piece itself).
    """

    piece: str
    message: str
    blocks: frozenset[str] = frozenset()
    snippet: str = ""  # lines that show the gap, run where the target's names are in scope


class Blocked(MissingName):
    """A property reached a piece the probe found missing: the property is blocked by it."""

    def __init__(self, gap: Gap) -> None:
        super().__init__(gap.piece)
        self.gap = gap

    def __str__(self) -> str:
        return self.gap.message

    def report_message(self) -> str:
        """The property's message: blocked, and by what."""
        return f"blocked by a piece of the book's API the target lacks: {self.gap.message}"


class BlockedRun(BaseException):
    """Carries a Blocked out of Hypothesis at once: a BaseException, which it does not shrink."""

    def __init__(self, blocked: Blocked) -> None:
        super().__init__(str(blocked))
        self.blocked = blocked


@runtime_checkable
class Probed(Protocol):
    """An engine that carries the probe's findings."""

    gaps: tuple[Gap, ...]


@dataclass
class Findings:
    """What the probe found: the gaps, the ops to use, and notes for the report."""

    gaps: list[Gap] = field(default_factory=list)
    ops: dict[str, Op] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Python for each op the suite supplied, so that a counterexample runs where the target's names are
    sources: dict[str, str] = field(default_factory=dict)
    # what the targeted experiments (specs.target.evidence) showed, for the report's diagnoses
    evidence: dict[str, str] = field(default_factory=dict)

    def gap(self, piece: str) -> Gap | None:
        """The gap for `piece`, if the target lacks it."""
        return next((g for g in self.gaps if g.piece == piece), None)


def blocking_gaps(engine: object, needs: frozenset[str]) -> list[Gap]:
    """The gaps that block a property needing `needs`."""
    if not isinstance(engine, Probed):
        return []
    return [g for g in engine.gaps if g.blocks & needs]


def likely(name: str, candidates: Iterable[str]) -> str | None:
    """The target's own name that `name` is most likely a misspelling of, or None."""
    names = [c for c in candidates if not c.startswith("__")]
    squashed = {c.lower().replace("_", ""): c for c in names}
    if name.lower().replace("_", "") in squashed:  # clear_grad, clearGrad, CONFIG
        return squashed[name.lower().replace("_", "")]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
    return close[0] if close else None


def _missing(owner: str | None, name: str, candidates: Iterable[str], blocks: frozenset[str]) -> Gap:
    guess = likely(name, candidates)
    subject = f"the target has no `{name}`" if owner is None else f"`{owner}` has no `{name}`"
    hint = f"; it has `{guess}`" if guess else ""
    return Gap(name if owner is None else f"{owner}.{name}", subject + hint, blocks)


def probe(namespace: Mapping[str, object]) -> Findings:
    """Look for every piece of the book's API in `namespace`; find or build `add` and `square`."""
    found = Findings()
    for name in TOP_LEVEL:
        if name not in namespace:
            found.gaps.append(_missing(None, name, namespace, frozenset({name})))
    _resolve_ops(namespace, found)
    config = namespace.get("Config")
    if config is not None and not hasattr(config, "enable_backprop"):
        found.gaps.append(_missing("Config", "enable_backprop", dir(config), frozenset({"Config"})))
    for name in ("using_config", "no_grad"):
        _check_context_manager(namespace, name, found)
    _check_instances(namespace, found)
    return found


def _resolve_ops(namespace: Mapping[str, object], found: Findings) -> None:
    for name, make in (("square", _square_from), ("add", _add_from)):
        function = namespace.get(name)
        if callable(function):
            found.ops[name] = function
            continue
        made = make(namespace)
        if made is None:
            found.gaps.append(_missing(None, name, namespace, frozenset({name})))
            continue
        op, how, source = made
        found.ops[name] = op
        found.sources[name] = f"# the target has no `{name}`: the suite used this one\n{source}"
        found.notes.append(f"the target has no `{name}`: the suite used {how}")


def _square_from(namespace: Mapping[str, object]) -> tuple[Op, str, str] | None:
    square_class, pow_class = namespace.get("Square"), namespace.get("Pow")
    variable, function = namespace.get("Variable"), namespace.get("Function")
    if isinstance(square_class, type):
        return (lambda x: square_class()(x)), "its `Square` class: `Square()(x)`", _op("square", "x", "Square()(x)")
    if isinstance(variable, type) and hasattr(variable, "__pow__"):
        return (lambda x: x**2), "`x ** 2` (its `Variable.__pow__`)", _op("square", "x", "x ** 2")
    if isinstance(pow_class, type):
        return (lambda x: pow_class(2)(x)), "its `Pow` class: `Pow(2)(x)`", _op("square", "x", "Pow(2)(x)")
    if isinstance(function, type):
        book = type("Square", (function,), {"forward": _square_forward, "backward": _square_backward})
        return (lambda x: book()(x)), "the book's `Square`, defined as a subclass of its `Function`", _BOOK_SQUARE
    return None


def _add_from(namespace: Mapping[str, object]) -> tuple[Op, str, str] | None:
    add_class, variable, function = namespace.get("Add"), namespace.get("Variable"), namespace.get("Function")
    if isinstance(add_class, type):
        return (lambda x0, x1: add_class()(x0, x1)), "its `Add` class: `Add()(x0, x1)`", _op("add", "x0, x1", "Add()(x0, x1)")
    if isinstance(variable, type) and hasattr(variable, "__add__"):
        return (lambda x0, x1: x0 + x1), "`x0 + x1` (its `Variable.__add__`)", _op("add", "x0, x1", "x0 + x1")
    if isinstance(function, type):
        book = type("Add", (function,), {"forward": _add_forward, "backward": _add_backward})
        return (lambda x0, x1: book()(x0, x1)), "the book's `Add`, defined as a subclass of its `Function`", _BOOK_ADD
    return None


def _op(name: str, parameters: str, body: str) -> str:
    return f"def {name}({parameters}):\n    return {body}\n"


# The book's step-18 ops, as methods of a class made on the target's own Function; the sources
# are the same code, for a counterexample to define where the target's names are in scope.
_BOOK_SQUARE: Final = (
    "class Square(Function):\n    def forward(self, x):\n        return x ** 2\n"
    "    def backward(self, gy):\n        x = self.inputs[0].data\n        return 2 * x * gy\n"
    + _op("square", "x", "Square()(x)")
)
_BOOK_ADD: Final = (
    "class Add(Function):\n    def forward(self, x0, x1):\n        return x0 + x1\n"
    "    def backward(self, gy):\n        return gy, gy\n"
    + _op("add", "x0, x1", "Add()(x0, x1)")
)


def _square_forward(self: object, x: object) -> object:
    return x**2  # type: ignore[operator]  # an ndarray at run time


def _square_backward(self: object, gy: object) -> object:
    x = self.inputs[0].data  # type: ignore[attr-defined]  # the target's Function keeps its inputs
    return 2 * x * gy


def _add_forward(self: object, x0: object, x1: object) -> object:
    return x0 + x1  # type: ignore[operator]  # ndarrays at run time


def _add_backward(self: object, gy: object) -> tuple[object, object]:
    return gy, gy


_GENERATOR_HINT: Final = "returned a generator, not a context manager: is `@contextlib.contextmanager` missing?"


def _check_context_manager(namespace: Mapping[str, object], name: str, found: Findings) -> None:
    """A bare generator function is not a context manager; neither is a no_grad that returns one.

    Read from the code, never called: a target's code runs only inside a property.
    """
    function = namespace.get(name)
    if not callable(function):
        return
    call = "using_config('enable_backprop', False)" if name == "using_config" else "no_grad()"
    snippet = f"with {call}:  # TypeError: a generator is not a context manager\n    pass\n"
    if inspect.isgeneratorfunction(function):
        found.gaps.append(Gap(name, f"`{name}` {_GENERATOR_HINT}", frozenset({name}), snippet))
    elif name == "no_grad" and found.gap("using_config") is not None and \
            "using_config" in getattr(getattr(function, "__code__", None), "co_names", ()):
        message = f"`{name}` {_GENERATOR_HINT} (it returns `using_config(...)`)"
        found.gaps.append(Gap(name, message, frozenset({name}), snippet))


def instance_attributes(cls: type) -> frozenset[str] | None:
    """The attributes instances of `cls` get: class attributes and every `x.name = ...` in its methods.

    Read from the bytecode, so classes defined in a notebook cell work too. None when that
    cannot be known (a `__getattr__`, or methods that are not Python functions).
    """
    names: set[str] = set()
    for klass in cls.__mro__[:-1]:
        if "__getattr__" in vars(klass):
            return None
        names.update(vars(klass))
        names.update(getattr(klass, "__slots__", ()))
        for member in vars(klass).values():
            function = member.fget if isinstance(member, property) else getattr(member, "__func__", member)
            code = getattr(function, "__code__", None)
            if isinstance(code, types.CodeType):
                names.update(_stored_attributes(code))
    return frozenset(names)


def _stored_attributes(code: types.CodeType) -> set[str]:
    stored = {i.argval for i in dis.get_instructions(code) if i.opname == "STORE_ATTR"}
    for const in code.co_consts:
        if isinstance(const, types.CodeType):  # nested functions and comprehensions
            stored |= _stored_attributes(const)
    return stored


def _check_instances(namespace: Mapping[str, object], found: Findings) -> None:
    """Look for the attributes a Variable and a Function have, in their classes' code."""
    for owner, wanted in (("Variable", VARIABLE_ATTRIBUTES), ("Function", FUNCTION_ATTRIBUTES)):
        cls = namespace.get(owner)
        attributes = instance_attributes(cls) if isinstance(cls, type) else None
        if attributes is None:
            continue
        for name in wanted:
            if name not in attributes:
                blocks = frozenset({"Variable"}) if (owner, name) == ("Variable", "data") else \
                    frozenset() if owner == "Variable" and name != "generation" else GRAPH
                found.gaps.append(_missing(owner, name, attributes, blocks))
    variable = namespace.get("Variable")
    backward = getattr(variable, "backward", None)
    if isinstance(variable, type) and callable(backward):
        _check_retain_grad(backward, found)


def _check_retain_grad(backward: Callable[..., object], found: Findings) -> None:
    try:
        parameters = inspect.signature(backward).parameters
    except (TypeError, ValueError):
        return  # a builtin or an odd callable: the properties find out
    if "retain_grad" in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        return
    guess = likely("retain_grad", parameters)
    hint = f"; it has `{guess}`" if guess else ""
    found.gaps.append(Gap("Variable.backward(retain_grad)", f"`Variable.backward` has no parameter `retain_grad`{hint}"))


def lead_notes(found: Findings) -> list[str]:
    """The report's first notes: each gap once, as the root cause of the properties it blocks."""
    return [f"{gap.message} (a name of the book's API: each property that needs it fails as blocked by it)"
            for gap in found.gaps] + found.notes
