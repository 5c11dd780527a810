"""A chain of 1,000,000 adds: forward, backward and release, with time and peak memory.

    python bench/deep_chain.py                          # refengine and the book, 1,000,000 nodes
    python bench/deep_chain.py --nodes 100000 --engines refengine book mygrad

y = x + x + ... + x (x holds 1.0, so x's grad is exactly nodes + 1). Each engine runs in a
fresh child process, so that its peak resident memory is its own: one child times the three
phases (release = dropping y, plus a full collection for engines whose graphs hold cycles)
and reads the peak RSS; a second child repeats the run under tracemalloc for the peak of
traced bytes (tracemalloc slows the run, so its times are not used). A failure (e.g. a
RecursionError) is reported in the table instead of numbers.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

from benchlib import (
    ENGINES,
    PEERS,
    UNTRACED,
    Traced,
    add_clock_option,
    load_engines,
    machine,
    print_notes,
    table,
    timed,
    use_clock,
)


def child(name: str, nodes: int, traced: bool) -> dict[str, Any]:
    """Run the chain with one engine, in this process; return what was measured."""
    engines, notes = load_engines([name])
    if not engines:
        return {"error": "; ".join(notes)}
    engine = engines[0]
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    meter = Traced().__enter__() if traced else None
    try:
        x = engine.leaf(np.array(1.0))

        def forward() -> object:
            y = x
            for _ in range(nodes):
                y = engine.add(y, x)
            return y

        y, forward_seconds = timed(forward)
        _, backward_seconds = timed(lambda: engine.backward(y))
        grad = float(np.asarray(engine.grad(x)))

        def release() -> None:
            nonlocal y
            del y
            gc.collect()

        _, release_seconds = timed(release)
    except (RecursionError, MemoryError) as error:
        return {"error": f"{type(error).__name__}: {error}"}
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - baseline  # kilobytes on Linux
    result: dict[str, Any] = {
        "forward": forward_seconds,
        "backward": backward_seconds,
        "release": release_seconds,
        "grad_ok": grad == nodes + 1,
        "peak_rss": peak_rss * 1024,
    }
    if meter is not None:
        result["peak_traced"] = meter.peak()
        meter.__exit__(None, None, None)
    return result


def in_child(name: str, nodes: int, traced: bool, clock: str) -> dict[str, Any]:
    """Run `child` in a fresh interpreter and read back its JSON line."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", name, "--nodes", str(nodes),
               "--clock", clock]
    if traced:
        command.append("--traced")
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit {done.returncode}: {last}"}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    """Parse the options; as the parent, run each engine in children and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=[*ENGINES, *PEERS])
    parser.add_argument("--no-trace", action="store_true", help="skip the tracemalloc runs")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    add_clock_option(parser)
    args = parser.parse_args()
    use_clock(args.clock)
    if args.child:
        print(json.dumps(child(args.child, args.nodes, args.traced)))
        return
    rows: list[list[object]] = []
    notes: list[str] = []
    n = args.nodes
    for name in args.engines:
        timing = in_child(name, n, traced=False, clock=args.clock)
        if "error" in timing:
            rows.append([name, *["-"] * 6])
            notes.append(f"{name}: {timing['error']}")
            continue
        if name in UNTRACED:
            notes.append(f"{name}: no traced peak, tracemalloc cannot see its own C++ allocator")
        traced = {} if args.no_trace or name in UNTRACED else in_child(name, n, traced=True, clock=args.clock)
        peak_traced = traced.get("peak_traced")
        rows.append([
            name,
            timing["forward"],
            timing["backward"],
            timing["release"],
            "yes" if timing["grad_ok"] else "NO",
            f"{timing['peak_rss'] / 1e6:,.0f}",
            "-" if peak_traced is None else f"{peak_traced / 1e6:,.0f} ({peak_traced / n:,.0f} B/node)",
        ])
    print(f"A chain of {n:,} adds: one run per engine, each in a fresh process")
    print(machine())
    print(table(["engine", "forward s", "backward s", "release s", "grad exact", "peak RSS MB",
                 "peak traced MB"], rows))
    print_notes(notes)


if __name__ == "__main__":
    main()
