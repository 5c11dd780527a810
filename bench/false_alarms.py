"""Run the unperturbed refengine through the graph properties on many graphs: any failure is a false alarm.

    python bench/false_alarms.py                    # 100,000 graphs in all, about a quarter per property
    python bench/false_alarms.py --graphs 4000 --seed 7

Each property runs in chunks of up to 1,000 examples until it has run its share of the
graphs; chunk k of property p gets the Hypothesis seed `--seed` + 4k + p, so no two chunks
draw the same graphs. The counts are examples actually run (the famous graphs that open every
chunk, and any shrinking, included). A failing chunk is one false alarm:
the first one's message and counterexample are printed. Memory is the process's resident set
(current, from /proc/self/statm) and its peak (ru_maxrss), without tracemalloc.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import refengine
from specs.properties import BY_ID
from specs.report.results import PropertyResult
from specs.run.runner import Options, run_property
from specs.target.engines import engine_for
from specs.target.loader import load_target

PROPERTY_IDS = (
    "forward-values-match-numpy",
    "gradients-match-finite-differences",
    "retain-grad-true-keeps-intermediate-grads",
    "grads-accumulate-across-backward-calls",
)
CHUNK = 1_000
MIB = 1024 * 1024


def current_rss_mib() -> float:
    """The resident set size now, in MiB, from /proc/self/statm (0 where there is no /proc)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
    except OSError:
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / MIB


def peak_rss_mib() -> float:
    """The peak resident set size so far, in MiB (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def print_failure(result: PropertyResult, seed: int) -> None:
    """Show a false alarm: its message and the counterexample to reproduce it."""
    print(f"--- false alarm in {result.id} ({result.status}, chunk seed {seed}):\n{result.message}")
    if result.counterexample:
        print("Counterexample:\n" + "".join(f"    {line}\n" for line in result.counterexample.splitlines()), end="")
    print(flush=True)


def run_share(property_id: str, share: int, base_seed: int) -> tuple[int, int, float, int]:
    """Run one property on `share` examples in chunks; return (examples, failures, seconds, chunks)."""
    engine = engine_for(load_target(refengine))
    examples = failures = chunks = 0
    started = time.perf_counter()
    while examples < share:
        seed = base_seed + chunks * len(PROPERTY_IDS) + PROPERTY_IDS.index(property_id)  # no two chunks alike
        options = Options(max_examples=min(CHUNK, share - examples), database=None, seed=seed)
        result, _ = run_property(BY_ID[property_id], engine, options)
        examples += result.examples
        chunks += 1
        if result.status != "passed":
            failures += 1
            if failures == 1:
                print_failure(result, seed)
    return examples, failures, time.perf_counter() - started, chunks


def main() -> None:
    """Run the properties, then print per-property counts, times and memory."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--graphs", type=int, default=100_000, help="graphs in all, split evenly (default 100,000)")
    parser.add_argument("--seed", type=int, default=0, help="the base seed (default 0)")
    args = parser.parse_args()
    start_rss, start_peak = current_rss_mib(), peak_rss_mib()
    share = -(-args.graphs // len(PROPERTY_IDS))
    rows = []
    for property_id in PROPERTY_IDS:
        examples, failures, seconds, chunks = run_share(property_id, share, args.seed)
        rows.append((property_id, examples, chunks, failures, seconds, current_rss_mib()))
        print(f"done: {property_id} ({examples:,} examples, {seconds:.1f} s)", flush=True)
    print()
    print(f"{'property':<43} {'examples':>9} {'chunks':>6} {'false alarms':>12} {'seconds':>9} {'RSS after MiB':>13}")
    for property_id, examples, chunks, failures, seconds, rss in rows:
        print(f"{property_id:<43} {examples:>9,} {chunks:>6} {failures:>12} {seconds:>9.1f} {rss:>13.1f}")
    total = sum(row[1] for row in rows)
    print(f"{'total':<43} {total:>9,} {sum(r[2] for r in rows):>6} {sum(r[3] for r in rows):>12} "
          f"{sum(r[4] for r in rows):>9.1f}")
    print(f"\nRSS: {start_rss:.1f} MiB at start, {current_rss_mib():.1f} MiB at end; "
          f"peak {start_peak:.1f} MiB at start, {peak_rss_mib():.1f} MiB at end")


if __name__ == "__main__":
    main()
