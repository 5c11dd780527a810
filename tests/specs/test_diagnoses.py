"""Likely causes: each learner's bug in `tests.diagnosed` gets its diagnosis; other failures get none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import specs
from specs.report.diagnoses import (ACCUMULATE, FORWARD, FREED, GENERATIONS, GRADS, HANDED_OUT, NO_GRAD, READS_OLD,
                                    REJECTS, RESTORED, RETAIN_FALSE, RETAIN_TRUE, SEEDED, SEQUENCES, Diagnosis,
                                    diagnose, render_causes)
from specs.__main__ import main
from specs.report.html import render_compact, render_page
from specs.report.report import Report
from specs.report.results import PropertyResult
from tests.catalogue import BOOK, BY_NAME
from tests.conftest import FIXTURES
from tests.diagnosed import BY_BUG, failed_import_notebook, function_redefined_notebook

ACCEPTS = "variable-accepts-every-ndarray"
# bug -> (the properties to run: the pattern's signature, the diagnosis, properties it must explain)
CASES: dict[str, tuple[tuple[str, ...], str, tuple[str, ...]]] = {
    "grad_accumulated_in_place": ((GRADS, RETAIN_FALSE, RETAIN_TRUE, ACCUMULATE, SEEDED, HANDED_OUT),
                                  "grad-accumulated-in-place", (GRADS, RETAIN_TRUE, ACCUMULATE, SEEDED, HANDED_OUT)),
    "no_generation_sort": ((GRADS, RETAIN_FALSE, RETAIN_TRUE, SEEDED), "functions-out-of-order",
                           (GRADS, RETAIN_FALSE, SEEDED)),
    "generation_from_min": ((GRADS, RETAIN_FALSE, GENERATIONS), "functions-out-of-order",
                            (GRADS, RETAIN_FALSE, GENERATIONS)),
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
    "restore_to_a_constant": ((NO_GRAD, RESTORED, READS_OLD), "flag-not-restored", (RESTORED, READS_OLD)),
    "no_grad_never_restores": ((NO_GRAD, RESTORED), "flag-not-restored", (NO_GRAD,)),
    "variable_accepts_floats": ((REJECTS,), "variable-accepts-non-arrays", (REJECTS,)),
    "variable_without_type_check": ((REJECTS,), "variable-accepts-non-arrays", (REJECTS,)),
    "variable_converts_with_asarray": ((REJECTS,), "variable-accepts-non-arrays", (REJECTS,)),
    # crashes whose cause the targeted experiments confirm (specs.target.evidence)
    "numpy_never_imported": ((FORWARD, REJECTS, NO_GRAD), "name-not-defined", (FORWARD, REJECTS, NO_GRAD)),
    "call_without_as_array": ((FORWARD, GRADS, NO_GRAD), "function-call-without-as-array", (FORWARD, GRADS, NO_GRAD)),
    "return_under_backprop_if": ((FORWARD, NO_GRAD, SEQUENCES), "returns-none-under-no-grad", (NO_GRAD, SEQUENCES)),
    "square_without_return": ((FORWARD, NO_GRAD), "op-returns-none", (FORWARD, NO_GRAD)),
    "call_without_return": ((FORWARD, GRADS), "op-returns-none", (FORWARD, GRADS)),
    "variable_rejects_none": ((REJECTS, ACCEPTS, FORWARD), "variable-rejects-none", (REJECTS, ACCEPTS)),
    "graph_built_under_no_grad": ((NO_GRAD, SEQUENCES, GRADS), "function-ignores-no-grad", (NO_GRAD, SEQUENCES)),
    "enable_backprop_copied_once": ((NO_GRAD, GRADS), "function-ignores-no-grad", (NO_GRAD,)),
    "no_grad_that_enables": ((NO_GRAD, GRADS), "no-grad-leaves-backprop-on", (NO_GRAD,)),
    "no_grad_without_return": ((NO_GRAD, GRADS), "no-grad-returns-none", (NO_GRAD,)),
}


def _check(path: Path | str, only: tuple[str, ...] = ()) -> Report:
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


@pytest.mark.parametrize("name", ["square_backward_off_by_1e-3", "add_backward_drops_an_input", "inputs_held_weakly",
                                  "creator_set_before_generation",  # its `generation` exists: read before it is set
                                  "recursive_topological_sort"])  # a cycle, but its Functions' outputs are weak
def test_failures_no_pattern_fits_get_no_cause(name: str, tmp_path: Path) -> None:
    report = _check(BY_NAME[name].write(tmp_path), (GRADS, RETAIN_FALSE, RETAIN_TRUE, ACCUMULATE, FREED))
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


# What each crash's cause says, in the words a learner acts on (run end to end, a few properties).
CAUSE_LINES: dict[str, tuple[str, str]] = {
    "numpy_never_imported": ("`np` is not defined when your code runs (line 31, in `__init__`): numpy is not "
                             "imported as `np`", "add `import numpy as np` at the top of the file"),
    "call_without_as_array": ("`Function.__call__` does not wrap outputs with `as_array`: on 0-d data `forward` returns "
                              "a numpy scalar (`np.float64`), not an ndarray, and your `Variable` refuses it "
                              "(TypeError: <class 'numpy.float64'> is not supported)",
                              "in `Function.__call__`: `outputs = [Variable(as_array(y)) for y in ys]`"),
    "return_under_backprop_if": ("`Function.__call__` returns None inside `no_grad()` (when `Config.enable_backprop` "
                                 "is False): its `return` (line 97) is indented under `if Config.enable_backprop:`",
                                 "dedent the `return` out of the `if Config.enable_backprop:` block"),
    "square_without_return": ("`square` returns None, not a Variable (`Function.__call__` itself returns one): a "
                              "`return` is missing", "`def square(x): return Square()(x)`"),
    "variable_rejects_none": ("`Variable` rejects `None`: `Variable(None)` raised TypeError: <class 'NoneType'> is not "
                              "supported, but step 18 accepts None (a Variable with no data yet)",
                              "check the type only when there is data: `if data is not None:`"),
}


@pytest.mark.parametrize("bug", sorted(CAUSE_LINES))
def test_each_crash_is_said_in_the_learners_words(bug: str, tmp_path: Path) -> None:
    _, expected, explained = CASES[bug]
    [diagnosis] = diagnose(_check(BY_BUG[bug].write(tmp_path), explained[:1]))  # one failure is enough
    cause, fix = CAUSE_LINES[bug]
    assert diagnosis.id == expected and diagnosis.cause == cause and fix in diagnosis.fix


def test_a_notebook_that_redefined_function_after_its_ops_is_told_so(tmp_path: Path) -> None:
    report = _check(function_redefined_notebook(tmp_path), (NO_GRAD, SEQUENCES, GRADS))
    [diagnosis] = diagnose(report)
    assert diagnosis.id == "function-redefined-after-ops"
    assert diagnosis.cause == ("`Add` and `Square` were made from an older `Function`: the notebook defines `Function` "
                               "again after them, so `no_grad()` does nothing for `square` and `add`")
    assert set(diagnosis.property_ids) == {NO_GRAD, SEQUENCES}  # GRADS passes: only the flag is ignored


def test_a_notebook_whose_import_cell_failed_is_told_which_cell(tmp_path: Path) -> None:
    report = _check(failed_import_notebook(tmp_path), (FORWARD, REJECTS))
    [diagnosis] = diagnose(report)
    assert diagnosis.id == "name-not-defined" and diagnosis.property_ids == (FORWARD, REJECTS)
    assert diagnosis.cause.startswith("`np` is not defined when your code runs (In [2], line 31, in `__init__`): In [1] "
                                      "(`import matplotlib_not_installed_here.pyplot as plt`) raised ModuleNotFoundError")
    assert "a cell stops at its first error" in diagnosis.fix


def test_the_books_code_and_refengine_get_no_cause_from_their_evidence() -> None:
    for target in ("refengine", str(BOOK)):
        report = _check(target, (FORWARD, NO_GRAD, REJECTS))
        assert report.passed and report.evidence and diagnose(report) == []


# The four wrong causes of issue #20, from the messages those targets gave: without evidence, no cause
# names them wrongly; the messages alone never say "accepts non-ndarrays" or "has no `creator`".
_NP = "NameError: name 'np' is not defined"
WRONG_BEFORE: dict[str, list[PropertyResult]] = {
    "missing numpy import": [_result(FORWARD, f"the target raised {_NP}"),
                             _result(REJECTS, f"Variable(np.float64(0.0)) raised {_NP}; a non-ndarray must raise TypeError")],
    "Variable rejecting None": [_result(REJECTS, "Variable(None) raised TypeError: <class 'NoneType'> is not supported; "
                                                 "it must be accepted")],
    "return under the if": [_result(NO_GRAD, "the target raised AttributeError: the target's NoneType object has no "
                                             "attribute 'creator'"),
                            _result(GENERATIONS, "the target raised AttributeError: the target's NoneType object has no "
                                                 "attribute 'generation'")],
    "notebook whose import cell failed": [_result(REJECTS, f"Variable(1.0) raised {_NP}; a non-ndarray must raise "
                                                           "TypeError")],
}


@pytest.mark.parametrize("case", sorted(WRONG_BEFORE))
def test_the_four_wrong_causes_are_gone(case: str) -> None:
    ids = [d.id for d in diagnose(Report("learner.py", WRONG_BEFORE[case]))]
    assert "variable-accepts-non-arrays" not in ids and "missing-name" not in ids
    assert ids in ([], ["name-not-defined"], ["variable-rejects-none"])


def _with(evidence: dict[str, str], *results: PropertyResult) -> Report:
    return Report("learner.py", list(results), evidence=evidence)


_REFUSED = "raised TypeError: <class 'numpy.float64'> is not supported"
_CRASH = _result(FORWARD, "the target raised TypeError: <class 'numpy.float64'> is not supported")


@pytest.mark.parametrize(("evidence", "expected"), [
    ({"function-scalar-forward": _REFUSED, "function-0d-forward": "returned a Variable",
      "variable-numpy-scalar": _REFUSED}, ["function-call-without-as-array"]),
    ({"function-scalar-forward": _REFUSED, "function-0d-forward": _REFUSED, "variable-numpy-scalar": _REFUSED}, []),
    ({"function-scalar-forward": "returned a Variable", "function-0d-forward": "returned a Variable",
      "variable-numpy-scalar": _REFUSED}, []),
    ({}, []),
])
def test_missing_as_array_is_named_only_when_the_experiment_shows_it(evidence: dict[str, str],
                                                                     expected: list[str]) -> None:
    assert [d.id for d in diagnose(_with(evidence, _CRASH))] == expected


_NONE_CRASH = _result(NO_GRAD, "the target raised AttributeError: the target's NoneType object has no attribute 'creator'")


@pytest.mark.parametrize(("evidence", "cause"), [
    ({"square": "returned a Variable", "square-no-grad": "returned None", "function-no-grad": "returned None"},
     "`Function.__call__` returns None inside `no_grad()` (when `Config.enable_backprop` is False)"),
    ({"square": "returned a Variable", "square-no-grad": "returned None", "function-no-grad": "returned a Variable "
      "with no creator"}, "`square` returns None inside `no_grad()` (when `Config.enable_backprop` is False)"),
    ({"square": "returned None", "function-0d-forward": "returned a Variable"},
     "`square` returns None, not a Variable (`Function.__call__` itself returns one): a `return` is missing"),
    ({"square": "returned a Variable", "square-no-grad": "returned a Variable with no creator"}, None),
])
def test_returning_none_is_named_only_on_the_experiments(evidence: dict[str, str], cause: str | None) -> None:
    diagnoses = diagnose(_with(evidence, _NONE_CRASH))
    assert [d.cause for d in diagnoses] == ([] if cause is None else [cause])


def test_a_stale_function_needs_the_ops_to_ignore_no_grad() -> None:
    creator = _result(NO_GRAD, "y0 was built inside no_grad() but has a creator")
    stale = {"stale-function": "Add, Square", "function-no-grad": "returned a Variable with no creator",
             "square-no-grad": "returned a Variable with a creator", "add-no-grad": "returned a Variable with a creator"}
    assert [d.id for d in diagnose(_with(stale, creator))] == ["function-redefined-after-ops"]
    honoured = {**stale, "square-no-grad": "returned a Variable with no creator",
                "add-no-grad": "returned a Variable with no creator"}
    assert diagnose(_with(honoured, creator)) == []
    assert diagnose(_with({k: v for k, v in stale.items() if k != "stale-function"}, creator)) == []


def test_a_call_that_returns_a_list_is_named_from_what_the_op_returned(tmp_path: Path) -> None:
    report = _check(FIXTURES / "learners" / "en_step18_always_list.py", (FORWARD, NO_GRAD))
    [diagnosis] = diagnose(report)
    assert diagnosis.id == "call-returns-a-list" and diagnosis.property_ids == (FORWARD, NO_GRAD)
    assert "return outputs if len(outputs) > 1 else outputs[0]" in diagnosis.fix
    blocked = _result(FORWARD, "blocked by a piece of the book's API the target lacks: `add(x0, x1)` returned a list, "
                               "not a Variable: `Function.__call__` should return `outputs[0]` when there is one output")
    assert diagnose(_with({}, blocked)) == []  # the experiment must show it too


def test_a_generator_without_contextmanager_is_named_from_the_probe() -> None:
    blocked = _result(NO_GRAD, "blocked by a piece of the book's API the target lacks: `no_grad` returned a generator, "
                               "not a context manager: is `@contextlib.contextmanager` missing? (it returns "
                               "`using_config(...)`)")
    notes = ["`using_config` returned a generator, not a context manager: is `@contextlib.contextmanager` missing? (a "
             "name of the book's API: each property that needs it fails as blocked by it)",
             "`no_grad` returned a generator, not a context manager: is `@contextlib.contextmanager` missing? (it "
             "returns `using_config(...)`) (a name of the book's API: each property that needs it fails as blocked "
             "by it)"]
    [diagnosis] = diagnose(Report("learner.py", [blocked], notes))
    assert diagnosis.cause == ("`using_config` has no `@contextlib.contextmanager` above it: it is a plain generator, "
                               "so `with using_config(...):` raises TypeError, and so does `with no_grad():`, which "
                               "returns it")
    assert diagnose(Report("learner.py", [blocked])) == []


def test_an_attribute_the_classes_assign_is_not_a_missing_name() -> None:
    raised = _result(GRADS, "the target raised AttributeError: 'Square' object has no attribute 'generation'")
    assert [d.id for d in diagnose(_with({}, raised))] == ["missing-name"]  # nothing says otherwise
    read_before_set = {"function-attributes": "backward, forward, generation, inputs, outputs"}
    assert diagnose(_with(read_before_set, raised)) == []


def test_any_name_not_defined_is_named_with_its_line() -> None:
    message = ("the target raised NameError: name 'weakref' is not defined\nTraceback (most recent call last, from the "
               "target's code):\n  File \"/home/learner/step18.py\", line 95, in __call__\n    self.outputs = "
               "[weakref.ref(output) for output in outputs]\nNameError: name 'weakref' is not defined")
    [diagnosis] = diagnose(_with({}, _result(GRADS, message)))
    assert diagnosis.cause == "`weakref` is not defined when your code runs (line 95, in `__call__`)"
    assert diagnosis.fix == "add `import weakref` at the top of the file"
    [learner_name] = diagnose(_with({}, _result(GRADS, message.replace("weakref", "my_helper"))))
    assert learner_name.fix == ("define or import `my_helper` at the top of the file, before the code that uses it "
                                "(check its spelling)")
