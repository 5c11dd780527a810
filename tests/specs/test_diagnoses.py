"""Likely causes: each learner's bug in `tests.diagnosed` gets its diagnosis; other failures get none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import specs
from specs.report.diagnoses import (ACCUMULATE, FORWARD, FREED, GRADS, NO_GRAD, REJECTS, RESTORED, RETAIN_FALSE, RETAIN_TRUE,
                             SEQUENCES, Diagnosis, diagnose, render_causes)
from specs.__main__ import main
from specs.report.html import render_compact, render_page
from specs.report.report import Report
from specs.report.results import PropertyResult
from tests.catalogue import BOOK, BY_NAME
from tests.diagnosed import BY_BUG

# bug -> (the properties to run: the pattern's signature, the diagnosis, properties it must explain)
CASES: dict[str, tuple[tuple[str, ...], str, tuple[str, ...]]] = {
    "grad_accumulated_in_place": ((GRADS, RETAIN_FALSE, RETAIN_TRUE, ACCUMULATE), "grad-accumulated-in-place",
                                  (GRADS, RETAIN_TRUE, ACCUMULATE)),
    "no_generation_sort": ((GRADS, RETAIN_FALSE, RETAIN_TRUE), "functions-out-of-order", (GRADS, RETAIN_FALSE)),
    "generation_from_min": ((GRADS, RETAIN_FALSE), "functions-out-of-order", (GRADS, RETAIN_FALSE)),
    "generation_never_set": ((GRADS, RETAIN_FALSE), "functions-out-of-order", (GRADS, RETAIN_FALSE)),
    "grad_overwritten": ((GRADS, RETAIN_FALSE, ACCUMULATE), "grad-overwritten", (GRADS, ACCUMULATE)),
    "retain_grad_ignored": ((GRADS, RETAIN_FALSE, RETAIN_TRUE, ACCUMULATE), "retain-grad-ignored",
                            (RETAIN_FALSE, ACCUMULATE)),
    "outputs_held_strongly": ((FREED,), "outputs-held-strongly", (FREED,)),
    "outputs_kept_as_a_list": ((FREED,), "outputs-held-strongly", (FREED,)),
    "restore_without_finally": ((NO_GRAD, RESTORED), "using-config-without-finally", (RESTORED,)),
    "restore_only_on_exception": ((NO_GRAD, RESTORED), "using-config-without-finally", (RESTORED,)),
    "cleargrad_without_self": ((ACCUMULATE,), "method-without-self", (ACCUMULATE,)),
    "cleargrad_does_nothing": ((GRADS, ACCUMULATE), "cleargrad-does-not-reset", (ACCUMULATE,)),
    "cleargrad_sets_a_local": ((GRADS, ACCUMULATE), "cleargrad-does-not-reset", (ACCUMULATE,)),
    "grad_compared_with_none": ((GRADS, ACCUMULATE), "compared-with-none", (GRADS, ACCUMULATE)),
    "data_compared_with_none": ((FORWARD, GRADS), "compared-with-none", (FORWARD, GRADS)),
    "as_array_adds_a_dimension": ((FORWARD, GRADS), "as-array-adds-a-dimension", (FORWARD, GRADS)),
    "as_array_makes_float64": ((FORWARD, GRADS), "dtype-changed", (FORWARD, GRADS)),
    "cleargrad_misspelled": ((ACCUMULATE, SEQUENCES), "missing-name", (ACCUMULATE, SEQUENCES)),
    "creator_misspelled": ((NO_GRAD, SEQUENCES), "missing-name", (NO_GRAD, SEQUENCES)),
    "using_config_misspelled": ((NO_GRAD, RESTORED), "missing-name", (RESTORED,)),  # no_grad calls its own
    "restore_to_a_constant": ((NO_GRAD, RESTORED), "flag-not-restored", (RESTORED,)),
    "no_grad_never_restores": ((NO_GRAD, RESTORED), "flag-not-restored", (NO_GRAD,)),
    "variable_accepts_floats": ((REJECTS,), "variable-accepts-non-arrays", (REJECTS,)),
    "variable_without_type_check": ((REJECTS,), "variable-accepts-non-arrays", (REJECTS,)),
    "variable_converts_with_asarray": ((REJECTS,), "variable-accepts-non-arrays", (REJECTS,)),
}


def _check(path: Path, only: tuple[str, ...] = ()) -> Report:
    return specs.check(str(path), seed=0, database=None, max_examples=30, only=only)


@pytest.mark.parametrize("bug", sorted(CASES))
def test_each_learner_bug_gets_its_one_likely_cause(bug: str, tmp_path: Path) -> None:
    only, expected, explained = CASES[bug]
    report = _check(BY_BUG[bug].write(tmp_path), only)
    diagnoses = diagnose(report)
    seen = [(r.id, r.status, r.message) for r in report.properties]
    assert [d.id for d in diagnoses] == [expected], (diagnoses, seen)
    [diagnosis] = diagnoses
    assert set(explained) <= set(diagnosis.property_ids), diagnosis
    failed = {r.id for r in report.properties if r.status == "failed"}
    assert set(diagnosis.property_ids) <= failed  # it explains failures, never passes
    assert "\n" not in diagnosis.cause and diagnosis.fix


def test_the_books_code_gets_no_diagnosis() -> None:
    report = _check(BOOK)
    assert report.passed and any(r.status == "failed" for r in report.properties)  # extended ones differ
    assert diagnose(report) == [] and render_causes(report) == ""
    assert report.to_json()["diagnoses"] == []


@pytest.mark.parametrize("name", ["square_backward_off_by_1e-3", "add_backward_drops_an_input", "inputs_held_weakly"])
def test_failures_no_pattern_fits_get_no_cause(name: str, tmp_path: Path) -> None:
    report = _check(BY_NAME[name].write(tmp_path), (GRADS, RETAIN_FALSE, RETAIN_TRUE, ACCUMULATE))
    assert not report.passed
    assert diagnose(report) == [], diagnose(report)


def _result(property_id: str, message: str, status: str = "failed",
            counterexample: str | None = None) -> PropertyResult:
    tier = "extended" if property_id in ("deep-graph-backward", "config-isolated-between-threads") else "core"
    return PropertyResult(property_id, tier, status, 1, 0.0, message, counterexample)  # type: ignore[arg-type]


def test_one_cause_is_said_once_and_claims_its_failures_first() -> None:
    missing = "the target has no `cleargrad`, which this property needs"
    report = Report("learner.py", [_result(ACCUMULATE, missing), _result(SEQUENCES, missing),
                                   _result(GRADS, "", "passed")])
    [diagnosis] = diagnose(report)
    assert diagnosis == Diagnosis("missing-name", diagnosis.cause, diagnosis.fix, (ACCUMULATE, SEQUENCES))
    assert "`cleargrad`" in diagnosis.cause
    text = report.__repr__()
    assert text.index(f"--- {ACCUMULATE}") < text.index("Likely cause: the engine has no `cleargrad`")  # near the end
    assert text.count("Likely cause") == 1
    assert report.to_json()["diagnoses"] == [diagnosis.to_json()]


def test_a_near_miss_the_probe_found_names_both_spellings() -> None:
    missing = "the target raised AttributeError: the target's Variable object has no attribute 'creator'"
    report = Report("learner.py", [_result(NO_GRAD, missing)], ["`Variable` has no `creator`; it has `creater`"])
    [diagnosis] = diagnose(report)
    assert diagnosis.cause == "the engine spells `creator` as `creater`" and "rename `creater`" in diagnosis.fix


def test_extended_failures_alone_get_no_cause() -> None:
    report = Report("learner.py", [_result("deep-graph-backward", "x.grad is array(inf) after backward over the "
                                                                   "chain, expected 100001.0")])
    assert diagnose(report) == []


def test_the_books_own_attribute_error_is_not_a_missing_name() -> None:
    leaf = "the target raised AttributeError: 'NoneType' object has no attribute 'generation'"
    report = Report("learner.py", [_result(GRADS, leaf)])
    assert diagnose(report) == []


def test_the_cli_prints_the_cause_after_the_details_and_writes_it_to_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = BY_BUG["cleargrad_misspelled"].write(tmp_path)
    json_path = tmp_path / "report.json"
    status = main(["check", str(path), "--only", ACCUMULATE, "--database", "none", "--seed", "0",
                   "--max-examples", "5", "--json", str(json_path), "--jobs", "1"])
    out = capsys.readouterr().out
    assert status == 1
    assert out.index(f"--- {ACCUMULATE} (failed)") < out.index("Likely cause: the engine spells `cleargrad` as `clear_grad`")
    [record] = json.loads(json_path.read_text())["diagnoses"]
    assert record["id"] == "missing-name" and record["properties"] == [ACCUMULATE] and "cleargrad" in record["fix"]


def test_the_html_reports_show_the_cause() -> None:
    report = Report("learner.py", [_result(ACCUMULATE, "the target has no `cleargrad`, which this property needs")])
    for html in (render_compact(report, draw=lambda dot: None), render_page(report, draw=lambda dot: None)):
        assert '<p class="cause"><b>Likely cause:</b> the engine has no `cleargrad`' in html


@pytest.mark.parametrize(("gap", "name", "spelled"), [
    ("`Variable` has no `creator`; it has `creater`", "creator", "creater"),
    ("`Variable.backward` has no parameter `retain_grad`; it has `retrain_grad`", "retain_grad", "retrain_grad"),
])
def test_a_property_blocked_by_the_probe_is_explained_by_the_misspelling(gap: str, name: str, spelled: str) -> None:
    blocked = f"blocked by a piece of the book's API the target lacks: {gap}"
    report = Report("learner.py", [_result(NO_GRAD, blocked), _result(SEQUENCES, blocked)], [gap])
    [diagnosis] = diagnose(report)
    assert diagnosis.cause == f"the engine spells `{name}` as `{spelled}`"
    assert diagnosis.property_ids == (NO_GRAD, SEQUENCES)
