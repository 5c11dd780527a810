"""The gradebook as one self-contained HTML page: the class table, a class summary, every report.

Each student's report is the page `specs.report.html` renders for one target, embedded in an
iframe (`srcdoc`) under an anchor the class table links to: one click away, nothing fetched.
"""

from __future__ import annotations

import datetime
from html import escape
from pathlib import Path
from typing import Final

from specs.report.files import atomic_text
from specs.report.gradebook import LEGEND, Gradebook, Row
from specs.report.html import STYLE, render_page

_EXTRA: Final = """
.mark{font:13px ui-monospace,monospace;text-align:center;padding:.2rem .25rem}
.mark.F{background:#fce8e6;color:#a50e0e;font-weight:700}.mark.E{background:#f3e8fd;color:#7627bb}
.mark.x{background:#fff4e5;color:#8a5300}.mark.s{color:#607d8b}.mark.n{color:#1a4fa0}
th.v{writing-mode:vertical-rl;transform:rotate(180deg);font-weight:500;font-size:.8rem;white-space:nowrap}
iframe{width:100%;height:80vh;border:1px solid #e2e4ee;border-radius:6px}
td .verdict{white-space:nowrap;font-size:.85rem;padding:.15rem .5rem}
"""
_CLASS: Final = {".": "passed", "F": "F", "E": "E", "x": "x", "s": "s", "-": "n", "?": "s"}


def _anchor(index: int) -> str:
    return f"student-{index + 1}"


def _marks(row: Row, book: Gradebook) -> str:
    by_id = {r.id: r for r in row.report.properties}
    cells = []
    for prop in book.properties:
        result = by_id.get(prop.id)
        mark = row.mark(result) if result is not None else "?"
        title = f"{prop.id}: {result.status if result else 'not run'}"
        cells.append(f'<td class="mark {_CLASS[mark]}" title="{escape(title)}">{escape(mark)}</td>')
    return "".join(cells)


def _table(book: Gradebook) -> str:
    head = "".join(f'<th class="v" title="{escape(p.tier)}">{escape(p.id)}</th>' for p in book.properties)
    rows = "".join(
        f'<tr><td><a href="#{_anchor(i)}"><code>{escape(row.target)}</code></a></td>{_marks(row, book)}'
        f'<td><span class="verdict {"yes" if row.conformant else "no"}">{escape(row.verdict)}</span></td>'
        f"<td>{escape(row.cause())}</td></tr>"
        for i, row in enumerate(book.rows))
    return (f'<section id="class"><h2>The class</h2><table><tr><th>target</th>{head}<th>verdict</th>'
            f'<th>likely cause</th></tr>{rows}</table><p class="muted">{escape(LEGEND)}</p></section>')


def _summary(book: Gradebook) -> str:
    def listing(title: str, counts: list[tuple[str, int]]) -> str:
        items = "".join(f"<tr><td class=\"n\">{n}</td><td>{escape(what)}</td></tr>" for what, n in counts)
        return f"<h3>{escape(title)}</h3><table>{items}</table>" if items else ""

    conformant = sum(row.conformant for row in book.rows)
    return ('<section id="summary"><h2>Class summary</h2>'
            f"<p>{conformant} of {len(book.rows)} targets conformant.</p>"
            + listing("Students sharing each likely cause", book.causes().most_common())
            + listing("Students failing each core or memory property", book.failing().most_common())
            + "</section>")


def _student(index: int, row: Row, command: str) -> str:
    if row.load_error is not None:
        body = f'<pre class="message">{escape(row.load_error)}</pre>'
    else:
        page = render_page(row.report, command=command)
        body = f'<iframe title="{escape(row.target)}" srcdoc="{escape(page, quote=True)}"></iframe>'
    return (f'<article id="{_anchor(index)}"><h3><code>{escape(row.target)}</code> '
            f'<span class="verdict {"yes" if row.conformant else "no"}">{escape(row.verdict)}</span> '
            f'<a class="muted" href="#class">back to the class</a></h3>{body}</article>')


def render_gradebook(book: Gradebook, *, command: str = "") -> str:
    """The whole gradebook as one HTML document that needs nothing but itself."""
    seed = "random" if book.seed is None else str(book.seed)
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    run = (f'<p class="muted">{f"<code>{escape(command)}</code> · " if command else ""}{when} · seed {seed} '
           f"(the same examples for every target) · {book.max_examples} examples a property · "
           f"gradspec {escape(str(book.info.get('gradspec_version', '')))}</p>")
    students = "".join(_student(i, row, command) for i, row in enumerate(book.rows))
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>gradspec gradebook: '
            f'{len(book.rows)} targets</title><meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<style>{STYLE}{_EXTRA}</style></head><body><header><h1>Gradebook</h1>{run}</header>"
            f'{_table(book)}{_summary(book)}<section id="students"><h2>Each report</h2>{students}</section>'
            "</body></html>\n")


def write_gradebook_html(book: Gradebook, path: Path, *, command: str = "") -> None:
    """Write the gradebook page atomically."""
    with atomic_text(path) as stream:
        stream.write(render_gradebook(book, command=command))
