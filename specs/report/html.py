"""The HTML report: one self-contained page (`--html PATH`) and the compact table Jupyter shows.

Nothing is fetched from the network: the style is inline, pictures are inline SVG (drawn by
Graphviz's `dot` when it is installed; otherwise the DOT source is shown to paste elsewhere).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Final, TypeAlias

from specs.report.console import snippet_caption
from specs.report.diagnoses import render_causes_html
from specs.report.files import atomic_text
from specs.report.graphviz import NotDrawn, draw_svg, inline_svg
from specs.report.results import BEYOND, PropertyResult, Results
from specs.report.shapes import feature_rows

Draw: TypeAlias = Callable[[str], str | NotDrawn | None]  # DOT source to SVG; why not; None: no Graphviz
STYLE: Final = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:72rem;
padding:0 1rem;color:#1d2330;background:#fff;box-sizing:border-box}
h1{font-size:1.6rem;margin:0 0 .3rem}h2{font-size:1.25rem;margin:2rem 0 .6rem;border-bottom:1px solid #dde}
code,pre{font:13px/1.4 ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace}
pre{background:#f5f6fa;border:1px solid #e2e4ee;border-radius:4px;padding:.6rem .8rem;overflow-x:auto;
margin:.4rem 0}
table{border-collapse:collapse;margin:.4rem 0}th,td{padding:.3rem .6rem;border-bottom:1px solid #e6e8f0;
text-align:left;vertical-align:top}th{background:#f0f2f8}td.n{text-align:right;font-variant-numeric:tabular-nums}
.verdict{display:inline-block;font-weight:700;padding:.25rem .7rem;border-radius:4px;color:#fff}
.verdict.yes{background:#1e8e3e}.verdict.no{background:#c5221f}
.verdict.beyond{background:#fef3d6;color:#7a4f01;font-weight:600}
.status{font-weight:600;padding:.05rem .45rem;border-radius:3px;white-space:nowrap}
.passed{background:#e6f4ea;color:#137333}.failed{background:#fce8e6;color:#a50e0e}
.error{background:#f3e8fd;color:#7627bb}.skipped{background:#eceff1;color:#455a64}
.not-applicable{background:#e8f0fe;color:#1a4fa0}.beyond{background:#fef3d6;color:#7a4f01}
.replayed{color:#137333}.unreplayed{color:#7a4f01}
details.trace summary{cursor:pointer;color:#5f6676}
article{border:1px solid #e2e4ee;border-radius:6px;padding:.2rem 1rem .8rem;margin:1rem 0}
.case{display:flex;flex-wrap:wrap;gap:0 1.5rem;align-items:flex-start}.case .code{flex:1 1 26rem;min-width:0}
figure{margin:.6rem 0;overflow-x:auto;flex:1 1 22rem;max-width:100%;text-align:center}
figure svg{max-width:100%;height:auto}
.chips{display:flex;flex-wrap:wrap;gap:.25rem .9rem}.chip{white-space:nowrap;font-size:.9rem}
.bar{background:#e8eaf2;border-radius:2px;width:2.4rem;height:.55rem;display:inline-block;margin-right:.3rem}
.bar span{display:block;height:100%;background:#5b7bd5;border-radius:2px}
.muted{color:#5f6676;font-size:.9rem}.missing p{color:#7a4f01;margin:.4rem 0}
#properties td:first-child{white-space:nowrap}
"""


def _status(result: PropertyResult) -> str:
    word = "beyond the book" if result.shown == "beyond" else result.status
    title = f' title="{BEYOND}: not a step-18 failure"' if result.shown == "beyond" else ""
    return f'<span class="status {result.shown}"{title}>{word}</span>'


def _verdict(report: Results) -> str:
    """The verdict badge, and apart from it (amber, never red) the checks beyond the book that differ."""
    main = "conformant" if report.passed else "NOT conformant"
    badge = f'<span class="verdict {"yes" if report.passed else "no"}">{main}</span>'
    rest = report.verdict.removeprefix(main).removeprefix("; ")
    return badge + (f' <span class="verdict beyond">{escape(rest)}</span>' if rest else "")


def _picture(result: PropertyResult, draw: Draw) -> str:
    """The counterexample's graph: inline SVG, or the DOT source when Graphviz is absent."""
    if result.dot is None:
        return ""
    svg = draw(result.dot)
    if isinstance(svg, str):
        return f'<figure class="graph">{inline_svg(svg, f"{result.id}-")}</figure>'
    if isinstance(svg, NotDrawn):
        return (f'<div class="missing"><p>The picture of this counterexample is missing: Graphviz\'s dot '
                f"{escape(svg.reason)}.</p><details><summary>the graph as DOT, to draw elsewhere</summary>"
                f"<pre>{escape(result.dot)}</pre></details></div>")
    return ("<details><summary>the counterexample's graph as DOT (install Graphviz to see it drawn here)"
            f"</summary><pre>{escape(result.dot)}</pre></details>")


def _details(result: PropertyResult, draw: Draw) -> str:
    """A property that did not pass: its message, counterexample snippet and picture."""
    snippet = "" if not (result.counterexample or "").strip() else \
        f'<div class="code">{_caption(result)}<pre class="snippet">{escape(result.counterexample or "")}</pre></div>'
    return (f'<article id="{escape(result.id)}"><h3><code>{escape(result.id)}</code> {_status(result)}</h3>'
            f'<pre class="message">{escape(result.message)}</pre>{_trace(result)}'
            f'<div class="case">{snippet}{_picture(result, draw)}</div></article>')


def _caption(result: PropertyResult) -> str:
    kind = "replayed" if result.replayed == "reproduced" else "unreplayed" if result.replayed else ""
    return "".join(f'<p class="{kind}">{escape(line)}</p>' for line in snippet_caption(result).splitlines())


def _trace(result: PropertyResult) -> str:
    """An error of the suite's own: its traceback, folded away (it is for the suite's maintainers)."""
    if not result.details:
        return ""
    return (f'<details class="trace"><summary>the suite\'s traceback (for a bug report)</summary>'
            f"<pre>{escape(result.details)}</pre></details>")


def _row(result: PropertyResult) -> str:
    name = escape(result.id)
    linked = f'<a href="#{name}">{name}</a>' if result.status not in ("passed", "skipped") else name
    first = escape(result.message.splitlines()[0]) if result.message else ""
    return (f"<tr><td><code>{linked}</code></td><td>{result.tier}</td><td>{_status(result)}</td>"
            f'<td class="n">{result.examples}</td><td class="n">{result.seconds:.2f}</td><td>{first}</td></tr>')


def _statistics(report: Results) -> str:
    """What the examples looked like: per property, the share of its examples showing each feature."""
    rows = "".join(
        f'<tr><td><code>{escape(r.id)}</code></td><td class="n">{r.examples}</td><td><div class="chips">'
        + "".join(_chip(name, count, part, r.examples) for name, count, part in feature_rows(r))
        + "</div></td></tr>"
        for r in report.properties if r.statistics and r.examples > 0
    )
    if not rows:
        return ""
    return ('<section id="statistics"><h2>What the examples looked like</h2><p class="muted">What Hypothesis '
            "generated (the <code>event()</code>s its statistics count: graph shapes, layouts, dtypes, steps), "
            "as a share of the examples each verdict rests on.</p>"
            f"<table><tr><th>property</th><th>examples</th><th>features</th></tr>{rows}</table></section>")


def _chip(name: str, count: int, part: float, examples: int) -> str:
    return (f'<span class="chip" title="{count} of {examples} examples"><span class="bar">'
            f'<span style="width:{part:.0%}"></span></span>{escape(name)} <b>{part:.0%}</b></span>')


def _summary(report: Results) -> str:
    counts = report.counts()
    examples = sum(r.examples for r in report.properties)
    seconds = sum(r.seconds for r in report.properties)
    return f"{counts}; {examples} examples in {seconds:.1f} s of property time"


def render_page(report: Results, *, command: str = "", draw: Draw = draw_svg) -> str:
    """The whole report as one HTML document that needs nothing but itself."""
    verdict = report.verdict
    notes = "".join(f"<li>{escape(note)}</li>" for note in report.notes)
    details = "".join(_details(r, draw) for r in report.properties if r.status not in ("passed", "skipped"))
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    run = f'<p class="muted">{f"<code>{escape(command)}</code> · " if command else ""}{when}</p>'
    failures = (f'<section id="failures"><h2>Counterexamples</h2>{render_causes_html(report)}{details}</section>'
                if details else "")
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>gradspec: {escape(report.target)}'
        f' is {escape(verdict)}</title><meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<style>{STYLE}</style></head><body>"
        f'<header><h1>Conformance of <code>{escape(report.target)}</code></h1>'
        f"<p>{_verdict(report)} "
        f"{escape(_summary(report))}</p>{run}{'<ul>' + notes + '</ul>' if notes else ''}</header>"
        '<section id="properties"><h2>Properties</h2><table><tr><th>property</th><th>tier</th><th>status</th>'
        f'<th>examples</th><th>seconds</th><th>message</th></tr>{"".join(map(_row, report.properties))}</table>'
        '<p class="muted">Core and memory properties decide the verdict. Extended ones go beyond the book: '
        '"beyond the book" means the engine differs from refengine where refengine goes beyond the book\'s '
        "printed code; it is never a failure.</p>"
        "</section>"
        f"{failures}{_statistics(report)}</body></html>\n"
    )


def render_compact(report: Results, *, draw: Draw = draw_svg) -> str:
    """The table Jupyter shows: property, status, examples, time; each failure's snippet and graph."""
    rows = []
    for r in report.properties:
        rows.append(f"<tr><td><code>{escape(r.id)}</code></td><td>{_status(r)}</td>"
                    f'<td class="n">{r.examples}</td><td class="n">{r.seconds:.2f} s</td></tr>')
        if r.status not in ("passed", "skipped"):
            snippet = f"{_caption(r)}<pre>{escape(r.counterexample or '')}</pre>" \
                if (r.counterexample or "").strip() else ""
            rows.append(f'<tr><td colspan="4"><pre>{escape(r.message)}</pre>{snippet}{_picture(r, draw)}</td></tr>')
    main = "conformant" if report.passed else "NOT conformant"
    rest = report.verdict.removeprefix(main)
    verdict = escape(main) + (f'<span class="beyond">{escape(rest)}</span>' if rest else "")
    notes = "".join(f"<li>{escape(n)}</li>" for n in report.notes)
    style = "".join(f".gradspec .{s}{{{rule}}}" for s, rule in _COMPACT_COLOURS.items())
    return (f'<div class="gradspec"><style>{style}.gradspec pre{{text-align:left;margin:.2rem 0}}</style>'
            f"<p><b>{escape(report.target)}: {verdict}</b></p>{'<ul>' + notes + '</ul>' if notes else ''}"
            f"{render_causes_html(report)}"
            "<table><tr><th>property</th><th>status</th><th>examples</th><th>time</th></tr>"
            f"{''.join(rows)}</table></div>")


_COMPACT_COLOURS: Final = {
    "passed": "color:#137333", "failed": "color:#a50e0e;font-weight:700", "error": "color:#7627bb;font-weight:700",
    "skipped": "color:#607d8b", "not-applicable": "color:#1a4fa0", "beyond": "color:#9a6700;font-weight:600",
}


def write_html(report: Results, path: Path, *, command: str = "") -> str | None:
    """Write the HTML report atomically, like the JSON one; return the console's one line about
    pictures Graphviz could not draw (each is marked in the page), or None when none is missing."""
    missing: list[NotDrawn] = []

    def draw(dot: str) -> str | NotDrawn | None:
        if any(m.timed_out for m in missing):  # dot hangs: one wait is enough
            missing.append(NotDrawn("was not run again after an earlier picture ran out of time"))
            return missing[-1]
        svg = draw_svg(dot)
        if isinstance(svg, NotDrawn):
            missing.append(svg)
        return svg

    with atomic_text(path) as stream:
        stream.write(render_page(report, command=command, draw=draw))
    if not missing:
        return None
    count = "1 picture is" if len(missing) == 1 else f"{len(missing)} pictures are"
    return f"{count} missing from {path}: Graphviz's dot {missing[0].reason}; the page shows the graph as DOT"
