"""What a property is: an id, a tier, the names it needs, and trials to run on an engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal, TypeAlias, TypeVar

from hypothesis import strategies as st

from specs.graphs.ir import Graph
from specs.target.adapters.protocol import Engine, Handle
from specs.target.replay import Replayed, Reproduces

Tier: TypeAlias = Literal["core", "memory", "extended"]
TIERS: Final[tuple[Tier, ...]] = ("core", "memory", "extended")
T = TypeVar("T")


class Violation(AssertionError):
    """The target broke the property; `check` is the snippet's last lines, showing how.

    `reproduces` judges a replay of the printed snippet (see specs.target.replay): True when it shows
    the same failure. Without it, the snippet's last `print(...)  # expected VALUE` is compared.
    """

    def __init__(self, message: str, check: str = "", reproduces: Reproduces | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.check = check
        self.reproduces = reproduces


def reading(read: Callable[[Handle], T], name: str, wrong: Callable[[T], bool]) -> Reproduces:
    """A judge of a replay: it ran through, and `read(name)` in the namespace it left is still wrong."""

    def judge(replayed: Replayed) -> bool:
        if replayed.raised is not None or name not in replayed.scope:
            return False
        try:
            value = read(replayed.scope[name])
        except Exception:  # the name holds something the adapter cannot read: not the same failure
            return False
        return wrong(value)

    return judge


def printing(wrong: Callable[[object], bool], which: int = -1) -> Reproduces:
    """A judge of a replay: it ran through, and what it printed (the last print by default) is still wrong."""
    return lambda replayed: (replayed.raised is None and len(replayed.printed) > abs(which) - (which < 0)
                             and bool(replayed.printed[which]) and wrong(replayed.printed[which][0]))


@dataclass(frozen=True, slots=True)
class Trial:
    """One example, ready to run against any engine, with the code that reproduces it."""

    run: Callable[[Engine], None]
    setup_code: Callable[[], str]  # made only for a failure: most examples never need it
    action_code: Callable[[], str] = lambda: ""  # the next call: shown when the target raises or hangs
    features: frozenset[str] = frozenset()
    depth: int = 0
    # After a failure: the smallest trial that still fails the same way, found by running smaller
    # ones on the engine (a post-pass after Hypothesis's shrinking), with what it raised.
    reduce: Callable[[Engine, BaseException], tuple[Trial, BaseException]] | None = None


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
    hypothesis_shrinks: bool = True  # False: its trials' own `reduce` post-pass shrinks instead (far fewer runs)
    passed_message: Callable[[], str] | None = None  # what a pass covered, when the count of examples does not say


def trial_maker(
    run: Callable[[Engine, T], None],
    code: Callable[[T], str],
    describe: Callable[[T], tuple[frozenset[str], int]] = lambda _: (frozenset(), 0),
    action: Callable[[T], str] = lambda _: "",
    reduce: Callable[[Engine, T, BaseException], tuple[T, BaseException]] | None = None,
) -> Callable[[T], Trial]:
    """Return a converter from examples of any type to Trials (map a strategy with it)."""

    def to_trial(example: T) -> Trial:
        features, depth = describe(example)
        reducer = None
        if reduce is not None:
            def reducer(engine: Engine, error: BaseException) -> tuple[Trial, BaseException]:
                smaller, raised = reduce(engine, example, error)
                return to_trial(smaller), raised
        return Trial(lambda engine: run(engine, example), lambda: code(example), lambda: action(example), features,
                     depth, reducer)

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
