"""Time forward and backward over deep chains and wide DAGs; medians, scaling exponents, a plot.

    python bench/backward_graphs.py                       # refengine and the book, 1,000 to 100,000
    python bench/backward_graphs.py --kinds chain --sizes 1000000 --engines refengine
    python bench/backward_graphs.py --kinds wide --sizes 1000 10000 100000 1000000 \\
        --plot docs/wide_dag.png                          # the plot in the README

Graphs (one leaf x holding 0.0; every node an add):

- chain: y = x + x + ... + x, each add on the one before: one function per generation.
- wide: node k adds node k-1 to a node drawn uniformly from all earlier ones, so during
  backward many functions wait at once (a wide frontier) and every node is reached.

On the wide DAG a grad counts paths, and the number of paths overflows float64 past ~1,500
nodes: overflow warnings are switched off (np.errstate), so that inf grads cost no more than
finite ones. `book` is the book's step-18 algorithm, which re-sorts its list of pending
functions on every insertion: quadratic on wide graphs, so it runs only up to `--book-max`
nodes. The exponent is the least-squares slope of log(backward seconds) against log(nodes):
1 is linear, i.e. a flat time per node.
"""

from __future__ import annotations

import argparse
import functools
import math
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from benchlib import (
    ENGINES,
    PEERS,
    Engine,
    Node,
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


def build_chain(engine: Engine, n: int, rng: np.random.Generator) -> Node:
    """y = x + x + ... + x, one add per node: every function has its own generation."""
    x = engine.leaf(np.array(0.0))
    y = x
    for _ in range(n):
        y = engine.add(y, x)
    return y


def build_wide(engine: Engine, n: int, rng: np.random.Generator) -> Node:
    """Node k adds node k-1 to a node drawn from all earlier ones (a wide frontier)."""
    nodes = [engine.leaf(np.array(0.0))]
    for pick in rng.random(n):
        nodes.append(engine.add(nodes[-1], nodes[int(pick * len(nodes))]))
    return nodes[-1]


KINDS: dict[str, Callable[[Engine, int, np.random.Generator], Node]] = {
    "chain": build_chain,
    "wide": build_wide,
}


def measure(engine: Engine, kind: str, n: int, seed: int) -> tuple[float, float]:
    """(forward seconds, backward seconds) of one build and one backward pass."""
    rng = np.random.default_rng(seed)
    y, forward = timed(lambda: KINDS[kind](engine, n, rng))
    with np.errstate(over="ignore", invalid="ignore"):
        _, backward = timed(lambda: engine.backward(y))
    del y
    return forward, backward


def exponent(sizes: Sequence[int], seconds: Sequence[float]) -> float:
    """The least-squares slope of log(seconds) against log(sizes)."""
    xs = [math.log(n) for n in sizes]
    ys = [math.log(s) for s in seconds]
    x_mean, y_mean = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - x_mean) * (y - y_mean) for x, y in zip(xs, ys)) / sum((x - x_mean) ** 2 for x in xs)


def plot(path: Path, kind: str, series: dict[str, tuple[list[int], list[float]]]) -> str:
    """Save backward microseconds per node against nodes, log-log, one line per engine."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "plot skipped: matplotlib is not installed (pip install matplotlib)"
    from matplotlib.ticker import ScalarFormatter

    figure, axes = plt.subplots(figsize=(7, 4.5), dpi=120)
    for name, (sizes, per_node) in series.items():
        slope = exponent(sizes, [t * n for t, n in zip(per_node, sizes)]) if len(sizes) > 1 else float("nan")
        axes.plot(sizes, per_node, marker="o", label=f"{name} (scaling exponent {slope:.2f})")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.yaxis.set_major_formatter(ScalarFormatter())
    axes.yaxis.set_minor_formatter(ScalarFormatter())
    axes.set_xlabel("nodes (N)")
    axes.set_ylabel("backward time per node (µs)")
    axes.set_title(f"Backward pass over a {kind} DAG of adds: time per node\n{machine()}", fontsize=9)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
    return f"plot saved to {path}"


def main() -> None:
    """Parse the options, run every (kind, size, engine), print the medians and exponents."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=[*ENGINES, *PEERS])
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=list(KINDS))
    parser.add_argument("--sizes", nargs="+", type=int, default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument("--book-max", type=int, default=10_000, help="largest wide DAG for the book")
    parser.add_argument("--plot", type=Path, help="save a PNG of the first kind's backward time per node")
    add_clock_option(parser)
    args = parser.parse_args()
    use_clock(args.clock)
    engines, notes = load_engines(args.engines)
    for engine in engines:  # warm up: the first pass of any engine pays for cold caches
        for kind in args.kinds:
            measure(engine, kind, 1_000, seed=0)
    rows = []
    per_engine: dict[tuple[str, str], tuple[list[int], list[float]]] = {}
    for kind in args.kinds:
        for n in args.sizes:
            running = [e for e in engines if not (e.name == "book" and kind == "wide" and n > args.book_max)]
            runs = alternate({e.name: functools.partial(measure, e, kind, n, 0) for e in running}, args.repeat)
            for name, results in runs.items():
                forward = median(r[0] for r in results)
                backward = median(r[1] for r in results)
                rows.append([name, kind, n, forward, backward, backward / n * 1e6])
                sizes, seconds = per_engine.setdefault((kind, name), ([], []))
                sizes.append(n)
                seconds.append(backward)
    print(f"Backward over chains and wide DAGs; medians of {args.repeat} alternating rounds")
    print(machine())
    print(table(["engine", "graph", "nodes", "forward s", "backward s", "backward us/node"], rows))
    print()
    exponents = [[name, kind, f"{min(sizes):,} - {max(sizes):,}", f"{exponent(sizes, seconds):.2f}"]
                 for (kind, name), (sizes, seconds) in per_engine.items() if len(sizes) > 1]
    if exponents:
        print(table(["engine", "graph", "nodes", "scaling exponent"], exponents))
    if "wide" in args.kinds and any(n > args.book_max for n in args.sizes) and "book" in args.engines:
        notes.append(f"book: wide DAGs above {args.book_max:,} nodes skipped (quadratic backward)")
    if args.plot:
        kind = args.kinds[0]
        series = {name: (sizes, [s / n * 1e6 for s, n in zip(seconds, sizes)])
                  for (k, name), (sizes, seconds) in per_engine.items() if k == kind}
        notes.append(plot(args.plot, kind, series))
    print_notes(notes)


if __name__ == "__main__":
    main()
