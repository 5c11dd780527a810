"""What a property is: an id, a tier, the names it needs, and trials to run on an engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal, TypeAlias, TypeVar

from hypothesis import strategies as st

from specs.adapters.protocol import Engine, Handle
from specs.ir import Graph

Tier: TypeAlias = Literal["core", "memory", "extended"]
TIERS: Final[tuple[Tier, ...]] = ("core", "memory", "extended")
T = TypeVar("T")


class Violation(AssertionError):
    """The target broke the property; `check` is the snippet's last lines, showing how."""

    def __init__(self, message: str, check: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.check = check


@dataclass(frozen=True, slots=True)
class Trial:
    """One example, ready to run against any engine, with the code that reproduces it."""

    run: Callable[[Engine], None]
    setup_code: Callable[[], str]  # made only for a failure: most examples never need it
    action_code: Callable[[], str] = lambda: ""  # the next call: shown when the target raises or hangs
    features: frozenset[str] = frozenset()
    depth: int = 0


@dataclass(frozen=True, slots=True)
class Property:
    """A rule of the semantics and the trials that test it."""

    id: str
    tier: Tier
    summary: str
    needs: frozenset[str]
    trials: st.SearchStrategy[Trial]
    examples: tuple[Trial, ...] = ()
    max_examples: int | None = None  # a cap: None runs as many as the run asks for
    time_scale: float = 1.0  # the watchdog allows this many times the run's --timeout
    passed_message: Callable[[], str] | None = None  # what a pass covered, when the count of examples does not say


def trial_maker(
    run: Callable[[Engine, T], None],
    code: Callable[[T], str],
    describe: Callable[[T], tuple[frozenset[str], int]] = lambda _: (frozenset(), 0),
    action: Callable[[T], str] = lambda _: "",
) -> Callable[[T], Trial]:
    """Return a converter from examples of any type to Trials (map a strategy with it)."""

    def to_trial(example: T) -> Trial:
        features, depth = describe(example)
        return Trial(lambda engine: run(engine, example), lambda: code(example), lambda: action(example), features, depth)

    return to_trial


def build(engine: Engine, graph: Graph) -> list[Handle]:
    """Build every value of `graph` with the target's own Variable, add and square."""
    handles = [engine.variable(graph.leaf_array(i)) for i in range(len(graph.leaves))]
    for node in graph.nodes:
        if node.op == "add":
            handles.append(engine.add(handles[node.inputs[0]], handles[node.inputs[1]]))
        else:
            handles.append(engine.square(handles[node.inputs[0]]))
    return handles
