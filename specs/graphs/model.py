"""A small pure model of step-18 semantics, the book's quirks included, for operation sequences.

Forward values are numpy's, rounded in the program's dtype exactly as any engine rounds them.
Gradients are exact (Fractions) given those values, with a running error bound per element
(the same sums over absolute values), so a float engine can be compared with a tolerance.
The book's quirks are the model's: `backward()` seeds a grad only when there is none, and with
`retain_grad=True` a later pass starts from the grads the earlier one left behind.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from specs.graphs.ir import Apply, Backward, ClearGrad, DType, Enter, FloatArray, Leave, MakeLeaf, Program, SetFlag, Step


@dataclass
class ModelVariable:
    """What the model knows of one Variable."""

    data: FloatArray
    inputs: tuple[int, ...] | None = None  # the creator's inputs; None without a creator
    op: str = ""
    generation: int = 0
    grad: list[Fraction] | None = None
    bound: list[float] = field(default_factory=list)  # sum of |contributions| per element


class Model:
    """Run a program's steps on the model; read the observables after each one."""

    def __init__(self, program: Program) -> None:
        self.dtype: DType = program.dtype
        self.shape = program.shape
        self.flag = True
        self.saved_flags: list[bool] = []  # one per open block: the value to restore
        self.variables: list[ModelVariable] = []

    def apply(self, step: Step) -> None:
        """Advance the model by one step."""
        if isinstance(step, MakeLeaf):
            data = np.array(step.values, dtype=self.dtype).reshape(self.shape)
            self.variables.append(ModelVariable(data))
        elif isinstance(step, Apply):
            self._apply(step)
        elif isinstance(step, Backward):
            self._backward(step.variable, step.retain_grad)
        elif isinstance(step, ClearGrad):
            self.variables[step.variable].grad = None
        elif isinstance(step, Enter):
            self.saved_flags.append(self.flag)
            self.flag = step.block == "using_config(True)"
        elif isinstance(step, Leave):
            if self.saved_flags:
                self.flag = self.saved_flags.pop()
        elif isinstance(step, SetFlag):
            self.flag = step.value

    def _apply(self, step: Apply) -> None:
        xs = [self.variables[i] for i in step.inputs]
        with np.errstate(all="ignore"):  # IEEE results whatever error state a target has set
            if step.op == "add":
                data = np.asarray(np.add(xs[0].data, xs[1].data))
            else:
                data = np.asarray(np.square(xs[0].data))
        if self.flag:
            generation = 1 + max(x.generation for x in xs)
            self.variables.append(ModelVariable(data, step.inputs, step.op, generation))
        else:
            self.variables.append(ModelVariable(data))

    def _backward(self, start: int, retain_grad: bool) -> None:
        size = self.variables[start].data.size
        v = self.variables[start]
        if v.grad is None:
            v.grad, v.bound = [Fraction(1)] * size, [1.0] * size
        pending = [(-v.generation, start)]  # functions are named by their (only) output
        seen = {start}
        while pending:
            _, out = heapq.heappop(pending)
            y = self.variables[out]
            assert y.inputs is not None and y.grad is not None
            for i in y.inputs:
                x = self.variables[i]
                local = [2 * Fraction(float(v)) for v in x.data.reshape(-1)] if y.op == "square" else [Fraction(1)] * size
                magnitude = [abs(float(f)) for f in local]
                contribution = [g * f for g, f in zip(y.grad, local)]
                bound = [b * m for b, m in zip(y.bound, magnitude)]
                if x.grad is None:
                    x.grad, x.bound = contribution, bound
                else:
                    x.grad = [a + c for a, c in zip(x.grad, contribution)]
                    x.bound = [a + c for a, c in zip(x.bound, bound)]
                if x.inputs is not None and i not in seen:
                    seen.add(i)
                    heapq.heappush(pending, (-x.generation, i))
            if not retain_grad:
                y.grad, y.bound = None, []
