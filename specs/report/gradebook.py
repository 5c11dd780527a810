"""Teacher mode's gradebook: a row per target, as a terminal table, CSV, JSON (and HTML: `gradebook_html`).

`specs.run.grading` fills it in (every target through the workers, one seed for all); this
module only shows it: a column per property, the verdict and the likely cause of each row.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from specs.properties import Property
from specs.report.diagnoses import diagnose
from specs.report.files import atomic_text
from specs.report.report import Report
from specs.report.results import GATING_TIERS, PropertyResult, Status

MARKS: Final[dict[Status, str]] = {"passed": ".", "failed": "F", "error": "E", "skipped": "s", "not-applicable": "-"}
BEYOND: Final = "x"  # an extended (beyond the book) property that differs: never a failure
NOT_LOADED: Final = "the file did not load"  # in the summary of causes, beside the likely causes
LEGEND: Final = (". passed   F failed   E error (a bug in the suite)   s skipped   - not applicable   "
                 "x an extended check (beyond the book) differs")


def likely_causes(report: Report) -> list[str]:
    """The likely causes of a report's failures, most likely first ([] when none is known)."""
    return [diagnosis.cause for diagnosis in diagnose(report)]


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
            counts[NOT_LOADED] = not_loaded
        return counts

    def to_json(self) -> dict[str, object]:
        """The gradebook's JSON report: run information, a summary and every target's report."""
        return {**self.info, "max_examples": self.max_examples, "conformant": self.conformant,
                "summary": {"targets": len(self.rows), "conformant": sum(r.conformant for r in self.rows),
                            "failing": dict(self.failing()), "causes": dict(self.causes())},
                "targets": [row.to_json() for row in self.rows]}


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
    summary += [f"  {n:>3} {'target fails' if n == 1 else 'targets fail'} {prop}"
                for prop, n in book.failing().most_common()]
    summary += [f"  {n:>3} {'target' if n == 1 else 'targets'}" + (f": {cause}" if cause == NOT_LOADED else
                f", likely cause: {cause}") for cause, n in book.causes().most_common()]
    return "\n".join([*lines, "", f"columns: {legend}", f"marks: {LEGEND}", *summary]) + "\n"


def write_csv(book: Gradebook, path: Path) -> None:
    """The gradebook as CSV: target, verdict, one status column per property, likely cause."""
    with atomic_text(path) as stream:
        writer = csv.writer(stream)
        writer.writerow(["target", "verdict", *(p.id for p in book.properties), "likely cause"])
        for row in book.rows:
            by_id = {r.id: r.status for r in row.report.properties}
            writer.writerow([row.target, row.verdict, *(by_id.get(p.id, "") for p in book.properties), row.cause()])
