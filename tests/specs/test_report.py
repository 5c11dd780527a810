"""What a learner reads: statuses (BEYOND apart from FAIL), the verdict line, suite errors kept short."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import specs
from specs.graphs.oracle import forward_values
from specs.properties import BY_ID
from specs.report.console import render_all_details, render_text
from specs.report.html import render_compact, render_page
from specs.report.report import Report
from specs.report.results import PropertyResult
from specs.run.runner import Options, run_property
from specs.target.loader import load_target

EXTENDED = ("backward-on-leaf-seeds-its-grad", "config-isolated-between-threads")


def _report(*results: PropertyResult) -> Report:
    return Report("learner.py", list(results))


def _result(id: str, tier: str, status: str, **more: str) -> PropertyResult:
    return PropertyResult(id, tier, status, 3, 0.1, "what went wrong", None, {}, None, **more)  # type: ignore[arg-type]


def test_an_extended_property_that_differs_is_beyond_the_book_not_a_failure() -> None:
    report = _report(_result("forward-values-match-numpy", "core", "passed"),
                     *(_result(i, "extended", "failed") for i in EXTENDED))
    text = render_text(report)
    assert "FAIL" not in text and text.count("BEYOND ") == 2
    assert "Beyond the book: 2 checks where refengine goes further than the book's code" in text
    assert "(differs from refengine, beyond the book)" in render_text(report, verbose=True)
    assert "learner.py: conformant; 2 checks beyond the book differ (1 passed, 2 beyond the book)" in text
    properties = report.to_json()["properties"]
    assert isinstance(properties, list)
    statuses = [(p["status"], p["tier"]) for p in properties]
    assert statuses[1:] == [("failed", "extended")] * 2  # the JSON contract keeps its values


def test_a_core_failure_is_still_fail_and_red() -> None:
    report = _report(_result("forward-values-match-numpy", "core", "failed"), _result(EXTENDED[0], "extended", "failed"))
    assert render_text(report).startswith("FAIL  forward-values-match-numpy")
    assert report.verdict == "NOT conformant; 1 check beyond the book differs"
    page = render_page(report, draw=lambda _: None)
    assert 'class="status failed"' in page and 'class="verdict no"' in page and 'class="status beyond"' in page


def test_the_books_own_code_shows_no_fail_and_no_red(book_path: Path, tmp_path: Path) -> None:
    report = specs.check(str(book_path), only=EXTENDED, max_examples=5, database=None, seed=0)
    assert [r.shown for r in report.properties] == ["beyond", "beyond"], render_text(report)
    assert report.passed and report.verdict == "conformant; 2 checks beyond the book differ"
    for html in (render_page(report, draw=lambda _: None), render_compact(report, draw=lambda _: None)):
        assert 'class="status failed"' not in html and "verdict no" not in html and ">failed<" not in html
        assert "beyond the book" in html
    assert "FAIL" not in render_text(report)
    report.write_json(tmp_path / "r.json")
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["conformant"] is True and {p["status"] for p in data["properties"]} == {"failed"}


def _broken_oracle(graph: object) -> object:
    return forward_values("not a graph")  # type: ignore[arg-type]  # raises inside specs/graphs/oracle.py


def test_an_error_in_the_suite_is_one_short_line_with_the_traceback_kept_for_the_json(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("specs.properties.graphs.forward_values", _broken_oracle)
    result, _ = run_property(BY_ID["forward-values-match-numpy"], specs.engine_for(load_target("refengine")),
                             Options(max_examples=3))
    assert result.status == "error"
    assert "This is a bug in the suite; please report it" in result.message
    assert "Traceback" not in result.message and len(result.message.splitlines()) == 1
    assert "Traceback" in result.details and "oracle.py" in result.details
    report = _report(result)
    assert "Traceback" not in render_text(report) and "Explanation" not in render_text(report)
    report.write_json(tmp_path / "r.json")
    assert "_broken_oracle" in json.loads((tmp_path / "r.json").read_text())["properties"][0]["details"]
    assert "_broken_oracle" in render_page(report, draw=lambda _: None)  # folded in the HTML details


def test_a_target_traceback_holds_only_the_targets_frames(tmp_path: Path) -> None:
    engine = tmp_path / "raising.py"
    engine.write_text("from refengine import *\nimport refengine\n\ndef square(x):\n"
                      "    return helper(x)\n\ndef helper(x):\n    raise ValueError('not written yet')\n")
    report = specs.check(str(engine), only=("forward-values-match-numpy",), max_examples=5, database=None)
    [result] = report.properties
    assert result.status == "failed" and "the target raised ValueError: not written yet" in result.message
    frames = [line for line in result.message.splitlines() if line.strip().startswith("File ")]
    assert len(frames) == 2 and all(str(engine) in line for line in frames), result.message
    for suite_word in ("specs/", "hypothesis", "Explanation", "always and only run"):
        assert suite_word not in render_text(report)


def test_properties_blocked_by_one_missing_piece_are_said_once_together() -> None:
    blocked = "blocked by a piece of the book's API the target lacks: `Variable` has no `creator`; it has `creater`"
    results = [PropertyResult("no-grad-builds-no-graph", "core", "failed", 1, 0.0, blocked),
               PropertyResult("operation-sequences-match-model", "core", "failed", 1, 0.0, blocked),
               PropertyResult("forward-values-match-numpy", "core", "failed", 1, 0.0, "y0.data is wrong")]
    text = render_all_details(results)
    assert text.count(blocked) == 1
    assert "--- 2 properties blocked: no-grad-builds-no-graph, operation-sequences-match-model" in text
    assert "--- forward-values-match-numpy (failed)\ny0.data is wrong" in text


def test_every_report_file_is_written_whole_and_readable_by_others(tmp_path: Path) -> None:
    from specs.report.html import write_html

    report = _report(_result("forward-values-match-numpy", "core", "failed"))
    report.write_json(tmp_path / "r.json")
    write_html(report, tmp_path / "r.html")
    assert json.loads((tmp_path / "r.json").read_text())["conformant"] is False
    assert "forward-values-match-numpy" in (tmp_path / "r.html").read_text()
    assert {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir()} == {"r.json": 0o644, "r.html": 0o644}
