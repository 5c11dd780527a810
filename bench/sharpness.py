"""How small a relative error in ONE backward rule does `gradients-match-finite-differences` catch?

    python bench/sharpness.py                               # deltas 1e-2 .. 1e-10, 200 examples
    python bench/sharpness.py --max-examples 1000 --seed 3
    python bench/sharpness.py --deltas 1e-6 3e-7 1e-7

Each run checks refengine with one rule scaled by (1 + delta): Square's backward becomes
`2 * x * gy * (1 + delta)`, or Add's becomes `(gy * (1 + delta), gy)` (first input only),
on graphs of a single dtype. "examples until caught" counts examples up to the first failing
one (shrinking excluded); "run" is every example Hypothesis ran, shrinking included.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections.abc import Callable

import refengine
from refengine import Array, Variable
from specs.graphs.ir import DType, Graph, features
from specs.graphs.snippets import graph_code
from specs.graphs.strategies import graphs
from specs.properties import BY_ID, Property
from specs.properties.base import trial_maker
from specs.properties.graphs import check_gradients
from specs.run.runner import Options, run_property
from specs.target.adapters.dezero_style import DezeroStyle
from specs.target.adapters.protocol import Engine

PROPERTY_ID = "gradients-match-finite-differences"
RULES = ("square", "add")
DTYPES: tuple[DType, ...] = ("float64", "float32")


def perturbed_namespace(rule: str, delta: float) -> dict[str, object]:
    """refengine's names, with `rule`'s backward (and its function) scaled by 1 + delta."""
    factor = 1 + delta

    class Square(refengine.Square):
        """refengine's Square with a backward that is off by a relative `delta`."""

        __slots__ = ()

        def backward(self, gy: Array) -> Array:
            """dy/dx = 2x (1 + delta)."""
            x = self.inputs[0].data
            assert x is not None
            return 2 * x * gy * factor

    class Add(refengine.Add):
        """refengine's Add whose first input's grad is off by a relative `delta`."""

        __slots__ = ()

        def backward(self, gy: Array) -> tuple[Array, Array]:
            """dy/dx0 = 1 + delta, dy/dx1 = 1."""
            return gy * factor, gy

    def square(x: Variable) -> Variable:
        """Square with the perturbed backward."""
        return Square()(x)

    def add(x0: Variable, x1: Variable) -> Variable:
        """Add with the perturbed backward."""
        return Add()(x0, x1)

    namespace: dict[str, object] = {name: getattr(refengine, name) for name in refengine.__all__}
    if rule == "square":
        namespace.update(Square=Square, square=square)
    else:
        namespace.update(Add=Add, add=add)
    return namespace


def one_dtype_property(dtype: DType, counter: list[int]) -> Property:
    """The registered property on graphs of one dtype, no explicit examples; counts checks.

    counter[0] counts calls of the check; counter[1] records the call that first failed.
    """

    def check(engine: Engine, graph: Graph) -> None:
        """check_gradients, noting when it first fails."""
        counter[0] += 1
        try:
            check_gradients(engine, graph)
        except BaseException:
            if counter[1] == 0:
                counter[1] = counter[0]
            raise

    describe: Callable[[Graph], tuple[frozenset[str], int]] = lambda g: (features(g), len(g.nodes))
    to_trial = trial_maker(check, graph_code, describe)
    return dataclasses.replace(BY_ID[PROPERTY_ID], trials=graphs(dtypes=[dtype]).map(to_trial), examples=())


def main() -> None:
    """Run every (rule, dtype, delta) and print what was caught."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-examples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--deltas", nargs="+", type=float, default=[10.0**-k for k in range(2, 11)])
    args = parser.parse_args()
    options = Options(max_examples=args.max_examples, database=None, seed=args.seed)
    smallest: dict[tuple[str, DType], float | None] = {}
    print(f"{'rule':<7} {'dtype':<8} {'delta':>8} {'caught':>6} {'examples until caught':>22} "
          f"{'run':>5} {'seconds':>8}")
    for rule in RULES:
        for dtype in DTYPES:
            smallest[rule, dtype] = None
            for delta in args.deltas:
                engine = DezeroStyle(perturbed_namespace(rule, delta), f"{rule} backward * (1 + {delta:g})")
                counter = [0, 0]
                started = time.perf_counter()
                result, _ = run_property(one_dtype_property(dtype, counter), engine, options)
                seconds = time.perf_counter() - started
                caught = result.status == "failed"
                best = smallest[rule, dtype]
                if caught:
                    smallest[rule, dtype] = delta if best is None else min(delta, best)
                until = str(counter[1]) if caught else "-"
                print(f"{rule:<7} {dtype:<8} {delta:>8.0e} {'yes' if caught else 'no':>6} {until:>22} "
                      f"{result.examples:>5} {seconds:>8.2f}")
                if result.status == "error":
                    print(f"  suite error: {result.message}")
    print()
    for (rule, dtype), delta_caught in smallest.items():
        text = "none caught" if delta_caught is None else f"{delta_caught:.0e}"
        print(f"{rule:<7} {dtype:<8} smallest delta caught: {text}")


if __name__ == "__main__":
    main()
