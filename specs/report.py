"""Results: one record per property, the run's verdict, and how they are shown."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal, TypeAlias

from specs.properties import Tier

Status: TypeAlias = Literal["passed", "failed", "error", "skipped", "not-applicable"]
STATUSES: Final[tuple[Status, ...]] = ("passed", "failed", "error", "skipped", "not-applicable")
GATING_TIERS: Final[frozenset[Tier]] = frozenset({"core", "memory"})
JSON_KEYS: Final = ("id", "tier", "status", "examples", "seconds", "message", "counterexample")


@dataclass(frozen=True, slots=True)
class PropertyResult:
    """How one property fared: status, examples run, seconds, and the counterexample if any."""

    id: str
    tier: Tier
    status: Status
    examples: int
    seconds: float
    message: str = ""
    counterexample: str | None = None
    statistics: dict[str, int] = field(default_factory=dict)  # graph features: examples showing each
    dot: str | None = None  # the counterexample drawn as a Graphviz graph, when it has one


@dataclass
class Report:
    """The outcome of checking one target; `passed` means every core and memory property passed."""

    target: str
    properties: list[PropertyResult]
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Whether the target conforms: every core and memory property run passed or cannot apply.

        A skipped one (the run was stopped before it finished) is not a pass: a gate must not
        turn green on a run it cut short.
        """
        return all(r.status in ("passed", "not-applicable") for r in self.properties if r.tier in GATING_TIERS)

    def to_json(self) -> dict[str, object]:
        """The JSON report's content (the public contract's keys)."""
        from specs.diagnoses import diagnose  # here: diagnoses imports this module

        return {
            "target": self.target,
            "conformant": self.passed,
            "properties": [{key: getattr(r, key) for key in JSON_KEYS} for r in self.properties],
            "notes": list(self.notes),
            "diagnoses": [d.to_json() for d in diagnose(self)],
        }

    def write_json(self, path: Path) -> None:
        """Write the JSON report atomically: readers never see half a file."""
        path = Path(path)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(self.to_json(), stream, indent=2)
            stream.write("\n")
        os.replace(temporary, path)

    def __repr__(self) -> str:
        return render_text(self)

    def _repr_html_(self) -> str:
        """A compact table for Jupyter: property, status, examples, time; each failure's snippet and graph."""
        from specs.html_report import render_compact  # here: html_report imports this module

        return render_compact(self)


_MARK: Final[dict[Status, str]] = {
    "passed": "PASS",
    "failed": "FAIL",
    "error": "ERROR",
    "skipped": "SKIP",
    "not-applicable": "N/A",
}


def result_line(result: PropertyResult) -> str:
    """One line: status, id, tier, examples and seconds."""
    return (
        f"{_MARK[result.status]:<5} {result.id:<43} {result.tier:<8} "
        f"{result.examples:>5} examples {result.seconds:>7.2f} s"
    )


def render_details(result: PropertyResult) -> str:
    """The message and the runnable counterexample of a property that did not pass."""
    text = f"--- {result.id} ({result.status})\n{result.message}\n"
    if result.counterexample:
        indented = "".join(f"    {line}\n" for line in result.counterexample.splitlines())
        text += f"Counterexample:\n{indented}"
    return text


def render_summary(report: Report) -> str:
    """The closing lines: counts by status and the verdict."""
    counts = {status: sum(r.status == status for r in report.properties) for status in STATUSES}
    summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    verdict = "conformant" if report.passed else "NOT conformant"
    notes = "".join(f"note: {note}\n" for note in report.notes)
    return f"{notes}{report.target}: {verdict} ({summary})\n"


def render_text(report: Report) -> str:
    """The whole console report."""
    lines = "".join(result_line(r) + "\n" for r in report.properties)
    from specs.diagnoses import render_causes  # here: diagnoses imports this module

    details = "".join(render_details(r) for r in report.properties if r.status not in ("passed", "skipped"))
    return lines + render_causes(report) + details + render_summary(report)
