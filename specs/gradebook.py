"""Teacher mode: grade several targets (files, folders, globs) into one gradebook.

`python -m specs check a.py b.py students/ 'hw/*.py'` runs every property on every target,
each target in its own worker processes (one that hangs, crashes or does not load costs only
its own row), with one fixed seed so that every student faces the same examples, and the
example database keyed by each file's content (every student's file has the same name). The
gradebook is a terminal table (a row per target, a column per property, the verdict, the
likely cause), a CSV file, a JSON report with a list of targets, and an HTML page
(`specs.gradebook_html`).
"""

from __future__ import annotations

import csv
import datetime
import glob
import hashlib
import json
import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Final, TextIO

from specs.isolation import Outcome, Settings, run_targets
from specs.properties import Property
from specs.runner import selected
from specs.diagnoses import diagnose
from specs.report import GATING_TIERS, PropertyResult, Report, Status

SUFFIXES: Final = (".py", ".ipynb")
DEFAULT_SEED: Final = 0  # several targets: every student faces the same examples
DEFAULT_EXAMPLES: Final = 20  # per property when grading several targets (see the README's teacher mode)
_SKIPPED_DIRS: Final = frozenset({"__pycache__", ".ipynb_checkpoints", ".git", ".hypothesis"})
MARKS: Final[dict[Status, str]] = {"passed": ".", "failed": "F", "error": "E", "skipped": "s", "not-applicable": "-"}
BEYOND: Final = "x"  # an extended (beyond the book) property that differs: never a failure
LEGEND: Final = (". passed   F failed   E error (a bug in the suite)   s skipped   - not applicable   "
                 "x an extended check (beyond the book) differs")


class NoTargets(Exception):
    """No target could be found; the message says what was looked at."""


def is_folder(argument: str) -> bool:
    """Whether `argument` names a folder of targets: a directory, unless it is a package named as a module."""
    path = Path(argument)
    package = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", argument) is not None and (path / "__init__.py").is_file()
    return path.is_dir() and not package


def is_gradebook(arguments: Sequence[str]) -> bool:
    """Whether the command names several targets, a folder or a glob (teacher mode)."""
    return len(arguments) > 1 or any(is_folder(a) or glob.has_magic(a) for a in arguments)


def _files_in(directory: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and not d.startswith("."))
        found += [Path(root) / f for f in sorted(files) if Path(f).suffix in SUFFIXES]
    return found


def expand(arguments: Sequence[str]) -> list[str]:
    """The targets `arguments` name: folders give their .py and .ipynb files, globs what they match.

    A plain argument is kept as it is (a file, or a module name). Raises NoTargets when the
    arguments name nothing to check.
    """
    targets: list[str] = []
    empty: list[str] = []
    for argument in arguments:
        if is_folder(argument):
            found = [str(p) for p in _files_in(Path(argument))]
        elif glob.has_magic(argument):
            found = [p for p in sorted(glob.glob(argument, recursive=True)) if Path(p).suffix in SUFFIXES]
        else:
            found = [argument]
        if not found:
            empty.append(argument)
        targets += [t for t in found if t not in targets]
    if not targets:
        named = ", ".join(empty)
        raise NoTargets(f"no target found: {named} holds no .py or .ipynb file")
    return targets


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


def likely_causes(report: Report) -> list[str]:
    """The likely causes of a report's failures, most likely first ([] when none is known)."""
    return [diagnosis.cause for diagnosis in diagnose(report)]


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


@dataclass
class Row:
    """One target's line in the gradebook."""

    target: str
    report: Report
    load_error: str | None = None
    causes: list[str] = field(default_factory=list)

    @property
    def conformant(self) -> bool:
        """Loaded, and every core and memory property passed or cannot apply."""
        return self.load_error is None and bool(self.report.properties) and self.report.passed

    @property
    def verdict(self) -> str:
        """conformant, NOT conformant, or NOT loaded."""
        if self.load_error is not None:
            return "NOT loaded"
        return "conformant" if self.conformant else "NOT conformant"

    def cause(self) -> str:
        """Why the row is not conformant, in one line: a diagnosis, the load error, or the first failure."""
        if self.load_error is not None:
            return self.load_error.splitlines()[0]
        if self.causes:
            return self.causes[0]
        for result in self.report.properties:
            if result.tier in GATING_TIERS and result.status not in ("passed", "not-applicable"):
                first = result.message.splitlines()[0] if result.message else result.status
                return f"{result.id}: {first}"
        return ""

    def mark(self, result: PropertyResult) -> str:
        """The short mark of one property's result."""
        if result.tier not in GATING_TIERS and result.status in ("failed", "error"):
            return BEYOND
        return MARKS[result.status]

    def to_json(self) -> dict[str, object]:
        """The target's JSON report (the contract's keys), its load error and likely causes."""
        return {**self.report.to_json(), "target": self.target, "conformant": self.conformant,
                "load_error": self.load_error, "likely_causes": list(self.causes)}


@dataclass
class Gradebook:
    """Every target's row, and how the class was graded."""

    rows: list[Row]
    properties: tuple[Property, ...]
    seed: int | None
    max_examples: int
    info: dict[str, object] = field(default_factory=dict)

    @property
    def conformant(self) -> bool:
        """Whether every target is conformant."""
        return all(row.conformant for row in self.rows)

    def failing(self) -> Counter[str]:
        """How many targets fail (or error on) each core and memory property."""
        return Counter(r.id for row in self.rows for r in row.report.properties
                       if r.tier in GATING_TIERS and r.status in ("failed", "error"))

    def causes(self) -> Counter[str]:
        """How many targets share each likely cause (diagnosis), and how many did not load."""
        counts = Counter(cause for row in self.rows for cause in row.causes)
        not_loaded = sum(row.load_error is not None for row in self.rows)
        if not_loaded:
            counts["the file did not load"] = not_loaded
        return counts

    def to_json(self) -> dict[str, object]:
        """The gradebook's JSON report: run information, a summary and every target's report."""
        return {**self.info, "max_examples": self.max_examples, "conformant": self.conformant,
                "summary": {"targets": len(self.rows), "conformant": sum(r.conformant for r in self.rows),
                            "failing": dict(self.failing()), "causes": dict(self.causes())},
                "targets": [row.to_json() for row in self.rows]}


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


def row_line(row: Row) -> str:
    """The progress line printed as a target finishes."""
    counts = Counter(r.status for r in row.report.properties)
    summary = ", ".join(f"{n} {s}" for s, n in counts.items())
    return f"graded {row.target}: {row.verdict}" + (f" ({summary})" if summary and row.load_error is None else "")


def render_table(book: Gradebook, width: int = 60) -> str:
    """The terminal gradebook: a row per target, a numbered column per property, verdict, likely cause."""
    name = max([len("target"), *(len(row.target) for row in book.rows)])
    numbers = [str(i) for i in range(1, len(book.properties) + 1)]
    head = f"{'target':<{name}}  " + " ".join(f"{n:>2}" for n in numbers) + f"  {'verdict':<15} likely cause"
    lines = [head]
    for row in book.rows:
        if row.report.properties:
            by_id = {r.id: r for r in row.report.properties}
            marks = " ".join(f"{row.mark(by_id[p.id]) if p.id in by_id else ' ':>2}" for p in book.properties)
        else:
            marks = " ".join(f"{'?':>2}" for _ in book.properties)
        cause = row.cause()
        cause = cause if len(cause) <= width else cause[:width - 3] + "..."
        lines.append(f"{row.target:<{name}}  {marks}  {row.verdict:<15} {cause}".rstrip())
    legend = "  ".join(f"{n} {p.id}" for n, p in zip(numbers, book.properties))
    conformant = sum(row.conformant for row in book.rows)
    seed = "random" if book.seed is None else str(book.seed)
    summary = [f"{conformant} of {len(book.rows)} targets conformant; seed {seed} (the same examples for every "
               f"target), {book.max_examples} examples a property"]
    summary += [f"  {n:>3} fail {prop}" for prop, n in book.failing().most_common()]
    summary += [f"  {n:>3} share: {cause}" for cause, n in book.causes().most_common()]
    return "\n".join([*lines, "", f"columns: {legend}", f"marks: {LEGEND}", *summary]) + "\n"


def write_csv(book: Gradebook, path: Path) -> None:
    """The gradebook as CSV: target, verdict, one status column per property, likely cause."""
    with atomic_text(path) as stream:
        writer = csv.writer(stream)
        writer.writerow(["target", "verdict", *(p.id for p in book.properties), "likely cause"])
        for row in book.rows:
            by_id = {r.id: r.status for r in row.report.properties}
            writer.writerow([row.target, row.verdict, *(by_id.get(p.id, "") for p in book.properties), row.cause()])


def write_json(data: dict[str, object], path: Path) -> None:
    """Write a JSON report atomically: readers never see half a file."""
    with atomic_text(path) as stream:
        json.dump(data, stream, indent=2)
        stream.write("\n")


@contextmanager
def atomic_text(path: Path) -> Iterator[TextIO]:
    """A text file written beside `path` and moved over it when complete."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            yield stream
    except BaseException:
        os.unlink(temporary)
        raise
    os.chmod(temporary, 0o644)  # mkstemp makes it private; a report is for reading
    os.replace(temporary, path)
