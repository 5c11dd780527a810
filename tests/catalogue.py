"""Broken engines: the book's step-18 file with exactly one realistic bug patched in.

Each entry is written to a real `.py` file and loaded the way a user's file is, so the suite
sees them exactly as it sees a learner's engine.
"""

from __future__ import annotations

from typing import Final

from tests.broken_engine import BOOK, BrokenEngine
from tests.catalogue_props import PROPS_CATALOGUE

__all__ = ["BOOK", "BY_NAME", "CATALOGUE", "BrokenEngine"]

CATALOGUE: Final = (
    # ordering
    BrokenEngine(
        "no_generation_sort",  # step 15's stack: a diamond's shared node runs too early
        "                funcs.sort(key=lambda x: x.generation)\n",
        "",
        "gradients-match-finite-differences",
    ),
    BrokenEngine(
        "generation_from_min",
        "            self.generation = max([x.generation for x in inputs])\n",
        "            self.generation = min([x.generation for x in inputs])\n",
        "gradients-match-finite-differences",
    ),
    BrokenEngine(
        "functions_not_deduplicated",
        "            if f not in seen_set:\n",
        "            if True:\n",
        "gradients-match-finite-differences",
    ),
    BrokenEngine(
        "pop_that_forgets_to_pop",
        "            f = funcs.pop()\n",
        "            f = funcs[-1]\n",
        "retain-grad-true-keeps-intermediate-grads",  # loops forever when nothing clears the grads
    ),
    # accumulation
    BrokenEngine(
        "grad_accumulated_in_place",  # the second input's grad is the very array of the first
        "                    x.grad = x.grad + gx\n",
        "                    x.grad += gx\n",
        "retain-grad-true-keeps-intermediate-grads",
    ),
    BrokenEngine(
        "grad_overwritten",
        "                    x.grad = x.grad + gx\n",
        "                    x.grad = gx\n",
        "gradients-match-finite-differences",
    ),
    BrokenEngine(
        "add_backward_drops_an_input",
        "        return gy, gy\n",
        "        return (gy,)\n",
        "gradients-match-finite-differences",
    ),
    BrokenEngine(
        "square_backward_off_by_1e-3",
        "        return 2 * x * gy\n",
        "        return 2.002 * x * gy\n",
        "gradients-match-finite-differences",
    ),
    BrokenEngine(
        "square_backward_off_by_1e-7",
        "        return 2 * x * gy\n",
        "        return 2 * x * gy * (1 + 1e-7)\n",
        "gradients-match-finite-differences",
    ),
    # retain_grad
    BrokenEngine(
        "retain_grad_ignored",  # intermediate grads are never released
        "            if not retain_grad:\n",
        "            if False:\n",
        "retain-grad-false-keeps-only-leaf-grads",
    ),
    BrokenEngine(
        "leaf_grads_cleared",
        "                for y in f.outputs:\n                    y().grad = None\n",
        "                for y in f.outputs:\n                    y().grad = None\n"
        "                for x in f.inputs:\n                    if x.creator is None:\n"
        "                        x.grad = None\n",
        "gradients-match-finite-differences",
    ),
    BrokenEngine(
        "intermediates_cleared_despite_retain_grad",
        "            if not retain_grad:\n",
        "            if True:\n",
        "retain-grad-true-keeps-intermediate-grads",
    ),
    BrokenEngine(
        "cleargrad_does_nothing",
        "    def cleargrad(self):\n        self.grad = None\n",
        "    def cleargrad(self):\n        pass\n",
        "grads-accumulate-across-backward-calls",
    ),
    # no_grad and Config
    BrokenEngine(
        "graph_built_under_no_grad",
        "        if Config.enable_backprop:\n",
        "        if True:\n",
        "no-grad-builds-no-graph",
    ),
    BrokenEngine(
        "no_grad_that_enables",
        '    return using_config("enable_backprop", False)\n',
        '    return using_config("enable_backprop", True)\n',
        "no-grad-builds-no-graph",
    ),
    BrokenEngine(
        "restore_without_finally",
        "    try:\n        yield\n    finally:\n        setattr(Config, name, old_value)\n",
        "    yield\n    setattr(Config, name, old_value)\n",
        "config-restored-after-exception",
    ),
    BrokenEngine(
        "restore_only_on_exception",  # KeyboardInterrupt and SystemExit leak the mode
        "    try:\n        yield\n    finally:\n        setattr(Config, name, old_value)\n",
        "    try:\n        yield\n    except Exception:\n        setattr(Config, name, old_value)\n"
        "        raise\n    setattr(Config, name, old_value)\n",
        "config-restored-after-exception",
    ),
    BrokenEngine(
        "restore_to_a_constant",
        "        setattr(Config, name, old_value)\n",
        "        setattr(Config, name, True)\n",
        "config-restored-after-exception",
    ),
    # memory
    BrokenEngine(
        "outputs_held_strongly",  # Variable -> Function -> Variable: a reference cycle
        "            self.outputs = [weakref.ref(output) for output in outputs]\n",
        "            self.outputs = [(lambda o: (lambda: o))(output) for output in outputs]\n",
        "graph-freed-by-reference-counting",
    ),
    BrokenEngine(
        "inputs_held_weakly",  # intermediates nobody else holds vanish before backward
        "            self.inputs = inputs\n",
        "            self.inputs = _WeakInputs(inputs)\n",
        "gradients-match-finite-differences",
        prelude="class _WeakInputs:\n    def __init__(self, xs):\n        self.refs = [weakref.ref(x) for x in xs]\n"
        "    def __iter__(self):\n        return iter([r() for r in self.refs])\n"
        "    def __getitem__(self, i):\n        return self.refs[i]()\n\n\n",
    ),
    # values
    BrokenEngine(
        "forward_in_float32",
        "        return x**2\n",
        "        return x.astype(np.float32) ** 2\n",
        "forward-values-match-numpy",
    ),
    BrokenEngine(
        "variable_accepts_floats",
        "            if not isinstance(data, np.ndarray):\n",
        "            if not isinstance(data, (np.ndarray, float)):\n",
        "variable-rejects-non-ndarray",
    ),
    *PROPS_CATALOGUE,  # issue 12's groups 3-10 and other slips (tests/catalogue_props.py)
)
BY_NAME: Final = {engine.name: engine for engine in CATALOGUE}
