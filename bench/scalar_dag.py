"""Scalar DAG: forward + backward time and bytes per node, refengine against the book and peers.

    python bench/scalar_dag.py                          # 100,000 nodes, 5 alternating rounds
    python bench/scalar_dag.py --nodes 20000 --repeat 3 --engines refengine book

The graph: 10 leaves, then `--nodes` nodes, each an add (probability 1/2) or a square whose
inputs are drawn uniformly from the last 10 values; y is the last node. The same plan is built
by every engine. The leaves hold 0.0, and so every value and every grad stays finite and
normal: with non-zero leaves a graph this deep overflows. Values bounded away from 0 make the
grads grow like 2 ** (squares on a path), up to 12,768 squares on a path here (seed 0: the
graph is 24,242 generations deep), and the usual remedy, adds only while the sum stays below
1 and squares of values in (0, 1), drives all the values below 1e-300 within ~200 nodes.
0-d arithmetic costs the same for 0.0 as for any other normal number.

Columns: forward and backward microseconds per node (medians, cyclic collector on, as users
run), their sum, its ratio to the book's, the same sum with the collector off (how much is the
collector walking the growing graph), then bytes per node from tracemalloc: the graph held
after forward (every node, y's ancestors or not: the benchmark keeps a list of them all, as
a program that uses its values would), and the peak during forward + backward (traced in a
separate, untimed run). The last row, the numpy floor, is the same arithmetic on bare 0-d
arrays with no graph at all (values in a list, grads in a list indexed by node): what the
array operations alone cost, which no engine of these semantics can go below.
"""

from __future__ import annotations

import argparse
import functools
import random

import numpy as np

from benchlib import (
    Array,
    ENGINES,
    PEERS,
    PROBES,
    Engine,
    Node,
    UNTRACED,
    Traced,
    add_clock_option,
    alternate,
    collector_off,
    load_engines,
    machine,
    median,
    print_notes,
    table,
    timed,
    use_clock,
)

WINDOW = 10
FLOOR = "numpy floor"  # the same arithmetic on bare arrays: no engine can cost less
Plan = list[tuple[bool, int, int]]  # (is an add, back offset of input 0, of input 1)


def make_plan(nodes: int, seed: int) -> Plan:
    """Each node: add or square, with inputs 1..WINDOW values back."""
    rng = random.Random(seed)
    return [(rng.random() < 0.5, 1 + rng.randrange(WINDOW), 1 + rng.randrange(WINDOW)) for _ in range(nodes)]


def build(engine: Engine, plan: Plan) -> list[Node]:
    """Build the plan's graph with `engine`; return every value, the 10 leaves first, y last."""
    values = [engine.leaf(np.array(0.0)) for _ in range(WINDOW)]
    add, square = engine.add, engine.square
    for is_add, i, j in plan:
        values.append(add(values[-i], values[-j]) if is_add else square(values[-i]))
    return values


def reachable_functions(plan: Plan) -> int:
    """How many nodes the backward pass from the last node visits."""
    needed = [False] * (WINDOW + len(plan))
    needed[-1] = True
    for k in range(len(plan) - 1, -1, -1):
        node = WINDOW + k
        if needed[node]:
            is_add, i, j = plan[k]
            needed[node - i] = True
            if is_add:
                needed[node - j] = True
    return sum(needed[WINDOW:])


def floor_forward(plan: Plan) -> list[Array]:
    """The plan's values as bare 0-d arrays: the forward arithmetic every engine must do."""
    values = [np.array(0.0) for _ in range(WINDOW)]
    for is_add, i, j in plan:
        # np.asarray: a 0-d ufunc result is a numpy scalar, and the semantics hold arrays
        values.append(np.asarray(values[-i] + values[-j]) if is_add else np.asarray(values[-i] ** 2))
    return values


def floor_backward(plan: Plan, values: list[Array]) -> list[Array | None]:
    """The backward arithmetic on bare arrays, in node order (a topological order), no graph.

    Grads are rebound, never updated in place, and dropped once used (retain_grad=False), as
    the semantics ask; what is left out is every object and lookup of a graph. Returns the
    leaves' grads.
    """
    grads: list[Array | None] = [None] * len(values)
    grads[-1] = np.ones_like(values[-1])
    for k in range(len(plan) - 1, -1, -1):
        node = WINDOW + k
        gy = grads[node]
        if gy is None:
            continue  # not reached from y
        grads[node] = None
        is_add, i, j = plan[k]
        if is_add:
            for x in (node - i, node - j):
                g = grads[x]
                grads[x] = gy if g is None else np.asarray(g + gy)
        else:
            gx = values[node - i] * gy
            gx *= 2
            g = grads[node - i]
            grads[node - i] = np.asarray(gx) if g is None else np.asarray(g + gx)
    return grads[:WINDOW]


def run_floor(plan: Plan) -> tuple[tuple[float, float], tuple[float, float]]:
    """The numpy floor's (forward, backward) seconds, twice: it builds no objects the collector walks."""
    values, forward = timed(lambda: floor_forward(plan))
    _, backward = timed(lambda: floor_backward(plan, values))
    return (forward, backward), (forward, backward)


def run(engine: Engine, plan: Plan, gc_off: bool) -> tuple[float, float]:
    """Seconds to build the graph and to run backward once (the graph is freed untimed)."""
    with collector_off(gc_off):
        values, forward = timed(lambda: build(engine, plan))
        _, backward = timed(lambda: engine.backward(values[-1]))
    del values
    return forward, backward


def run_both(engine: Engine, plan: Plan) -> tuple[tuple[float, float], tuple[float, float]]:
    """`run` with the collector on, then off."""
    return run(engine, plan, False), run(engine, plan, True)


def traced_bytes(engine: Engine, plan: Plan) -> tuple[int, int]:
    """(bytes held by the graph after forward, peak bytes during forward + backward)."""
    with Traced() as meter:
        values = build(engine, plan)
        graph = meter.held()
        engine.backward(values[-1])
        peak = meter.peak()
        del values
    return graph, peak


def leaf_grads(engine: Engine, plan: Plan) -> list[float]:
    """The leaves' grads after one backward pass (unreached leaves: 0)."""
    values = build(engine, plan)
    engine.backward(values[-1])
    return [0.0 if engine.grad(x) is None else float(np.asarray(engine.grad(x))) for x in values[:WINDOW]]


def main() -> None:
    """Parse the options, time every engine, print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5, help="alternating rounds (default 5)")
    parser.add_argument("--engines", nargs="+", default=[*ENGINES, *PEERS], choices=[*ENGINES, *PEERS, *PROBES],
                        help="default: refengine, the book and every installed peer; two-objects is a probe "
                             "(bench/two_objects.py)")
    parser.add_argument("--seed", type=int, default=0)
    add_clock_option(parser)
    args = parser.parse_args()
    use_clock(args.clock)
    engines, notes = load_engines(args.engines)
    plan = make_plan(args.nodes, args.seed)
    n = args.nodes

    expected = leaf_grads(engines[0], plan)
    mismatched = [engine.name for engine in engines[1:] if leaf_grads(engine, plan) != expected]
    floor_grads = floor_backward(plan, floor_forward(plan))
    if [0.0 if g is None else float(g) for g in floor_grads] != expected:
        mismatched.append(FLOOR)
    contenders = {e.name: functools.partial(run_both, e, plan) for e in engines}
    timings = alternate({**contenders, FLOOR: functools.partial(run_floor, plan)}, args.repeat)
    memory = {engine.name: traced_bytes(engine, plan) for engine in engines}

    def total(name: str, gc_off: bool) -> float:
        return median(sum(t[1] if gc_off else t[0]) for t in timings[name])

    book_total = total("book", False) if "book" in timings else None
    rows = []
    for engine in engines:
        runs = timings[engine.name]
        forward = median(t[0][0] for t in runs) / n * 1e6
        backward = median(t[0][1] for t in runs) / n * 1e6
        ratio = f"{total(engine.name, False) / book_total:.2f}" if book_total else "-"
        graph, peak = memory[engine.name]
        untraced = engine.name in UNTRACED
        per_node: list[object] = ["-", "-"] if untraced else [round(graph / n), round(peak / n)]
        rows.append([engine.name, forward, backward, total(engine.name, False) / n * 1e6, ratio,
                     total(engine.name, True) / n * 1e6, *per_node])
        if untraced:
            notes.append(f"{engine.name}: no bytes per node, tracemalloc cannot see its own C++ allocator")
    floor = timings[FLOOR]
    rows.append([FLOOR, median(t[0][0] for t in floor) / n * 1e6, median(t[0][1] for t in floor) / n * 1e6,
                 total(FLOOR, False) / n * 1e6, f"{total(FLOOR, False) / book_total:.2f}" if book_total else "-",
                 "-", "-", "-"])
    print(f"Scalar DAG: {n:,} nodes (adds and squares, inputs from the last {WINDOW}), "
          f"{reachable_functions(plan):,} reached by backward; medians of {args.repeat} alternating rounds")
    print(machine())
    print(table(["engine", "forward us/node", "backward us/node", "total us/node", "x book",
                 "total, gc off", "graph B/node", "peak B/node"], rows))
    if mismatched:
        notes.append(f"leaf grads differ from {engines[0].name}'s: {', '.join(mismatched)}")
    else:
        notes.append(f"leaf grads: all {len(engines)} engines agree")
    print_notes(notes)


if __name__ == "__main__":
    main()
