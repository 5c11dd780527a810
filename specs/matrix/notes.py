"""What the matrix's failures mean, engine by engine: written by hand after reading each one.

A note is shown only beside a cell that failed or errored; keys are (target, property id).
"""

from __future__ import annotations

from typing import Final

_NUMPY1_FLOAT32: Final = (
    "dtype, not value: dezero 0.0.13 runs only under numpy < 1.24 (numpy 1.23.5 here), where its Pow.backward, "
    "`c * x ** (c - 1) * gy`, turns a 0-d float32 input into a float64 grad (numpy 1.x casts by value when every "
    "operand is 0-d); n-d float32 leaves keep float32. The book's own code does the same under numpy 1.x.")
_LEAF_BACKWARD: Final = (
    "the book's code: `backward()` on a Variable without a creator puts None in its list of functions and "
    "crashes with AttributeError (refengine seeds the leaf's grad).")
_SHARED_CONFIG: Final = (
    "`Config.enable_backprop` is a class attribute shared by every thread: `no_grad()` in one thread switches "
    "graph building off in all of them.")
_MICROGRAD_ZERO: Final = (
    "micrograd starts every grad at 0 and has no None: a leaf that does not reach y reads 0.0. By design; the "
    "famous graphs that ran before this example got the right values.")

NOTES: Final[dict[tuple[str, str], str]] = {
    ("book", "backward-on-leaf-seeds-its-grad"): _LEAF_BACKWARD,
    ("book", "config-isolated-between-threads"): _SHARED_CONFIG,
    **{(target, prop): _NUMPY1_FLOAT32 for target in ("dezero", "dezero-simple") for prop in (
        "gradients-match-finite-differences", "retain-grad-true-keeps-intermediate-grads",
        "grads-accumulate-across-backward-calls")},
    ("dezero", "backward-on-leaf-seeds-its-grad"): _LEAF_BACKWARD,
    ("dezero-simple", "backward-on-leaf-seeds-its-grad"): _LEAF_BACKWARD,
    ("dezero", "config-isolated-between-threads"): _SHARED_CONFIG,
    ("dezero-simple", "config-isolated-between-threads"): _SHARED_CONFIG,
    ("torch", "operation-sequences-match-model"): (
        "retain_grad=True maps to `Tensor.retain_grad()`, a flag that stays on the tensor: after "
        "`v1.backward(retain_grad=True)` a later plain `v1.backward()` still keeps v1's grad. DeZero's "
        "retain_grad holds for one call. A difference of design, not a torch bug."),
    ("mygrad", "retain-grad-false-keeps-only-leaf-grads"): (
        "grads kept by default: mygrad keeps every tensor's grad after `backward()`; it has no retain_grad. By design."),
    ("mygrad", "grads-accumulate-across-backward-calls"): (
        "no accumulation: a second `backward()` replaces the grads of the first (x0.grad 2.0, not 4.0)."),
    ("mygrad", "config-isolated-between-threads"): (
        "graph tracking (`no_autodiff`) is one module-level flag, shared by every thread."),
    ("jax", "forward-values-match-numpy"): (
        "XLA on the CPU flushes subnormal numbers to zero, in results and in operands: `jnp.square` of a float32 "
        "7.5e-23 gives 0.0 where numpy gives 6e-45, and 1e-45 + 1e-45 gives 0.0 (float64 too, below 2.2e-308)."),
    ("micrograd", "gradients-match-finite-differences"): _MICROGRAD_ZERO,
    ("micrograd", "retain-grad-true-keeps-intermediate-grads"): _MICROGRAD_ZERO,
    ("micrograd", "retain-grad-false-keeps-only-leaf-grads"): (
        "grads kept by default: micrograd keeps every Value's grad; it has no retain_grad. By design."),
    ("micrograd", "grads-accumulate-across-backward-calls"): (
        "a second `backward()` seeds y.grad = 1 again but leaves the intermediate grads of the first pass in place "
        "and propagates them again: x0.grad is 5.0, not 4.0. micrograd expects `zero_grad()` before each pass."),
    ("micrograd", "graph-freed-by-reference-counting"): (
        "each op's `_backward` closure refers to the Value it made: every node is a reference cycle, freed only by "
        "the cyclic garbage collector."),
    ("micrograd", "deep-graph-backward"): (
        "`backward()` sorts the graph with a recursive function: RecursionError past about 1,000 nodes."),
}
