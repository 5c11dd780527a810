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
# What a reader is shown: an extended property that "failed" differs from refengine where the
# book's own code does too. It is never a FAIL; the JSON keeps status "failed" with tier "extended".
Shown: TypeAlias = Literal["passed", "failed", "beyond", "error", "skipped", "not-applicable"]
SHOWN: Final[tuple[Shown, ...]] = ("passed", "failed", "beyond", "error", "skipped", "not-applicable")
BEYOND: Final = "differs from refengine, beyond the book"
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
    details: str = ""  # for an error of the suite: its full traceback (JSON and HTML only, never the console)
    replayed: str = ""  # what replaying the snippet showed: "reproduced", "not reproduced: ...", or "" (not replayed)

    @property
    def shown(self) -> Shown:
        """The status a reader sees: "beyond" for an extended property that differs, else `status`."""
        return "beyond" if self.tier == "extended" and self.status == "failed" else self.status


@dataclass
class Report:
    """The outcome of checking one target; `passed` means every core and memory property passed."""

    target: str
    properties: list[PropertyResult]
    notes: list[str] = field(default_factory=list)

    @property
    def beyond(self) -> int:
        """How many extended properties differ from refengine (beyond the book: not failures)."""
        return sum(r.shown == "beyond" for r in self.properties)

    @property
    def verdict(self) -> str:
        """The verdict line: "conformant" or "NOT conformant", and how many checks beyond the book differ."""
        verdict = "conformant" if self.passed else "NOT conformant"
        if self.beyond:
            checks = "check" if self.beyond == 1 else "checks"
            verdict += f"; {self.beyond} {checks} beyond the book {'differs' if self.beyond == 1 else 'differ'}"
        return verdict

    def counts(self) -> str:
        """How many properties ended in each shown status: "12 passed, 2 beyond the book"."""
        return ", ".join(f"{n} {'beyond the book' if shown == 'beyond' else shown}" for shown in SHOWN
                         if (n := sum(r.shown == shown for r in self.properties)))

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
            "properties": [{**{key: getattr(r, key) for key in JSON_KEYS}, **({"details": r.details} if r.details else {})}
                           for r in self.properties],
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


_MARK: Final[dict[Shown, str]] = {
    "passed": "PASS",
    "failed": "FAIL",
    "beyond": "BEYOND",
    "error": "ERROR",
    "skipped": "SKIP",
    "not-applicable": "N/A",
}


def result_line(result: PropertyResult) -> str:
    """One line: status, id, tier, examples and seconds."""
    head = f"{_MARK[result.shown]:<5} {result.id}"
    return f"{head:<49} {result.tier:<8} {result.examples:>5} examples {result.seconds:>7.2f} s"


def details_header(result: PropertyResult) -> str:
    """What a detail block is about: the status in words, "beyond the book" said as such."""
    return BEYOND if result.shown == "beyond" else result.status


def snippet_caption(result: PropertyResult) -> str:
    """The line above a snippet: whether replaying it reproduced the failure."""
    if result.replayed == "reproduced":
        return "Replayed against the target, this snippet reproduces the failure.\nCounterexample:"
    if result.replayed.startswith("not reproduced"):
        why = result.replayed.removeprefix("not reproduced").lstrip(": ")
        return ("This snippet did not reproduce the failure when replayed"
                + (f" ({why})" if why else "") + ".\nCounterexample:")
    if result.replayed:
        return f"This snippet was {result.replayed}.\nCounterexample:"
    return "Counterexample:"


def render_details(result: PropertyResult) -> str:
    """The message and the runnable counterexample of a property that did not pass."""
    text = f"--- {result.id} ({details_header(result)})\n"
    if result.shown == "beyond":
        text += "(an extended check: refengine goes beyond the book's code here; a difference is reported, never a failure)\n"
    text += f"{result.message}\n"
    if result.counterexample and result.counterexample.strip():
        indented = "".join(f"    {line}\n" for line in result.counterexample.splitlines())
        text += f"{snippet_caption(result)}\n{indented}"
    return text


BLOCKED: Final = "blocked by a piece of the book's API the target lacks: "


def render_all_details(results: list[PropertyResult]) -> str:
    """Every not-passed result's details; properties blocked by one missing piece are said once, together."""
    shown = [r for r in results if r.status not in ("passed", "skipped")]
    blocked: dict[str, list[str]] = {}
    for result in shown:
        if result.message.startswith(BLOCKED) and not result.counterexample:
            blocked.setdefault(result.message, []).append(result.id)
    text = ""
    for message, ids in blocked.items():
        text += f"--- {len(ids)} properties blocked: {', '.join(ids)}\n{message}\n" if len(ids) > 1 else ""
    grouped = {i for ids in blocked.values() if len(ids) > 1 for i in ids}
    return text + "".join(render_details(r) for r in shown if r.id not in grouped)


def render_summary(report: Report) -> str:
    """The closing lines: counts by status and the verdict."""
    notes = "".join(f"note: {note}\n" for note in report.notes)
    return f"{notes}{report.target}: {report.verdict} ({report.counts()})\n"


def render_text(report: Report) -> str:
    """The whole console report."""
    lines = "".join(result_line(r) + "\n" for r in report.properties)
    from specs.diagnoses import render_causes  # here: diagnoses imports this module

    return lines + render_causes(report) + render_all_details(report.properties) + render_summary(report)
