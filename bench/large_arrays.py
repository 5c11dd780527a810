"""The book's experiment on large arrays: y = square(square(square(x))), forward + backward.

    python bench/large_arrays.py                        # 100x100x100 float64, 15 alternating rounds
    python bench/large_arrays.py --shape 1000 1000 --repeat 9

Every engine runs against `numpy floor`, the cheapest NumPy sequence an engine that keeps the
graph could run for the same forward and backward:

    a = square(x); b = square(a); y = square(b)        # the three results the graph keeps
    g = ones_like(y)                                   # the seed, d y / d y
    for v in (b, a, x): multiply(g, v, out=g); g *= 2  # each square's rule, 2 v g, in one buffer

x holds standard normal values, so x ** 8 and 8 x ** 7 are finite. The ratio column divides an
engine's forward + backward median by the floor's. The last column is the median number of
minor page faults during backward (4 KiB pages the kernel zeroed for fresh allocations; one
array is ~1,950): where an engine allocates a fresh grad array per function and the floor
reuses one buffer, this is most of the gap.
"""

from __future__ import annotations

import argparse
import functools
import resource

import numpy as np

from benchlib import (
    ENGINES,
    PEERS,
    Array,
    Engine,
    add_clock_option,
    alternate,
    load_engines,
    machine,
    median,
    print_notes,
    table,
    timed,
    use_clock,
)


def numpy_floor(x: Array) -> tuple[float, float, int]:
    """(forward seconds, backward seconds, backward page faults) of the cheapest NumPy sequence."""
    (a, b, y), forward = timed(lambda: _floor_forward(x))

    def backward() -> Array:
        g = np.ones_like(y)
        for v in (b, a, x):
            np.multiply(g, v, out=g)
            g *= 2
        return g

    faults = _page_faults()
    _, backward_seconds = timed(backward)
    return forward, backward_seconds, _page_faults() - faults


def _floor_forward(x: Array) -> tuple[Array, Array, Array]:
    a = np.square(x)
    b = np.square(a)
    return a, b, np.square(b)


def engine_run(engine: Engine, x: Array) -> tuple[float, float, int]:
    """(forward seconds, backward seconds, backward page faults) of one engine."""
    v = engine.leaf(x.copy())  # a fresh leaf: no grad left over from the round before
    y, forward = timed(lambda: engine.square(engine.square(engine.square(v))))
    faults = _page_faults()
    _, backward = timed(lambda: engine.backward(y))
    return forward, backward, _page_faults() - faults


def _page_faults() -> int:
    """Minor page faults of this process so far: each is a fresh page the kernel had to zero."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def main() -> None:
    """Parse the options, time the floor and every engine, print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shape", nargs="+", type=int, default=[100, 100, 100])
    parser.add_argument("--repeat", type=int, default=15, help="alternating rounds (default 15)")
    parser.add_argument("--engines", nargs="+", default=[*ENGINES, *PEERS], choices=[*ENGINES, *PEERS])
    add_clock_option(parser)
    args = parser.parse_args()
    use_clock(args.clock)
    engines, notes = load_engines(args.engines, arrays=True)
    x = np.random.default_rng(0).standard_normal(tuple(args.shape))
    reference = np.asarray(8 * x**7)
    for engine in engines:  # warm up, and check the gradient while at it
        v = engine.leaf(x.copy())
        engine.backward(engine.square(engine.square(engine.square(v))))
        if not np.allclose(np.asarray(engine.grad(v)), reference, rtol=1e-12):
            notes.append(f"{engine.name}: grad differs from 8 x ** 7")
    contenders = {"numpy floor": functools.partial(numpy_floor, x)}
    contenders.update({e.name: functools.partial(engine_run, e, x) for e in engines})
    runs = alternate(contenders, args.repeat)
    floor_total = median(r[0] + r[1] for r in runs["numpy floor"])
    rows = []
    for name, results in runs.items():
        forward = median(r[0] for r in results) * 1e3
        backward = median(r[1] for r in results) * 1e3
        total = median(r[0] + r[1] for r in results)
        faults = round(median(r[2] for r in results))
        rows.append([name, forward, backward, total * 1e3, f"{total / floor_total:.2f}", faults])
    megabytes = x.nbytes / 1e6
    print(f"Three squares of a {'x'.join(map(str, args.shape))} {x.dtype} array ({megabytes:.0f} MB), "
          f"forward + backward; medians of {args.repeat} alternating rounds")
    print(machine())
    print(table(["engine", "forward ms", "backward ms", "total ms", "x numpy floor", "backward page faults"], rows))
    print_notes(notes)


if __name__ == "__main__":
    main()
