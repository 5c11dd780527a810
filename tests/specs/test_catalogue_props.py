"""The properties of issue 12 read what they promise: snippets name the failing call, memory is
judged by growth (a constant copy per op passes), and the book's code passes every new rule."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

import specs
from specs.properties import BY_ID, PROPERTIES
from specs.properties.base import Violation
from specs.properties.memory import check_backward_memory
from specs.target.adapters.dezero_style import DezeroStyle
from tests.broken_engine import BrokenEngine
from tests.catalogue import BY_NAME
from tests.catalogue_props import PROPS_CATALOGUE
from tests.conftest import load_file

NEW_IDS = (
    "output-grad-set-beforehand-seeds-backward",
    "handed-out-grads-are-never-mutated",
    "generations-follow-the-graph",
    "using-config-rejects-unknown-names",
    "using-config-reads-old-value-on-entry",
    "variable-accepts-every-ndarray",
    "backward-needs-no-recursion",
    "backward-memory-independent-of-depth",
)
COPY_PER_OP = BrokenEngine(  # not a bug: every result copied once, a constant extra array
    "as_array_copies_every_result", "    return x\n\n\nclass Function:", "    return np.array(x)\n\n\nclass Function:", "")


def test_every_group_of_the_issue_has_engines_and_each_names_a_real_property() -> None:
    assert len(PROPS_CATALOGUE) >= 30
    assert {engine.caught_by for engine in PROPS_CATALOGUE} >= set(NEW_IDS) | {"graph-freed-by-reference-counting"}
    assert all(engine.caught_by in BY_ID for engine in PROPS_CATALOGUE)


def test_new_ids_are_listed_with_their_tiers() -> None:
    tiers = {p.id: p.tier for p in PROPERTIES}
    assert all(tiers[i] == "core" for i in NEW_IDS[:-1]) and tiers[NEW_IDS[-1]] == "memory"


def test_a_rejected_none_is_reported_as_variable_none(tmp_path: Path) -> None:
    report = specs.check(str(BY_NAME["none_rejected"].write(tmp_path)), only=("variable-rejects-non-ndarray",), seed=0,
                         database=None)
    [result] = report.properties
    assert result.status == "failed" and result.counterexample is not None
    assert "x = Variable(None)  # raised TypeError; expected a Variable" in result.counterexample
    assert "should raise" not in result.counterexample


def test_an_accepted_variable_is_named_in_the_snippet(tmp_path: Path) -> None:
    report = specs.check(str(BY_NAME["variable_unwraps_a_variable"].write(tmp_path)),
                         only=("variable-rejects-non-ndarray",), seed=0, database=None)
    snippet = report.properties[0].counterexample
    assert snippet is not None and "x = Variable(Variable(np.array(1.0)))  # expected TypeError: it was accepted" in snippet


def test_a_constant_copy_per_op_is_not_a_kept_graph(tmp_path: Path) -> None:
    only = ("no-grad-forward-memory-bounded", "backward-memory-independent-of-depth")
    report = specs.check(str(COPY_PER_OP.write(tmp_path)), only=only, seed=0, database=None)
    assert [r.status for r in report.properties] == ["passed", "passed"], report


def test_growth_is_seen_when_tracing_was_already_on(tmp_path: Path) -> None:
    engine = DezeroStyle(vars(load_file(BY_NAME["grads_cleared_after_the_whole_pass"].write(tmp_path))), "kept")
    tracemalloc.start()
    try:
        with pytest.raises(Violation, match="peak was 1[6-8].0 arrays"):
            check_backward_memory(engine, None)
        assert tracemalloc.is_tracing()
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("target", ["refengine", "book"])
def test_the_new_properties_pass_on_the_reference_and_the_book(target: str, book_path: Path) -> None:
    report = specs.check("refengine" if target == "refengine" else str(book_path), only=NEW_IDS, max_examples=40,
                         seed=3, database=None)
    assert [r.status for r in report.properties] == ["passed"] * len(NEW_IDS), report


@pytest.mark.parametrize(("name", "owner", "innocent"), [
    ("graph_built_under_no_grad", "no-grad-builds-no-graph", "config-restored-after-exception"),
    ("creator_set_outside_the_flag", "no-grad-builds-no-graph", "config-restored-after-exception"),
    ("grad_accumulated_in_place", "handed-out-grads-are-never-mutated", "backward-needs-no-recursion"),
    ("grads_added_with_out", "handed-out-grads-are-never-mutated", "backward-needs-no-recursion"),
    ("grad_overwritten", "gradients-match-finite-differences", "backward-needs-no-recursion"),
])
def test_a_bug_is_blamed_on_the_property_that_owns_it(tmp_path: Path, name: str, owner: str, innocent: str) -> None:
    # ops that ignore the flag are not a restoring bug; grads that overflow a chain are not a recursion bug
    report = specs.check(str(BY_NAME[name].write(tmp_path)), only=(owner, innocent), seed=0, database=None)
    status = {result.id: result.status for result in report.properties}
    assert status == {owner: "failed", innocent: "passed"}, report.properties


def test_a_recursion_error_said_by_the_check_is_reproduced_by_its_replay(tmp_path: Path) -> None:
    # the check's snippet ends `y.backward()  # raised RecursionError`: the replay raising it is the failure
    report = specs.check(str(BY_NAME["recursive_topological_sort"].write(tmp_path)),
                         only=("backward-needs-no-recursion",), seed=0, database=None)
    [result] = report.properties
    assert result.status == "failed" and "RecursionError" in result.message
    assert result.replayed == "reproduced", result.replayed
