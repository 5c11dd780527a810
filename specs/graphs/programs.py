"""Operation sequences (`specs.graphs.ir.Program`) as a learner writes them, and smaller programs.

Blocks print as `with no_grad():` / `with using_config(...):`, a block left by an exception
inside `try` / `except`. `smaller` lists the programs one deletion or one simplification away,
always valid (no dangling variable, no `backward` on a variable without a creator, blocks left
in order), for the post-pass that keeps a change while the failure still shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Final

import numpy as np

from specs.graphs.ir import EXCEPTION_KINDS, Apply, Backward, ClearGrad, ConfigBlock, Enter, Leave, MakeLeaf, Program, SetFlag, Step
from specs.graphs.snippets import array_code

PLAIN: Final = (1.0, 2.0, 0.5, 3.0)  # the values a learner would type, tried in this order
PROBE_CLASS: Final = "class ProbeError(BaseException): pass"


def block_call(block: ConfigBlock) -> str:
    """The call a `with` statement makes for `block`."""
    return "no_grad()" if block == "no_grad" else f"using_config('enable_backprop', {block.endswith('(True)')})"


def exception_name(kind: str) -> str:
    """The class a snippet raises for an exception kind (a bare BaseException is the snippet's ProbeError)."""
    return "ProbeError" if kind == "BaseException" else kind


def step_line(program: Program, step: Step, made: int) -> str:
    """One step as a line of code (blocks as a phrase); `made` variables so far."""
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
        return f"with {block_call(step.block)}:"
    if isinstance(step, Leave):
        return "leaving the block" + (f" by {exception_name(step.raises)}" if step.raises else "")
    assert isinstance(step, SetFlag)
    return f"Config.enable_backprop = {step.value}"


def _partners(steps: tuple[Step, ...]) -> dict[int, int]:
    """Each Enter's position mapped to its Leave's (blocks still open have none)."""
    open_at: list[int] = []
    partner: dict[int, int] = {}
    for i, step in enumerate(steps):
        if isinstance(step, Enter):
            open_at.append(i)
        elif isinstance(step, Leave) and open_at:
            partner[open_at.pop()] = i
    return partner


def program_code(program: Program, upto: int | None = None, check: str = "") -> str:
    """The first `upto` steps (all by default) as code, then `check` inside whatever blocks are open.

    The last step, when it leaves a block by an exception, keeps it as `caught` for a check to print.
    """
    steps = program.steps[:upto]
    partner = _partners(steps)
    lines: list[str] = [PROBE_CLASS] if any(isinstance(s, Leave) and s.raises == "BaseException" for s in steps) else []
    depth, made, bodies = 0, 0, list[int]()  # bodies: where each open block's body starts

    def add(line: str) -> None:
        lines.append("    " * depth + line)

    for i, step in enumerate(steps):
        if isinstance(step, Enter):
            leave = partner.get(i)
            left = steps[leave] if leave is not None else None
            if isinstance(left, Leave) and left.raises is not None:
                if i == len(steps) - 1 or leave == len(steps) - 1:
                    add("caught = None")
                add("try:")
                depth += 1
            add(f"with {block_call(step.block)}:")
            depth += 1
            bodies.append(len(lines))
        elif isinstance(step, Leave):
            start = bodies.pop()
            if step.raises is not None:
                add(f"raise {exception_name(step.raises)}('probe')")
            elif len(lines) == start:
                add("pass")
            depth -= 1
            if step.raises is not None:
                depth -= 1
                last = i == len(steps) - 1
                add(f"except {exception_name(step.raises)}" + (" as error:" if last else ":"))
                lines.append("    " * (depth + 1) + ("caught = error" if last else "pass"))
        else:
            add(step_line(program, step, made))
            made += isinstance(step, MakeLeaf | Apply)
    for line in check.splitlines():
        add(line)
    if bodies and len(lines) == bodies[-1]:
        add("pass")
    return "".join(line + "\n" for line in lines)


def depth_after(program: Program, upto: int) -> int:
    """How many blocks are open after the first `upto` steps."""
    depth = 0
    for step in program.steps[:upto]:
        depth += 1 if isinstance(step, Enter) else -1 if isinstance(step, Leave) and depth else 0
    return depth


def valid(program: Program) -> bool:
    """Every reference is to an earlier variable, blocks are left in order, `backward` has a creator."""
    depth, flags, has_creator = 0, [True], list[bool]()
    for step in program.steps:
        if isinstance(step, MakeLeaf):
            has_creator.append(False)
        elif isinstance(step, Apply):
            if any(i >= len(has_creator) for i in step.inputs):
                return False
            has_creator.append(flags[-1])
        elif isinstance(step, Backward | ClearGrad):
            if step.variable >= len(has_creator) or (isinstance(step, Backward) and not has_creator[step.variable]):
                return False
        elif isinstance(step, Enter):
            flags.append(step.block == "using_config(True)")
            depth += 1
        elif isinstance(step, Leave):
            if not depth:
                return False
            flags.pop()
            depth -= 1
        else:
            flags[-1] = step.value
    return True


def _without(program: Program, index: int) -> Program:
    """The program without step `index`: an Enter goes with its Leave, a variable with every step using it."""
    if isinstance(program.steps[index], Enter):
        leave = _partners(program.steps).get(index)
        return replace(program, steps=tuple(s for i, s in enumerate(program.steps) if i not in (index, leave)))
    return _renumber(program, list(program.steps), index)


def _renumber(program: Program, steps: list[Step], index: int, bypass: bool = False) -> Program:
    """Drop step `index` and every later step that (transitively) uses the variable it made; with
    `bypass`, an `Apply`'s users take its first input instead."""
    old_to_new: dict[int, int] = {}
    out: list[Step] = []
    old = 0
    for i, step in enumerate(steps):
        makes = isinstance(step, MakeLeaf | Apply)
        uses = step.inputs if isinstance(step, Apply) else (step.variable,) if isinstance(step, Backward | ClearGrad) else ()
        if i == index and bypass and isinstance(step, Apply) and step.inputs[0] in old_to_new:
            old_to_new[old] = old_to_new[step.inputs[0]]
            old += 1
            continue
        dropped = i == index or any(u not in old_to_new for u in uses)
        if not dropped:
            if isinstance(step, Apply):
                step = Apply(step.op, tuple(old_to_new[u] for u in step.inputs))
            elif isinstance(step, Backward):
                step = Backward(old_to_new[step.variable], step.retain_grad)
            elif isinstance(step, ClearGrad):
                step = ClearGrad(old_to_new[step.variable])
            if makes:
                old_to_new[old] = sum(isinstance(s, MakeLeaf | Apply) for s in out)
            out.append(step)
        if makes:
            old += 1
    return replace(program, steps=tuple(out))


def smaller(program: Program) -> Iterator[Program]:
    """Valid programs one change smaller or plainer: a step deleted (last first), then simpler values."""
    for index in reversed(range(len(program.steps))):
        candidate = _without(program, index)
        if valid(candidate):
            yield candidate
    for index in reversed(range(len(program.steps))):
        if isinstance(program.steps[index], Apply):
            candidate = _renumber(program, list(program.steps), index, bypass=True)
            if valid(candidate):
                yield candidate
    if program.shape != ():
        yield replace(program, shape=(), steps=tuple(
            MakeLeaf(s.values[:1]) if isinstance(s, MakeLeaf) else s for s in program.steps))
    if program.dtype != "float64":
        yield replace(program, dtype="float64")
    for index, step in enumerate(program.steps):
        if isinstance(step, MakeLeaf):
            for plain in PLAIN:
                values = (plain,) * len(step.values)
                if step.values == values:
                    break
                yield _with_step(program, index, MakeLeaf(values))
        elif isinstance(step, Backward) and step.retain_grad:
            yield _with_step(program, index, Backward(step.variable, False))
        elif isinstance(step, Leave) and step.raises is not None:
            yield _with_step(program, index, Leave(None))
            for kind in EXCEPTION_KINDS[: EXCEPTION_KINDS.index(step.raises)]:  # ValueError first, ProbeError last
                yield _with_step(program, index, Leave(kind))
        elif isinstance(step, Enter) and step.block != "no_grad":
            candidate = _with_step(program, index, Enter("no_grad"))
            if valid(candidate):
                yield candidate


def _with_step(program: Program, index: int, step: Step) -> Program:
    return replace(program, steps=program.steps[:index] + (step,) + program.steps[index + 1 :])
