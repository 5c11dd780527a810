"""A picture Graphviz could not draw is said where it would be, and once on the console."""

from __future__ import annotations

from pathlib import Path

import pytest

from specs.__main__ import main
from specs.report import html
from specs.report.graphviz import NotDrawn, draw_svg, render_svg
from specs.report.report import Report
from tests.workplaces.conftest import FAILING, QUICK


def _fake_dot(folder: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    """A `dot` on PATH that runs `body` (a shell command) instead of drawing."""
    program = folder / "dot"
    program.write_text(f"#!/bin/sh\n{body}\n")
    program.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}:/usr/bin:/bin")


def test_a_dot_that_fails_is_named_in_the_page_and_on_the_console(
    broken_engine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _fake_dot(tmp_path, monkeypatch, 'echo "Error: out of memory" >&2; exit 3')
    page = tmp_path / "report.html"
    assert main(["check", str(broken_engine), "--only", FAILING, "--html", str(page), *QUICK]) == 1
    text = page.read_text()
    assert "The picture of this counterexample is missing: Graphviz's dot failed with exit status 3: " \
           "Error: out of memory." in text and "digraph" in text and "<svg" not in text
    out = capsys.readouterr().out
    tail = out[out.index(f"wrote {page}"):].splitlines()
    assert tail[:2] == [f"wrote {page}", f"1 picture is missing from {page}: Graphviz's dot failed with exit status 3: "
                        "Error: out of memory; the page shows the graph as DOT"]
    assert "NOT conformant" in tail[-1]  # the last screen still ends the output


def test_a_dot_that_hangs_is_stopped_and_said_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_dot(tmp_path, monkeypatch, "exec sleep 600")
    drawn = draw_svg("digraph { a -> b }", timeout=0.2)
    assert drawn == NotDrawn("did not finish within 0.2 s (a busy machine?)", timed_out=True)
    assert render_svg("digraph { a -> b }", timeout=0.2) is None


def test_after_one_picture_ran_out_of_time_dot_is_not_waited_for_again(
    failing_report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def hangs(dot: str) -> NotDrawn:
        calls.append(dot)
        return NotDrawn("did not finish within 60 s (a busy machine?)", timed_out=True)

    monkeypatch.setattr(html, "draw_svg", hangs)
    [failing] = [r for r in failing_report.properties if r.dot is not None]
    twice = Report(failing_report.target, [failing, failing])
    line = html.write_html(twice, tmp_path / "r.html")
    assert len(calls) == 1 and line is not None and line.startswith("2 pictures are missing")
    assert (tmp_path / "r.html").read_text().count("The picture of this counterexample is missing") == 2


def test_without_graphviz_nothing_is_said_missing(failing_report: Report, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert html.write_html(failing_report, tmp_path / "r.html") is None
    assert "install Graphviz to see it drawn here" in (tmp_path / "r.html").read_text()
