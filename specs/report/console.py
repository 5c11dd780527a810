"""The console report: a line per property, the likely causes, each failure's details, the verdict."""

from __future__ import annotations

from typing import Final

from specs.report.diagnoses import render_causes
from specs.report.results import BEYOND, PropertyResult, Results, Shown

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
        return ("Replayed against the target, this snippet did not show the failure"
                + (f": {why}" if why else "") + ".\nCounterexample:")
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


def render_summary(report: Results) -> str:
    """The closing lines: counts by status and the verdict."""
    notes = "".join(f"note: {note}\n" for note in report.notes)
    return f"{notes}{report.target}: {report.verdict} ({report.counts()})\n"


def render_text(report: Results) -> str:
    """The whole console report."""
    lines = "".join(result_line(r) + "\n" for r in report.properties)
    return lines + render_causes(report) + render_all_details(report.properties) + render_summary(report)
