"""Memory, counted in arrays with tracemalloc: what each engine holds and peaks at.

    python bench/memory.py                              # arrays of 100x100x100 float64 (8 MB)
    python bench/memory.py --shape 1000 --chain 1 2 3 1000

Two experiments; every number is traced bytes divided by the size of one array, so 4.00 means
four arrays (a few hundred bytes of Python objects add up to the odd 0.01):

1. A chain of k squares under the engine's no-grad mode, y = square(...square(x)...), counted
   from before x exists: the peak is x, the old y and the new y (3 arrays) and afterwards x and
   y are held (2), whatever k, when nothing keeps the intermediate values alive.
2. The book's experiment, y = square(square(square(x))) with the graph recorded: held after
   forward (x and three results: 4), the peak during backward and what is held afterwards,
   with `retain_grad=False` (each function's output grad freed once it has run) and, for the
   engines that have the flag, `retain_grad=True` (every grad kept: 8 is the minimum).
"""

from __future__ import annotations

import argparse

import numpy as np

from benchlib import ENGINES, PEERS, Engine, Traced, load_engines, machine, print_notes, table

RETAIN_GRAD_FLAG = ("refengine", "book", "dezero")  # backward(retain_grad=...) as in the book


def no_grad_chain(engine: Engine, shape: tuple[int, ...], k: int) -> tuple[int, int]:
    """(peak bytes, held bytes) of k squares under no-grad, from before x exists."""
    assert engine.no_grad is not None
    with Traced() as meter:
        with engine.no_grad():
            x = engine.leaf(np.ones(shape))
            y = x
            for _ in range(k):
                y = engine.square(y)
        peak, held = meter.peak(), meter.held()
        del x, y
    return peak, held


def three_squares(engine: Engine, shape: tuple[int, ...], retain_grad: bool) -> tuple[int, int, int]:
    """(held after forward, peak during backward, held after backward), in bytes."""
    with Traced() as meter:
        x = engine.leaf(np.ones(shape))
        y = engine.square(engine.square(engine.square(x)))
        forward = meter.held()
        meter.new_phase()
        if retain_grad:
            y.backward(retain_grad=True)
        else:
            engine.backward(y)
        peak, held = meter.peak(), meter.held()
        del x, y
    return forward, peak, held


def main() -> None:
    """Parse the options, run both experiments on every engine, print two tables."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shape", nargs="+", type=int, default=[100, 100, 100])
    parser.add_argument("--chain", nargs="+", type=int, default=[1, 3, 10, 100], help="values of k")
    parser.add_argument("--engines", nargs="+", default=[*ENGINES, *PEERS], choices=[*ENGINES, *PEERS])
    args = parser.parse_args()
    shape = tuple(args.shape)
    engines, notes = load_engines(args.engines, arrays=True, traced=True)
    array = float(np.ones(shape).nbytes)
    print(f"Memory in arrays of {'x'.join(map(str, shape))} float64 ({array / 1e6:.0f} MB), traced by tracemalloc")
    print(machine())
    print()
    rows = []
    for engine in engines:
        if engine.no_grad is None:
            notes.append(f"{engine.name}: no no-grad mode, left out of the first table")
            continue
        row: list[object] = [engine.name]
        for k in args.chain:
            peak, held = no_grad_chain(engine, shape, k)
            row.append(f"{peak / array:.2f} / {held / array:.2f}")
        rows.append(row)
    print("1. k squares under no-grad: peak / held, in arrays (minimum: 3 / 2)")
    print(table(["engine", *[f"k = {k:,}" for k in args.chain]], rows))
    print()
    rows = []
    for engine in engines:
        for retain_grad in (False, True):
            if retain_grad and engine.name not in RETAIN_GRAD_FLAG:
                continue
            forward, peak, held = three_squares(engine, shape, retain_grad)
            mode = "retain_grad=True" if retain_grad else "default"
            rows.append([engine.name, mode, forward / array, peak / array, held / array])
    print("2. y = square(square(square(x))) with the graph recorded, in arrays")
    print(table(["engine", "backward", "held after forward", "backward peak", "held after backward"], rows))
    notes.append("mygrad's and dezero's default backward keep no intermediate grads; dezero's grads are Variables")
    print_notes(notes)


if __name__ == "__main__":
    main()
