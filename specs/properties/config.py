"""Core properties of graph-building mode: no_grad builds nothing; every exit restores Config."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Final

import numpy as np
from hypothesis import strategies as st

from specs.graphs.ir import Graph, features
from specs.graphs.ir import ExceptionKind
from specs.graphs.oracle import forward_values
from specs.graphs.snippets import differing, graph_code, name_of, print_check
from specs.graphs.strategies import FAMOUS_GRAPHS, ConfigScenario, config_scenarios, graphs
from specs.properties.base import Property, Violation, build, printing, reading, trial_maker
from specs.target.adapters.protocol import Engine
from specs.target.replay import Replayed, Reproduces


def check_no_grad(engine: Engine, example: tuple[Graph, int]) -> None:
    """Inside nested no_grad() nothing gets a creator, values are right, and the flag comes back."""
    graph, depth = example
    expected = forward_values(graph)
    with ExitStack() as stack:
        for _ in range(depth):
            stack.enter_context(engine.no_grad())
        handles = build(engine, graph)
        for index in range(len(graph.leaves), graph.size):
            name = name_of(graph, index)
            if engine.creator(handles[index]) is not None:
                raise Violation(
                    f"{name} was built inside no_grad() but has a creator",
                    f"{'    ' * depth}print({name}.creator)  # expected None",
                    reading(engine.creator, name, lambda creator: creator is not None),
                )
            got, want = engine.data(handles[index]), expected[index]
            if got.tobytes() != want.tobytes() or got.dtype != want.dtype:
                shown_got, shown_want = differing(got, want)
                raise Violation(
                    f"inside no_grad(), {name}.data is {shown_got}, expected {shown_want}",
                    f"{'    ' * depth}" + print_check(f"{name}.data", want, got),
                    reading(engine.data, name, lambda data: data.tobytes() != want.tobytes() or data.dtype != want.dtype),
                )
    if engine.enable_backprop() is not True:
        raise Violation(
            f"after leaving {depth} no_grad() block(s), Config.enable_backprop is {engine.enable_backprop()!r}",
            "print(Config.enable_backprop)  # expected True",
            printing(lambda flag: flag is not True),
        )


def _no_grad_code(example: tuple[Graph, int]) -> str:
    graph, depth = example
    lines = [f"{'    ' * level}with no_grad():" for level in range(depth)]
    body = "".join(f"{'    ' * depth}{line}\n" for line in graph_code(graph).splitlines())
    return "\n".join(lines) + "\n" + body


class ProbeError(BaseException):
    """A BaseException that is neither Exception nor one of Python's own."""


EXCEPTIONS: Final[dict[ExceptionKind, type[BaseException]]] = {
    "ValueError": ValueError,
    "ZeroDivisionError": ZeroDivisionError,
    "KeyboardInterrupt": KeyboardInterrupt,
    "SystemExit": SystemExit,
    "GeneratorExit": GeneratorExit,
    "BaseException": ProbeError,
}


class _RaisesWhenSquared:
    """An array element whose `**` and `*` raise the scenario's exception inside the target's op."""

    def __init__(self, exception: BaseException) -> None:
        self.exception = exception

    def __pow__(self, other: object) -> object:
        raise self.exception

    __mul__ = __pow__


def _value_inside(scenario: ConfigScenario) -> bool:
    return scenario.blocks[-1] == "using_config(True)"


def check_config_restored(engine: Engine, scenario: ConfigScenario) -> None:
    """Leaving nested using_config / no_grad blocks, by any exception, restores the flag."""
    engine.set_enable_backprop(scenario.prior)
    try:
        _enter_and_leave(engine, scenario)
    finally:
        engine.set_enable_backprop(True)  # the next example starts from the default again


def _enter_and_leave(engine: Engine, scenario: ConfigScenario) -> None:
    raised = EXCEPTIONS[scenario.raises]("probe") if scenario.raises is not None else None
    caught: BaseException | None = None
    try:
        with ExitStack() as stack:
            for block in scenario.blocks:
                if block == "no_grad":
                    stack.enter_context(engine.no_grad())
                else:
                    stack.enter_context(engine.using_config("enable_backprop", block == "using_config(True)"))
            inside = engine.enable_backprop()
            if inside is not _value_inside(scenario):
                raise Violation(f"inside {scenario.blocks[-1]}, Config.enable_backprop is {inside!r}", "",
                                printing(lambda flag: flag is not _value_inside(scenario), 0))
            if raised is not None and scenario.from_op:
                engine.square(engine.variable(np.array([_RaisesWhenSquared(raised)], dtype=object)))
            elif raised is not None:
                raise raised
    except Violation:
        raise
    except BaseException as error:  # the scenario's own exception, whatever its kind
        caught = error
    if caught is not raised:
        what = "nothing" if caught is None else f"{type(caught).__name__}({caught})"
        name = "ProbeError" if scenario.raises == "BaseException" else type(raised).__name__
        raise Violation(f"the blocks should let {name}('probe') through unchanged; out came {what}",
                        f"print(repr(caught))  # expected {name}('probe')", _escaped_otherwise(scenario))
    after = engine.enable_backprop()
    if after is not scenario.prior:
        raise Violation(
            f"after the blocks, Config.enable_backprop is {after!r}; it was {scenario.prior!r} before them",
            "print(Config.enable_backprop)  # expected " + repr(scenario.prior),
            printing(lambda flag: flag is not scenario.prior),
        )
    # Only the flag's value is judged here: whether the ops obey it is no-grad-builds-no-graph's to say.


def _escaped_otherwise(scenario: ConfigScenario) -> Reproduces:
    """A replay of the scenario shows its exception swallowed or replaced, as the check saw."""
    def judge(replayed: Replayed) -> bool:
        if replayed.raised is not None:  # another exception came out of the blocks, past `except`
            return True
        caught = replayed.scope.get("caught")
        return not (isinstance(caught, BaseException) and type(caught).__name__ == _kind_name(scenario))
    return judge


def _kind_name(scenario: ConfigScenario) -> str:
    return "ProbeError" if scenario.raises == "BaseException" else str(scenario.raises)


def _scenario_code(scenario: ConfigScenario) -> str:
    kind = scenario.raises
    lines = [f"Config.enable_backprop = {scenario.prior}"] + (["caught = None", "try:"] if kind is not None else [])
    start = 1 if kind is not None else 0
    for level, block in enumerate(scenario.blocks, start=start):
        call = "no_grad()" if block == "no_grad" else f"using_config('enable_backprop', {block == 'using_config(True)'})"
        lines.append(f"{'    ' * level}with {call}:")
    indent = "    " * (len(scenario.blocks) + start)
    lines.append(f"{indent}print(Config.enable_backprop)  # expected {_value_inside(scenario)}")
    exception = f"{kind}('probe')" if kind != "BaseException" else "ProbeError('probe')"
    if kind is None:
        pass
    elif scenario.from_op:
        lines.append(f"{indent}class Raiser:  # its ** raises inside square's forward")
        lines.append(f"{indent}    def __pow__(self, other): raise {exception}")
        lines.append(f"{indent}    __mul__ = __pow__")
        lines.append(f"{indent}square(Variable(np.array([Raiser()], dtype=object)))")
    else:
        lines.append(f"{indent}raise {exception}")
    if kind is not None:
        lines.append(f"except {_kind_name(scenario)} as error:")
        lines.append("    caught = error")
    prelude = "class ProbeError(BaseException): pass\n" if kind == "BaseException" else ""
    return prelude + "\n".join(lines) + "\n"


def _describe_scenario(scenario: ConfigScenario) -> tuple[frozenset[str], int]:
    raised = scenario.raises or "no exception"
    return frozenset({f"raises {raised}", "from an op" if scenario.from_op else "from the body"}), len(scenario.blocks)


def _first_read(example: tuple[Graph, int]) -> str:
    """The check's first read, inside the blocks: shown when reading what an op returned raises."""
    graph, depth = example
    return f"{'    ' * depth}print({name_of(graph, len(graph.leaves))}.creator)\n" if graph.nodes else ""


_no_grad_trial = trial_maker(check_no_grad, _no_grad_code, lambda ex: (features(ex[0]), ex[1]), _first_read)
_config_trial = trial_maker(check_config_restored, _scenario_code, _describe_scenario)

PROPERTIES: Final = (
    Property(
        id="no-grad-builds-no-graph",
        tier="core",
        summary="inside no_grad(), nested or not, outputs have no creator and right values; the flag comes back",
        needs=frozenset({"Variable", "add", "square", "no_grad", "Config"}),
        trials=st.tuples(graphs(), st.integers(1, 3)).map(_no_grad_trial),
        examples=(_no_grad_trial((FAMOUS_GRAPHS["x + x"], 1)),),
    ),
    Property(
        id="config-restored-after-exception",
        tier="core",
        summary="using_config / no_grad restore the flag on every exit, BaseException included",
        needs=frozenset({"Variable", "square", "no_grad", "using_config", "Config"}),
        trials=config_scenarios().map(_config_trial),
        examples=(
            _config_trial(ConfigScenario(True, ("using_config(False)", "no_grad"), "KeyboardInterrupt", False)),
            _config_trial(ConfigScenario(False, ("using_config(True)",), "ValueError", True)),
        ),
    ),
)
