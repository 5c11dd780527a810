"""Core property: any sequence of operations leaves every observable as the pure model says."""

from __future__ import annotations

import re
from contextlib import AbstractContextManager
from fractions import Fraction
from typing import Final, TypeAlias

import numpy as np

from specs.graphs.ir import Apply, Backward, ClearGrad, Enter, FloatArray, Leave, MakeLeaf, Program, Step
from specs.graphs.model import Model, ModelVariable
from specs.graphs.programs import exception_name, program_code, smaller, step_line
from specs.graphs.snippets import print_check, short
from specs.graphs.strategies import programs
from specs.properties.base import Property, Violation, printing, reading, trial_maker
from specs.properties.config import EXCEPTIONS
from specs.target.adapters.protocol import Engine, Handle
from specs.target.replay import Reproduces
from specs.target.watchdog import TargetHang, time_limit


def _leave(block: AbstractContextManager[object], raises: BaseException | None) -> str | None:
    """Leave a block as a `with` statement would; return what went wrong, if anything."""
    if raises is None:
        block.__exit__(None, None, None)
        return None
    try:
        swallowed = block.__exit__(type(raises), raises, None)
    except BaseException as error:  # re-raising the same exception is fine; another is not
        return None if error is raises else f"leaving by {type(raises).__name__} raised {type(error).__name__}"
    return f"the block swallowed {type(raises).__name__}" if swallowed else None


Problem: TypeAlias = tuple[str, str, Reproduces]  # what differs, the check line, the replay's judge


def _compare(engine: Engine, model: Model, handles: list[Handle], allowed_steps: int) -> Problem | None:
    """The first observable where the engine and the model disagree: described, checked, judged; or None."""
    if engine.enable_backprop() is not model.flag:
        want_flag = model.flag
        return (f"Config.enable_backprop is {engine.enable_backprop()!r}, expected {want_flag!r}",
                f"print(Config.enable_backprop)  # expected {want_flag}", printing(lambda flag: flag is not want_flag))
    for i, (handle, want) in enumerate(zip(handles, model.variables)):
        recorded = want.inputs is not None
        if (engine.creator(handle) is not None) != recorded:
            return (f"v{i}.creator is {'None' if recorded else 'set'}; expected {'a Function' if recorded else 'None'}",
                    f"print(v{i}.creator)  # expected {'a Function, not None' if recorded else 'None'}",
                    reading(engine.creator, f"v{i}", lambda creator: (creator is not None) != recorded))
        got = engine.grad(handle)
        problem = _grad_problem(got, want, model, allowed_steps)
        if problem is not None:
            grad, bound = want.grad, want.bound
            expected = None if grad is None else np.array([float(f) for f in grad], model.dtype).reshape(model.shape)
            return (f"v{i}.{problem}", print_check(f"v{i}.grad", expected, got),
                    reading(engine.grad, f"v{i}", lambda g: _grad_problem(g, ModelVariable(want.data, grad=grad, bound=bound),
                                                                       model, allowed_steps) is not None))
    return None


def _grad_problem(got: FloatArray | None, want: ModelVariable, model: Model, allowed_steps: int) -> str | None:
    """What is wrong with a grad the engine holds, against the model's; or None."""
    if (got is None) != (want.grad is None):
        expected = "None" if want.grad is None else short(np.array([float(f) for f in want.grad]).reshape(model.shape))
        return f"grad is {short(got)}, expected {expected}"
    if got is None or want.grad is None:
        return None
    eps, tiny = float(np.finfo(model.dtype).eps), float(np.finfo(model.dtype).tiny)
    flat = np.asarray(got, dtype=np.float64).reshape(-1)
    if flat.size != len(want.grad):
        return f"grad has {flat.size} elements, expected {len(want.grad)}"
    for element, (value, exact, bound) in enumerate(zip(flat, want.grad, want.bound)):
        allowed = 4 * allowed_steps * (eps * bound + tiny)
        if not np.isfinite(value) or abs(Fraction(float(value)) - exact) > Fraction(allowed):
            return f"grad (element {element}) is {float(value)!r}, expected {float(exact)!r}"
    return None


def check_sequence(engine: Engine, program: Program) -> None:
    """Run the program on the engine and the model; compare every observable after each step."""
    model = Model(program)
    handles: list[Handle] = []
    blocks: list[AbstractContextManager[object]] = []
    allowed_steps = 2 * len(program.steps) + 8
    try:
        for number, step in enumerate(program.steps):
            line = step_line(program, step, len(handles))
            left = _run_step(engine, program, step, handles, blocks)
            model.apply(step)
            problem = _left_problem(left, step) if left is not None else _compare(engine, model, handles, allowed_steps)
            if problem is not None:
                what, check, judge = problem
                raise Violation(f"after step {number + 1} ({line}): {what}", program_code(program, number + 1, check),
                                judge)
    finally:
        while blocks:  # leave what the program left open, so the next example starts clean
            blocks.pop().__exit__(None, None, None)
        engine.set_enable_backprop(True)


def _left_problem(problem: str, step: Step) -> Problem:
    """A block left wrongly: swallowed its exception, or raised another one."""
    assert isinstance(step, Leave) and step.raises is not None
    kind = exception_name(step.raises)
    if problem.startswith("the block swallowed"):
        return problem, f"print(repr(caught))  # expected {kind}('probe'), got None", \
            lambda replayed: replayed.raised is None and replayed.scope.get("caught") is None
    return problem, "", lambda replayed: replayed.raised is not None and type(replayed.raised).__name__ != kind


def _run_step(
    engine: Engine, program: Program, step: Step, handles: list[Handle], blocks: list[AbstractContextManager[object]]
) -> str | None:
    """Do one step on the engine; return a problem found while leaving a block, if any."""
    if isinstance(step, MakeLeaf):
        handles.append(engine.variable(np.array(step.values, dtype=program.dtype).reshape(program.shape)))
    elif isinstance(step, Apply):
        xs = [handles[i] for i in step.inputs]
        handles.append(engine.add(xs[0], xs[1]) if step.op == "add" else engine.square(xs[0]))
    elif isinstance(step, Backward):
        engine.backward(handles[step.variable], retain_grad=step.retain_grad)
    elif isinstance(step, ClearGrad):
        engine.cleargrad(handles[step.variable])
    elif isinstance(step, Enter):
        block = engine.no_grad() if step.block == "no_grad" else engine.using_config(
            "enable_backprop", step.block == "using_config(True)"
        )
        block.__enter__()
        blocks.append(block)
    elif isinstance(step, Leave):
        return _leave(blocks.pop(), None if step.raises is None else EXCEPTIONS[step.raises]("probe"))
    else:
        engine.set_enable_backprop(step.value)
    return None


def _describe(program: Program) -> tuple[frozenset[str], int]:
    return frozenset(type(step).__name__ for step in program.steps), len(program.steps)


def _kind(error: BaseException) -> str:
    """What failed, without the numbers: a smaller program must fail the same way."""
    if not isinstance(error, Violation):
        return type(error).__name__
    what = error.message.split("): ", 1)[-1]
    return re.sub(r"v\d+|\(element \d+\)", "", what.split(" is ")[0]).strip() + (" None" if " is None" in what else "")


def reduce_program(engine: Engine, program: Program, error: BaseException) -> tuple[Program, BaseException]:
    """The smallest, plainest program found that still fails the same way: a post-pass after Hypothesis.

    Tries deleting each step (a variable with the steps that use it, a block with its exit) and
    plainer values, keeping each change while the failure shows; at most ROUNDS passes.
    """
    kind = _kind(error)
    for _ in range(ROUNDS):
        for candidate in smaller(program):
            found = _failure(engine, candidate)
            if found is not None and _kind(found) == kind:
                program, error = candidate, found
                break
        else:
            break
    return program, error


def _failure(engine: Engine, program: Program) -> BaseException | None:
    """What running `program` on the engine raises (a hang counts as no failure of this kind)."""
    try:
        engine.set_enable_backprop(True)
        with time_limit(CANDIDATE_SECONDS):
            check_sequence(engine, program)
    except (Exception, SystemExit, GeneratorExit, KeyboardInterrupt, TargetHang) as error:
        return None if isinstance(error, TargetHang) else error
    return None


ROUNDS: Final = 200  # each round keeps one change; programs have at most 64 steps
CANDIDATE_SECONDS: Final = 2.0

def _calls_and_last_read(program: Program) -> str:
    """The program, then a read of the last variable it made (the check reads each after its step):
    shown when a step, or reading what an op returned, raises."""
    made = sum(isinstance(step, MakeLeaf | Apply) for step in program.steps)
    return program_code(program, None, f"print(v{made - 1}.creator)" if made else "")


_trial = trial_maker(check_sequence, lambda _: "", _describe, _calls_and_last_read, reduce_program)

PROPERTIES: Final = (
    Property(
        id="operation-sequences-match-model",
        tier="core",
        summary="any interleaving of building, backward, cleargrad and config blocks matches the model",
        needs=frozenset({"Variable", "add", "square", "Config", "using_config", "no_grad"}),
        trials=programs().map(_trial),
        hypothesis_shrinks=False,  # reduce_program deletes steps directly: the same programs, minutes sooner
    ),
)
