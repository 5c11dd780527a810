"""The HTML report: one self-contained page, and the compact table Jupyter shows."""

from __future__ import annotations

import re
import stat
from html.parser import HTMLParser
from pathlib import Path

import pytest

from specs.__main__ import main
from specs.report.html import render_compact, render_page
from specs.report.report import Report
from tests.workplaces.conftest import FAILING, PASSING, QUICK, needs_dot


class _Resources(HTMLParser):
    """Collects the tags and every attribute that could make a browser fetch something."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.references: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        fetching = ("src", "href", "srcset", "data", "action", "poster", "background")
        self.references += [value or "" for name, value in attrs if name in fetching or name.endswith(":href")]


def _parse(page: str) -> _Resources:
    parser = _Resources()
    parser.feed(page)
    return parser


def _no_drawing(dot: str) -> None:
    return None


def test_the_page_needs_nothing_from_the_network(failing_report: Report) -> None:
    page = render_page(failing_report, command="python -m specs check broken.py")
    parsed = _parse(page)
    assert "http://" not in page and "https://" not in page and "url(" not in page and "@import" not in page
    assert not {"script", "link", "img", "iframe", "object"} & set(parsed.tags)
    assert all(reference.startswith("#") for reference in parsed.references)  # in-page links only


def test_the_page_shows_the_verdict_the_results_the_snippet_and_the_statistics(failing_report: Report) -> None:
    page = render_page(failing_report, command="python -m specs check broken.py", draw=_no_drawing)
    assert page.startswith("<!DOCTYPE html>") and "NOT conformant" in page
    assert "1 passed, 1 failed" in page and "python -m specs check broken.py" in page
    for result in failing_report.properties:
        assert re.search(rf"<td>{result.tier}</td><td><span class=\"status {result.status}\">", page)
        assert f'<td class="n">{result.examples}</td>' in page
    assert f'<a href="#{FAILING}">' in page and f'<article id="{FAILING}">' in page
    assert "y0.grad is 2.0, expected 1.0" in page
    assert "y0.backward(retain_grad=True)\nprint(np.asarray(y0.grad))  # expected 1.0, got 2.0" in page
    assert '<section id="statistics">' in page and "diamond <b>" in page and "add(x, x) <b>" in page
    assert "the counterexample's graph as DOT" in page and "digraph g {" in page  # no Graphviz: the source


@needs_dot
def test_with_graphviz_the_page_embeds_the_counterexample_as_svg(failing_report: Report) -> None:
    page = render_page(failing_report)
    figure = page[page.index('<figure class="graph">'):]
    assert figure.startswith('<figure class="graph"><svg') and "<ellipse" in figure and "Add</text>" in figure
    assert "http" not in figure


def test_statistics_count_the_examples_each_verdict_rests_on(failing_report: Report) -> None:
    passing = next(r for r in failing_report.properties if r.id == PASSING)
    assert passing.examples >= 10 and passing.statistics
    assert all(0 < count <= passing.examples for count in passing.statistics.values())
    assert passing.statistics["float64"] + passing.statistics.get("float32", 0) == passing.examples


def test_the_cli_writes_the_html_report_and_keeps_the_json_contract(broken_engine: Path, tmp_path: Path) -> None:
    page, report = tmp_path / "report.html", tmp_path / "report.json"
    argv = ["check", str(broken_engine), "--only", FAILING, "--html", str(page), "--json", str(report), *QUICK]
    code = main(argv)
    assert code == 1
    text = page.read_text(encoding="utf-8")
    assert FAILING in text and "NOT conformant" in text and "--html" in text
    assert stat.S_IMODE(page.stat().st_mode) == 0o644
    assert '"statistics"' not in report.read_text() and '"dot"' not in report.read_text()


def test_html_needs_an_existing_directory(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--html", "/no/such/dir/report.html", *QUICK])
    assert exit_info.value.code == 2 and "--html /no/such/dir/report.html: no directory" in capsys.readouterr().err


def test_jupyter_shows_a_compact_table_with_each_failure_s_snippet(failing_report: Report) -> None:
    html = render_compact(failing_report, draw=_no_drawing)
    assert "<table>" in html and "<th>property</th><th>status</th><th>examples</th><th>time</th>" in html
    for result in failing_report.properties:
        assert f"<code>{result.id}</code>" in html and f'class="status {result.status}"' in html
    assert "y0.backward(retain_grad=True)" in html and "NOT conformant" in html
    assert "http" not in html
    assert failing_report._repr_html_().startswith('<div class="gradspec">')


@needs_dot
def test_jupyter_shows_the_failure_s_graph_inline(failing_report: Report) -> None:
    html = render_compact(failing_report)
    assert html.count("<svg") == 1 and "#ff8a80" in html
