"""Teacher mode's run: every target through the workers with one seed, collected into a gradebook.

Each target runs in its own worker processes (one that hangs, crashes or does not load costs
only its own row), with one fixed seed so that every student faces the same examples, and the
example database keyed by each file's content (every student's file has the same name).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from typing import Final

from specs.properties import Property
from specs.report.gradebook import Gradebook, Row, likely_causes
from specs.report.results import GATING_TIERS
from specs.run.isolation import Outcome, Settings, run_targets
from specs.run.runner import selected

DEFAULT_SEED: Final = 0  # several targets: every student faces the same examples
DEFAULT_EXAMPLES: Final = 20  # per property when grading several targets (see the README's teacher mode)


def properties(only: Sequence[str], extended: bool) -> tuple[Property, ...]:
    """What a gradebook runs: the properties `only` names, else those that decide the verdict
    (core and memory), and the extended ones too when asked."""
    return tuple(p for p in selected(only) if only or extended or p.tier in GATING_TIERS)


def content_key(target: str) -> str | None:
    """The database key of a file target: a hash of its content (every student's file has the same name)."""
    path = Path(target)
    if not path.is_file():
        return None
    return "sha256-" + hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def version() -> str:
    """gradspec's version, as installed."""
    try:
        return metadata.version("gradspec")
    except metadata.PackageNotFoundError:
        return "unknown"


def run_info(seed: int | None) -> dict[str, object]:
    """The keys every JSON report gains: gradspec's version, the seed (null: random) and the date."""
    return {"gradspec_version": version(), "seed": seed,
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}


def grade(
    targets: Sequence[str], properties: Sequence[Property], settings: Settings,
    on_row: Callable[[Row], None] | None = None,
) -> Gradebook:
    """Run `properties` on every target, `settings.jobs` workers at once; raises Interrupted on Ctrl-C."""
    jobs = [replace(settings, target=t, database_key=content_key(t)) for t in targets]
    rows: list[Row | None] = [None] * len(targets)

    def finished(index: int, outcome: Outcome) -> None:
        row = rows[index] = _row(targets[index], outcome)
        if on_row is not None:
            on_row(row)

    outcomes = run_targets(jobs, properties, jobs=settings.jobs, max_seconds=settings.max_seconds,
                           on_target=finished)
    done = [row or _row(t, o) for row, t, o in zip(rows, targets, outcomes)]
    return Gradebook(done, tuple(properties), settings.seed, settings.max_examples, run_info(settings.seed))


def from_outcomes(targets: Sequence[str], outcomes: Sequence[Outcome], properties: Sequence[Property],
                  settings: Settings) -> Gradebook:
    """A gradebook of what finished (after an interrupted run)."""
    rows = [_row(t, o) for t, o in zip(targets, outcomes)]
    return Gradebook(rows, tuple(properties), settings.seed, settings.max_examples, run_info(settings.seed))


def _row(target: str, outcome: Outcome) -> Row:
    causes = likely_causes(outcome.report) if outcome.load_error is None else []
    return Row(target, outcome.report, outcome.load_error, causes)
