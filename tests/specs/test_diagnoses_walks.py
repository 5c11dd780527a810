"""Two causes of how `backward` walks the graph: a function queued twice, and a recursive walk."""

from __future__ import annotations

from pathlib import Path

import refengine
from specs.report.diagnoses import diagnose
from specs.report.report import Report
from specs.report.results import PropertyResult
from specs.target.evidence import gather
from tests.catalogue import BY_NAME
from tests.conftest import load_file

RETAIN_TRUE = "retain-grad-true-keeps-intermediate-grads"
RECURSION = "backward-needs-no-recursion"
RAN_TWICE = "x0.grad is 8.0, expected 4.0 (exact: 4)"


def _failed(property_id: str, message: str, tier: str = "core") -> PropertyResult:
    return PropertyResult(property_id, tier, "failed", 1, 0.0, message)  # type: ignore[arg-type]


def test_a_function_that_ran_twice_is_named_only_when_the_experiment_saw_it() -> None:
    leaf = _failed("backward-on-leaf-seeds-its-grad", "the target raised AttributeError: 'NoneType' object has "
                   "no attribute 'generation'", "extended")
    seen = Report("e.py", [_failed(RETAIN_TRUE, RAN_TWICE), leaf], evidence={"shared-function-runs": "ran 2 times"})
    [diagnosis] = diagnose(seen)
    assert diagnosis.id == "function-run-twice" and "seen_set" in diagnosis.fix
    assert diagnosis.property_ids == (RETAIN_TRUE,)  # not the book's own leaf-backward crash
    once = Report("e.py", [_failed(RETAIN_TRUE, RAN_TWICE)], evidence={"shared-function-runs": "ran 1 time"})
    assert [d.id for d in diagnose(once)] != ["function-run-twice"]


def test_the_experiment_counts_two_runs_without_a_seen_set_and_none_on_slotted_functions(tmp_path: Path) -> None:
    # refengine's Functions have __slots__: nothing can be counted there, so nothing is claimed
    assert "shared-function-runs" not in gather(vars(refengine), {"add": refengine.add, "square": refengine.square})
    module = load_file(BY_NAME["functions_not_deduplicated"].write(tmp_path))
    assert gather(vars(module), {"add": module.add, "square": module.square})["shared-function-runs"] == "ran 2 times"


def test_a_recursion_error_on_the_chain_is_a_recursive_walk() -> None:
    report = Report("e.py", [_failed(RECURSION, "y.backward() on a chain of 5,000 adds raised RecursionError (...)"),
                             _failed("deep-graph-backward", "the target raised RecursionError: maximum", "extended")])
    [diagnosis] = diagnose(report)
    assert diagnosis.id == "recursive-backward" and "loop" in diagnosis.fix
    assert diagnosis.property_ids == (RECURSION, "deep-graph-backward")
