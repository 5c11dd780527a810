"""Every ordering and magnitude bug of `tests.catalogue_graphs` is caught by its property."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import specs
from tests.catalogue import BrokenEngine
from tests.catalogue_graphs import EXHAUSTIVE, GRAPH_BUGS


@pytest.mark.parametrize("engine", GRAPH_BUGS, ids=lambda e: e.name)
def test_the_suite_catches_the_bug(engine: BrokenEngine, tmp_path: Path) -> None:
    report = specs.check(str(engine.write(tmp_path)), only=(engine.caught_by,), seed=0, database=None)
    [result] = report.properties
    assert result.status == "failed", result.message
    assert result.counterexample is not None and "backward(" in result.counterexample


def test_the_sweep_reports_the_smallest_failing_graph(tmp_path: Path) -> None:
    [engine] = [e for e in GRAPH_BUGS if e.name == "swap_with_last_only"]
    report = specs.check(str(engine.write(tmp_path)), only=(EXHAUSTIVE,), database=None)
    snippet = report.properties[0].counterexample or ""
    # the queue holds three generations only from five nodes on: the graph is the smallest
    assert len(re.findall(r"^y\d+ = (?:add|square)\(", snippet, flags=re.MULTILINE)) == 5, snippet
    assert "x0 = Variable(np.array(1.5))" in snippet, snippet


def test_the_names_are_new() -> None:
    from tests.catalogue import BY_NAME

    assert len({e.name for e in GRAPH_BUGS}) == len(GRAPH_BUGS) >= 10
    assert not {e.name for e in GRAPH_BUGS} & set(BY_NAME)
