"""Detection table: run the whole suite on every engine of the broken-engine catalogues.

    python bench/detection.py                 # every engine (85), default options
    python bench/detection.py --max-examples 100 --seed 0 --group graphs
    python bench/detection.py --alone         # each engine through its expected property only: minutes, not an hour

For each engine: the first core or memory property that failed, whether it is the one the
catalogue expects (or another that also catches the bug), seconds to detection (that
property's own time, and the run's time up to and including it), and the size of the shrunk
counterexample (functions applied in the snippet). The medians are given per group: the
first catalogue (`tests/catalogue.py`, before issue 12), the properties' red team
(`tests/catalogue_props.py`) and the graphs' red team (`tests/catalogue_graphs.py`).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests package, run from anywhere

import specs  # noqa: E402
from specs.report.results import GATING_TIERS  # noqa: E402
from tests.catalogue import CATALOGUE, BrokenEngine  # noqa: E402
from tests.catalogue_graphs import GRAPH_BUGS  # noqa: E402
from tests.catalogue_props import PROPS_CATALOGUE  # noqa: E402

GROUPS: dict[str, tuple[BrokenEngine, ...]] = {
    "first": tuple(e for e in CATALOGUE if e not in PROPS_CATALOGUE),
    "props": PROPS_CATALOGUE,
    "graphs": GRAPH_BUGS,
}
APPLIED = re.compile(r"^\s*[xyv]\d+ = (?:add|square)\(", flags=re.MULTILINE)


def main() -> None:
    """Run the catalogue and print one row per engine, then the medians."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-examples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--alone", action="store_true",
                        help="run only the property each engine is expected to fail (the full run takes about an hour)")
    parser.add_argument("--group", choices=[*GROUPS, "all"], default="all", help="which catalogue (default: all three)")
    args = parser.parse_args()
    groups = GROUPS if args.group == "all" else {args.group: GROUPS[args.group]}
    print(f"{'engine':<42} {'caught by':<42} {'expected':>8} {'prop s':>7} {'run s':>7} {'nodes':>5}")
    detections: dict[str, list[float]] = {group: [] for group in groups}
    engines = [(group, engine) for group, members in groups.items() for engine in members]
    with tempfile.TemporaryDirectory() as directory:
        for group, engine in engines:
            path = engine.write(Path(directory))
            started = time.perf_counter()
            only = (engine.caught_by,) if args.alone else ()
            report = specs.check(str(path), max_examples=args.max_examples, seed=args.seed, only=only,
                                 timeout=args.timeout, database=None)
            wall = time.perf_counter() - started
            failing = [r for r in report.properties if r.tier in GATING_TIERS and r.status != "passed"]
            if not failing:
                print(f"{engine.name:<42} {'NOT CAUGHT':<42} {'':>8} {'':>7} {wall:>7.2f} {'':>5}")
                continue
            first = failing[0]
            upto = sum(r.seconds for r in report.properties[: report.properties.index(first) + 1])
            expected = "yes" if first.id == engine.caught_by else "also" if engine.caught_by in {
                r.id for r in failing} else "NO"
            nodes = len(APPLIED.findall(first.counterexample or ""))
            detections[group].append(first.seconds)
            print(f"{engine.name:<42} {first.id:<42} {expected:>8} {first.seconds:>7.2f} {upto:>7.2f} {nodes:>5}")
    print()
    everything = [seconds for found in detections.values() for seconds in found]
    for group, found in [*detections.items(), ("all", everything)]:
        size = len(engines) if group == "all" else len(groups[group])
        median = f"{statistics.median(found):.2f}" if found else "-"
        print(f"{group:<7} caught {len(found)} of {size}; median seconds to detection "
              f"(the catching property's own time): {median}")


if __name__ == "__main__":
    main()
