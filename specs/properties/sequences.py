"""Core property: any sequence of operations leaves every observable as the pure model says."""

from __future__ import annotations

from contextlib import AbstractContextManager
from fractions import Fraction
from typing import Final

import numpy as np

from specs.adapters.protocol import Engine, Handle
from specs.ir import Apply, Backward, ClearGrad, Enter, Leave, MakeLeaf, Program, SetFlag, Step
from specs.model import Model
from specs.properties.base import Property, Violation, trial_maker
from specs.properties.config import EXCEPTIONS
from specs.snippets import array_code, short
from specs.strategies import programs


def step_code(program: Program, step: Step, made: int, depth: int) -> str:
    """One step as the line a learner would type; `made` variables and `depth` blocks so far."""
    if isinstance(step, MakeLeaf):
        data = np.array(step.values, dtype=program.dtype).reshape(program.shape)
        return f"v{made} = Variable({array_code(data)})"
    if isinstance(step, Apply):
        return f"v{made} = {step.op}({', '.join(f'v{i}' for i in step.inputs)})"
    if isinstance(step, Backward):
        return f"v{step.variable}.backward({'retain_grad=True' if step.retain_grad else ''})"
    if isinstance(step, ClearGrad):
        return f"v{step.variable}.cleargrad()"
    if isinstance(step, Enter):
        call = "no_grad()" if step.block == "no_grad" else f"using_config('enable_backprop', {step.block.endswith('(True)')})"
        return f"block{depth} = {call}; block{depth}.__enter__()"
    if isinstance(step, Leave):
        if step.raises is None:
            return f"block{depth - 1}.__exit__(None, None, None)"
        name = EXCEPTIONS[step.raises].__name__
        return f"block{depth - 1}.__exit__({name}, {name}('probe'), None)  # leave by an exception"
    assert isinstance(step, SetFlag)
    return f"Config.enable_backprop = {step.value}"


def program_code(program: Program, upto: int | None = None) -> str:
    """The program's first `upto` steps (all by default) as code."""
    lines, made, depth = [], 0, 0
    for step in program.steps[:upto]:
        lines.append(step_code(program, step, made, depth))
        made += isinstance(step, MakeLeaf | Apply)
        depth += 1 if isinstance(step, Enter) else -1 if isinstance(step, Leave) else 0
    return "".join(line + "\n" for line in lines)


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


def _compare(engine: Engine, model: Model, handles: list[Handle], allowed_steps: int) -> str | None:
    """The first observable where the engine and the model disagree, described; or None."""
    if engine.enable_backprop() is not model.flag:
        return f"Config.enable_backprop is {engine.enable_backprop()!r}, expected {model.flag!r}"
    eps, tiny = float(np.finfo(model.dtype).eps), float(np.finfo(model.dtype).tiny)
    for i, (handle, want) in enumerate(zip(handles, model.variables)):
        if (engine.creator(handle) is not None) != (want.inputs is not None):
            return f"v{i}.creator is {'set' if want.inputs is None else 'None'}; expected the opposite"
        got = engine.grad(handle)
        if (got is None) != (want.grad is None):
            expected = "None" if want.grad is None else short(np.array([float(f) for f in want.grad]))
            return f"v{i}.grad is {short(got)}, expected {expected}"
        if got is not None and want.grad is not None:
            flat = np.asarray(got, dtype=np.float64).reshape(-1)
            for element, (value, exact, bound) in enumerate(zip(flat, want.grad, want.bound)):
                allowed = 4 * allowed_steps * (eps * bound + tiny)
                if not np.isfinite(value) or abs(Fraction(float(value)) - exact) > Fraction(allowed):
                    return f"v{i}.grad (element {element}) is {value!r}, expected {float(exact)!r}"
    return None


def check_sequence(engine: Engine, program: Program) -> None:
    """Run the program on the engine and the model; compare every observable after each step."""
    model = Model(program)
    handles: list[Handle] = []
    blocks: list[AbstractContextManager[object]] = []
    allowed_steps = 2 * len(program.steps) + 8
    try:
        for number, step in enumerate(program.steps):
            line = step_code(program, step, len(handles), len(blocks))
            problem = _run_step(engine, program, step, handles, blocks)
            model.apply(step)
            problem = problem or _compare(engine, model, handles, allowed_steps)
            if problem is not None:
                raise Violation(
                    f"after step {number + 1} ({line}): {problem}", program_code(program, number + 1) + f"# {problem}"
                )
    finally:
        while blocks:  # leave what the program left open, so the next example starts clean
            blocks.pop().__exit__(None, None, None)
        engine.set_enable_backprop(True)


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


_trial = trial_maker(check_sequence, lambda _: "", _describe, program_code)

PROPERTIES: Final = (
    Property(
        id="operation-sequences-match-model",
        tier="core",
        summary="any interleaving of building, backward, cleargrad and config blocks matches the model",
        needs=frozenset({"Variable", "add", "square", "Config", "using_config", "no_grad"}),
        trials=programs().map(_trial),
    ),
)
