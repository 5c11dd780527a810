"""The console report: a line per property, notes, each failure's details, then the last screen.

A terminal shows the end, so the report ends with what a learner acts on, in this order: the
smallest failing snippet, the likely causes with their fix, the verdict line. Failures with one
root cause (the same exception at the same line of the target, one missing piece of the API, one
diagnosis) are said once. What goes beyond the book is one line each, its details with `-v`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Final

from specs.properties import BY_ID
from specs.report.diagnoses import Diagnosis, diagnose, render_causes
from specs.report.results import BEYOND, GATING_TIERS, PropertyResult, Results, Shown

_MARK: Final[dict[Shown, str]] = {
    "passed": "PASS",
    "failed": "FAIL",
    "beyond": "BEYOND",
    "error": "ERROR",
    "skipped": "SKIP",
    "not-applicable": "N/A",
}
WIDTH: Final = 100  # a one-line message is cut to about this many characters


def plural(n: int, word: str) -> str:
    """"1 example", "2 examples"."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def result_line(result: PropertyResult) -> str:
    """One line: status, id, tier, examples and seconds."""
    head = f"{_MARK[result.shown]:<5} {result.id}"
    count = f"{result.examples:>5} example" + (" " if result.examples == 1 else "s")
    return f"{head:<49} {result.tier:<8} {count} {result.seconds:>7.2f} s"


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


def _has_snippet(result: PropertyResult) -> bool:
    return bool(result.counterexample and result.counterexample.strip())


def _shortest(results: Sequence[PropertyResult]) -> PropertyResult | None:
    """The result with the fewest snippet lines (the first of those), among those with a snippet."""
    with_snippet = [r for r in results if _has_snippet(r)]
    return min(with_snippet, key=lambda r: len((r.counterexample or "").splitlines())) if with_snippet else None


def render_snippet(result: PropertyResult) -> str:
    """The caption and the indented counterexample; "" when there is none."""
    if not _has_snippet(result):
        return ""
    lines = (result.counterexample or "").splitlines()
    return f"{snippet_caption(result)}\n" + "".join(f"    {line}\n" for line in lines)


def render_details(result: PropertyResult, *, snippet: bool = True) -> str:
    """The message and the runnable counterexample of a property that did not pass."""
    text = f"--- {result.id} ({details_header(result)})\n"
    if result.shown == "beyond":
        text += "(an extended check: refengine goes beyond the book's code here; a difference is reported, never a failure)\n"
    text += f"{result.message}\n"
    if snippet:
        text += render_snippet(result)
    elif _has_snippet(result):
        text += "(its counterexample is the one at the end)\n"
    return text


def first_line(message: str, width: int = WIDTH) -> str:
    """The message's first line, cut to about `width` characters."""
    line = message.strip().splitlines()[0] if message.strip() else ""
    return line if len(line) <= width else line[:width - 3] + "..."


BLOCKED: Final = "blocked by a piece of the book's API the target lacks: "


def _groups(results: Sequence[PropertyResult]) -> list[list[PropertyResult]]:
    """Results with one root cause, two or more each: blocked by one missing piece, or one exception at one line."""
    by_cause: dict[tuple[str, str], list[PropertyResult]] = {}
    for result in results:
        if result.message.startswith(BLOCKED) and not result.counterexample:
            by_cause.setdefault(("blocked", result.message), []).append(result)
        elif result.raised_at:
            by_cause.setdefault(("raised", f"{result.shown} {result.raised_at}"), []).append(result)
    return [group for group in by_cause.values() if len(group) > 1]


def _ids(results: Sequence[PropertyResult]) -> str:
    return textwrap.fill(", ".join(r.id for r in results), WIDTH, initial_indent="    ", subsequent_indent="    ",
                         break_long_words=False, break_on_hyphens=False)


def _at_end(result: PropertyResult, at_end: PropertyResult | None) -> bool:
    """Whether the last screen shows this result's snippet (its own, or the very same text of another)."""
    return at_end is not None and _has_snippet(result) and result.counterexample == at_end.counterexample


def _render_group(group: list[PropertyResult], at_end: PropertyResult | None) -> str:
    """One block for several results with one root cause: their ids, one message, one (the smallest) snippet."""
    first = group[0]
    if first.message.startswith(BLOCKED):
        return f"--- {len(group)} properties blocked: {', '.join(r.id for r in group)}\n{first.message}\n"
    head = f"--- {len(group)} properties {details_header(first)} with one error ({first.raised_at}):\n{_ids(group)}\n"
    smallest = _shortest(group)
    if smallest is None:
        return head + f"{first.message}\n"
    if _at_end(smallest, at_end):
        return head + f"{first.message}\n(the counterexample, from {smallest.id}, is at the end)\n"
    return head + f"{first.message}\nThe smallest counterexample is from {smallest.id}.\n" + render_snippet(smallest)


def render_all_details(results: Sequence[PropertyResult], diagnoses: Sequence[Diagnosis] = (), *,
                       at_end: PropertyResult | None = None) -> str:
    """Every result's details, each root cause once: a block per group, "see X" for the rest of a diagnosis.

    `at_end` is the result whose snippet the last screen shows: that snippet is not repeated here.
    """
    shown = [r for r in results if r.status not in ("passed", "skipped")]
    groups = _groups(shown)
    group_of = {r.id: group for group in groups for r in group}
    listed = {r.id for r in shown}
    see: dict[str, str] = {}
    for diagnosis in diagnoses:
        ids = [i for i in diagnosis.property_ids if i in listed]
        see.update({i: ids[0] for i in ids[1:] if i not in group_of})
    text = ""
    for result in shown:
        group = group_of.get(result.id)
        if group is not None:
            text += _render_group(group, at_end) if group[0] is result else ""
        elif result.id in see:
            text += (f"--- {result.id} ({details_header(result)}): see {see[result.id]}; "
                     "the likely cause at the end explains both\n")
        else:
            text += render_details(result, snippet=not _at_end(result, at_end))
    return text


def render_beyond(results: Sequence[PropertyResult], *, verbose: bool = False) -> str:
    """The checks beyond the book: one line each, or (verbose) their details; "" when none differs."""
    beyond = [r for r in results if r.shown == "beyond"]
    if not beyond:
        return ""
    head = (f"Beyond the book: {plural(len(beyond), 'check')} where refengine goes further than the book's code "
            "(never a failure" + ("):\n" if verbose else "; the details: -v, the HTML or the JSON report):\n"))
    if verbose:
        return head + render_all_details(beyond)
    failed_at = {r.raised_at for r in results if r.raised_at and r.shown in ("failed", "error")}
    return head + "".join(f"  {r.id}: the same {r.raised_at} as the failures above\n" if r.raised_at in failed_at
                          else f"  {r.id}: {first_line(r.message)}\n" for r in beyond)


def smallest_failure(results: Sequence[PropertyResult]) -> PropertyResult | None:
    """The failing core or memory property with the shortest snippet (the first of those), if one has a snippet."""
    return _shortest([r for r in results if r.status == "failed" and r.tier in GATING_TIERS])


def render_last_screen(report: Results) -> str:
    """The end of the report: the smallest failing snippet, the likely causes with their fix, the verdict."""
    text = ""
    smallest = smallest_failure(report.properties)
    if smallest is not None:
        same = sum(r.raised_at == smallest.raised_at and r.shown == "failed" for r in report.properties) - 1
        more = f" (and {same} more with the same {smallest.raised_at})" if smallest.raised_at and same else ""
        text += f"The smallest failure, {smallest.id}{more}: {first_line(smallest.message)}\n" + render_snippet(smallest)
    return text + render_causes(report) + render_summary(report)


_TRACEBACK: Final = "Traceback (most recent call last"


def render_notes(report: Results, *, verbose: bool = False) -> str:
    """The notes, a line each; a traceback a note carries (a cell of the learner's that raised) only with -v."""
    text = ""
    for note in report.notes:
        head, found, _ = note.partition(_TRACEBACK)
        if found and not verbose:  # the note already names the line and the error: enough to find it
            note = head.rstrip() + "\n  (its traceback: -v, the HTML or the JSON report)"
        text += f"note: {note}\n"
    return text


def examples_note(report: Results, max_examples: int) -> str:
    """Why a property ran more examples than --max-examples: its famous cases run besides the generated ones."""
    for result in report.properties:
        prop = BY_ID.get(result.id)
        famous = len(prop.examples) if prop is not None else 0
        if result.status == "passed" and famous and result.examples > max_examples:
            return (f"note: {result.id} ran {plural(result.examples, 'example')}: {result.examples - famous} generated "
                    f"(--max-examples {max_examples}) + {famous} famous cases (x + x, the diamond, ...) that always run\n")
    return ""


def render_summary(report: Results) -> str:
    """The verdict line: the target, the verdict and the counts by status."""
    return f"{report.target}: {report.verdict} ({report.counts()})\n"


def render_body(report: Results, *, verbose: bool = False, max_examples: int | None = None) -> str:
    """What comes between the result lines and the last screen: notes, details, the checks beyond the book."""
    smallest = smallest_failure(report.properties)
    gating = [r for r in report.properties if r.shown != "beyond"]
    notes = render_notes(report, verbose=verbose) + (examples_note(report, max_examples) if max_examples is not None else "")
    details = render_all_details(gating, diagnose(report), at_end=smallest)
    return notes + details + render_beyond(report.properties, verbose=verbose)


def render_closing(report: Results, *, verbose: bool = False, max_examples: int | None = None) -> str:
    """Everything after the result lines: notes, details, the checks beyond the book, then the last screen."""
    return render_body(report, verbose=verbose, max_examples=max_examples) + render_last_screen(report)


def render_text(report: Results, *, verbose: bool = False) -> str:
    """The whole console report."""
    lines = "".join(result_line(r) + "\n" for r in report.properties)
    return lines + render_closing(report, verbose=verbose)
