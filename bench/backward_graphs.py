"""Time forward and backward over deep chains and wide DAGs; prints a table of medians.

    python bench/backward_graphs.py                       # refengine, 1,000 to 100,000 nodes
    python bench/backward_graphs.py --sizes 1000000 --kinds chain
    python bench/backward_graphs.py --engines refengine book --sizes 1000 10000

`book` is the book's step-18 algorithm (tests/fixtures/book_step18.py); its wide-DAG backward
is quadratic, so keep its sizes small.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np

import refengine

BOOK_FILE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "book_step18.py"


def load_engine(name: str) -> ModuleType:
    """Return the engine module called `name`: refengine, or the book's algorithm."""
    if name == "refengine":
        return refengine
    spec = importlib.util.spec_from_file_location("book_step18", BOOK_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_chain(engine: ModuleType, n: int, rng: np.random.Generator) -> tuple[object, object]:
    """y = x + x + ... + x, one add per node: every function has its own generation."""
    x = engine.Variable(np.array(1.0))
    y = x
    for _ in range(n):
        y = engine.add(y, x)
    return x, y


def build_wide(engine: ModuleType, n: int, rng: np.random.Generator) -> tuple[object, object]:
    """Node k adds node k-1 to a node drawn from all earlier ones: every node is reachable,
    and during backward many functions wait at once (a wide frontier)."""
    x = engine.Variable(np.array(1.0))
    nodes = [x]
    for pick in rng.random(n):
        nodes.append(engine.add(nodes[-1], nodes[int(pick * len(nodes))]))
    return x, nodes[-1]


KINDS: dict[str, Callable[[ModuleType, int, np.random.Generator], tuple[object, object]]] = {
    "chain": build_chain,
    "wide": build_wide,
}


def measure(engine: ModuleType, kind: str, n: int, seed: int) -> tuple[float, float]:
    """Return (forward seconds, backward seconds) of one build and one backward pass."""
    rng = np.random.default_rng(seed)
    gc.collect()
    start = time.perf_counter()
    _, y = KINDS[kind](engine, n, rng)
    built = time.perf_counter()
    y.backward()  # type: ignore[attr-defined]  # engines are duck-typed modules
    done = time.perf_counter()
    del y
    return built - start, done - built


def main() -> None:
    """Parse the options, run every (engine, kind, size) and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", nargs="+", default=["refengine"], choices=["refengine", "book"])
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=list(KINDS))
    parser.add_argument("--sizes", nargs="+", type=int, default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    engines = {name: load_engine(name) for name in args.engines}
    print(f"{'engine':<10} {'graph':<6} {'nodes':>9} {'forward s':>10} {'backward s':>11} {'backward us/node':>17}")
    for kind in args.kinds:
        for n in args.sizes:
            for name, engine in engines.items():
                runs = [measure(engine, kind, n, seed) for seed in range(args.repeat)]
                forward = statistics.median(r[0] for r in runs)
                backward = statistics.median(r[1] for r in runs)
                print(f"{name:<10} {kind:<6} {n:>9,} {forward:>10.3f} {backward:>11.3f} {backward / n * 1e6:>17.2f}")


if __name__ == "__main__":
    main()
