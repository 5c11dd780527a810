"""Conformance-suite throughput: examples per second on 1, 2, ... worker processes.

    python bench/suite_throughput.py                     # refengine, 200 examples, 1..all CPUs
    python bench/suite_throughput.py --target book --jobs 1 2 --repeat 3

Each run is the command a user types, `python -m specs check TARGET --jobs N`, with a fixed
seed and no example database (so that no run replays another's examples), timed on the wall
clock from start to exit; the examples are summed from its JSON report. Runs alternate
between the worker counts, and the table shows medians.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import ROOT, machine, median, table


def one_run(target: str, jobs: int, max_examples: int, report: Path) -> tuple[float, int]:
    """(wall seconds, examples run) of one `python -m specs check` with `jobs` workers."""
    command = [sys.executable, "-m", "specs", "check", target, "--jobs", str(jobs),
               "--max-examples", str(max_examples), "--database", "none", "--seed", "0",
               "--json", str(report)]
    start = time.perf_counter()
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False)
    seconds = time.perf_counter() - start
    if finished.returncode not in (0, 1):  # 1: the target broke a property, which still counts
        raise SystemExit(f"{' '.join(command)} exited {finished.returncode}:\n{finished.stderr}")
    properties = json.loads(report.read_text(encoding="utf-8"))["properties"]
    return seconds, sum(int(p["examples"]) for p in properties)


def main() -> None:
    """Parse the options, run the suite on each worker count in turn, print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", default="refengine")
    parser.add_argument("--jobs", type=int, nargs="+", default=list(range(1, (os.cpu_count() or 1) + 1)))
    parser.add_argument("--max-examples", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3, help="alternating rounds (default 3)")
    args = parser.parse_args()
    if any(jobs < 1 for jobs in args.jobs):
        parser.error(f"--jobs must be positive, not {args.jobs}")

    results: dict[int, list[tuple[float, int]]] = {jobs: [] for jobs in args.jobs}
    with tempfile.TemporaryDirectory() as scratch:
        for _ in range(args.repeat):
            for jobs in args.jobs:
                results[jobs].append(one_run(args.target, jobs, args.max_examples, Path(scratch) / "report.json"))

    base = median(n / s for s, n in results[args.jobs[0]])
    rows = []
    for jobs, runs in results.items():
        rate = median(n / s for s, n in runs)
        rows.append([jobs, median(s for s, _ in runs), median(n for _, n in runs), rate, f"{rate / base:.2f}x"])
    print(f"Conformance suite on {args.target}: --max-examples {args.max_examples}, seed 0, no database; "
          f"medians of {args.repeat} alternating rounds")
    print(machine())
    print(table(["workers", "wall s", "examples", "examples/s", "vs first"], rows))


if __name__ == "__main__":
    main()
