"""Every broken engine of the catalogue is caught, through the public file path, by its property."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import specs
from tests.catalogue import BY_NAME, CATALOGUE, BrokenEngine


@pytest.mark.parametrize("engine", CATALOGUE, ids=lambda e: e.name)
def test_the_suite_catches_the_bug(engine: BrokenEngine, tmp_path: Path) -> None:
    report = specs.check(str(engine.write(tmp_path)), only=(engine.caught_by,), seed=0, database=None, timeout=1.0)
    assert not report.passed
    [result] = report.properties
    assert result.status == "failed", result.message
    assert result.counterexample is not None


def _nodes_in(snippet: str) -> int:
    return len(re.findall(r"^y\d+ = (?:add|square)\(", snippet, flags=re.MULTILINE))


def test_grad_accumulated_in_place_shrinks_to_at_most_4_nodes(tmp_path: Path) -> None:
    engine = BY_NAME["grad_accumulated_in_place"]
    for property_id in ("retain-grad-true-keeps-intermediate-grads", "gradients-match-finite-differences"):
        report = specs.check(str(engine.write(tmp_path)), only=(property_id,), seed=0, database=None)
        snippet = report.properties[0].counterexample
        assert snippet is not None and 1 <= _nodes_in(snippet) <= 4, snippet


def test_a_hanging_backward_is_stopped_and_reported_with_its_example(tmp_path: Path) -> None:
    path = BY_NAME["pop_that_forgets_to_pop"].write(tmp_path)
    only = ("retain-grad-true-keeps-intermediate-grads",)
    report = specs.check(str(path), only=only, timeout=0.5, database=None)
    [result] = report.properties
    assert result.status == "failed"
    assert "did not finish within 0.5 s" in result.message
    assert result.counterexample is not None and "y0.backward(retain_grad=True)" in result.counterexample


def test_the_books_own_code_conforms(book_path: Path) -> None:
    report = specs.check(str(book_path), max_examples=30, seed=1, database=None)
    assert report.passed, report
    failed = {r.id for r in report.properties if r.status == "failed"}
    assert failed == {"backward-on-leaf-seeds-its-grad", "config-isolated-between-threads"}
