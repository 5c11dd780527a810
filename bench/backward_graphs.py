"""Time forward and backward over deep chains and wide DAGs; medians, scaling exponents, a plot.

    python bench/backward_graphs.py                       # refengine and the book, 1,000 to 100,000
    python bench/backward_graphs.py --kinds chain --sizes 1000000 --engines refengine
    python bench/backward_graphs.py --kinds wide --sizes 1000 10000 100000 1000000 \\
        --engines refengine book micrograd mygrad dezero torch \\
        --plot docs/wide_dag.png                          # the plot in the README (peers installed)

Graphs (one leaf x holding 0.0; every node an add):

- chain: y = x + x + ... + x, each add on the one before: one function per generation.
- wide: node k adds node k-1 to a node drawn uniformly from all earlier ones, so during
  backward many functions wait at once (a wide frontier) and every node is reached.

On the wide DAG a grad counts paths, and the number of paths overflows float64 past ~1,500
nodes: overflow warnings are switched off (np.errstate), so that inf grads cost no more than
finite ones. `book` is the book's step-18 algorithm, which re-sorts its list of pending
functions on every insertion: quadratic on wide graphs, so it (and dezero, which has the same
algorithm) runs only up to `--book-max` nodes there, as micrograd does on every graph (its
recursive sort overflows the C stack on deep ones). The exponent is the least-squares slope of log(backward seconds) against log(nodes):
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


SMALL = 10_000  # graphs below this size get SMALL // N times the rounds

KINDS: dict[str, Callable[[Engine, int, np.random.Generator], Node]] = {
    "chain": build_chain,
    "wide": build_wide,
}


# Engines that cannot run every size: (which graphs, why). book and dezero re-sort their list of
# pending functions on every insertion; micrograd sorts the graph recursively, one C stack
# frame per node on the longest path, and a chain of adds or a wide DAG is as deep as it is
# large, so past a few tens of thousands of nodes the process dies (deep_chain.py runs it alone).
LIMITED: dict[str, tuple[tuple[str, ...], str]] = {
    "book": (("wide",), "quadratic backward"),
    "dezero": (("wide",), "quadratic backward, the book's algorithm"),
    "micrograd": (("wide", "chain"), "recursive topological sort: the C stack overflows"),
}


def limit(name: str, kind: str, book_max: int) -> float:
    """The largest graph of `kind` that engine `name` runs here (--book-max for the limited ones)."""
    kinds, _ = LIMITED.get(name, ((), ""))
    return book_max if kind in kinds else math.inf


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
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    figure, axes = plt.subplots(figsize=(9, 4.5), dpi=120)
    for name, (sizes, per_node) in series.items():
        slope = exponent(sizes, [t * n for t, n in zip(per_node, sizes)]) if len(sizes) > 1 else float("nan")
        floats = ", Python floats" if name == "micrograd" else ""  # no arrays: not like for like
        axes.plot(sizes, per_node, marker="o", label=f"{name} (exponent {slope:.2f}{floats})")
    axes.set_xscale("log")
    axes.set_yscale("log")
    # labels at 1, 2, 5 x 10^k only: a label on every minor tick overlaps its neighbours
    axes.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axes.yaxis.set_minor_formatter(NullFormatter())
    axes.set_xlabel("nodes (N)")
    axes.set_ylabel("backward time per node (µs)")
    axes.set_title(f"Backward pass over a {kind} DAG of adds: time per node\n{machine()}", fontsize=9)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)  # beside the lines, not over them
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
    parser.add_argument("--book-max", type=int, default=10_000,
                        help="largest graph for the engines that cannot run every size (book, dezero, micrograd)")
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
            running = [e for e in engines if n <= limit(e.name, kind, args.book_max)]
            # a pass over a small graph takes milliseconds, where a scheduler tick or a cache
            # refill is a large share: more rounds there, so that the exponent's small end holds
            rounds = args.repeat * max(1, SMALL // n)
            runs = alternate({e.name: functools.partial(measure, e, kind, n, 0) for e in running}, rounds)
            for name, results in runs.items():
                forward = median(r[0] for r in results)
                backward = median(r[1] for r in results)
                rows.append([name, kind, n, forward, backward, backward / n * 1e6])
                sizes, seconds = per_engine.setdefault((kind, name), ([], []))
                sizes.append(n)
                seconds.append(backward)
    print(f"Backward over chains and wide DAGs; medians of {args.repeat} alternating rounds "
          f"({args.repeat} x {SMALL:,} / N below {SMALL:,} nodes)")
    print(machine())
    print(table(["engine", "graph", "nodes", "forward s", "backward s", "backward us/node"], rows))
    print()
    exponents = [[name, kind, f"{min(sizes):,} - {max(sizes):,}", f"{exponent(sizes, seconds):.2f}"]
                 for (kind, name), (sizes, seconds) in per_engine.items() if len(sizes) > 1]
    if exponents:
        print(table(["engine", "graph", "nodes", "scaling exponent"], exponents))
    for engine in engines:
        for kind in args.kinds:
            if any(n > limit(engine.name, kind, args.book_max) for n in args.sizes):
                notes.append(f"{engine.name}: {kind} graphs above {limit(engine.name, kind, args.book_max):,} nodes "
                             f"skipped ({LIMITED[engine.name][1]})")
    if args.plot:
        kind = args.kinds[0]
        series = {name: (sizes, [s / n * 1e6 for s, n in zip(seconds, sizes)])
                  for (k, name), (sizes, seconds) in per_engine.items() if k == kind}
        notes.append(plot(args.plot, kind, series))
    print_notes(notes)


if __name__ == "__main__":
    main()
