"""Shared fixtures: a broken engine (the in-place `+=` bug) and a report that fails on it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import specs
from specs.report.report import Report
from tests.catalogue import BY_NAME

# Two properties: one the bug fails (with a graph to draw), one it passes (with statistics).
FAILING = "retain-grad-true-keeps-intermediate-grads"
PASSING = "forward-values-match-numpy"
QUICK = ["--max-examples", "5", "--database", "none", "--seed", "0"]

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's dot is not installed (apt-get install graphviz)")


@pytest.fixture(scope="session")
def broken_engine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A learner's file whose backward accumulates grads in place (`x.grad += gx`)."""
    return BY_NAME["grad_accumulated_in_place"].write(tmp_path_factory.mktemp("engines"))


@pytest.fixture(scope="session")
def failing_report(broken_engine: Path) -> Report:
    """The report of checking the broken engine on FAILING and PASSING, in this process."""
    return specs.check(str(broken_engine), only=(PASSING, FAILING), max_examples=10, database=None, seed=0)
