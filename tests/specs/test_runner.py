"""The runner and the adapter: missing names, raising targets, grad types, the database, reports."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import refengine
import specs
from specs.properties import BY_ID
from specs.run.database import open_database
from specs.target.adapters.dezero_style import DezeroStyle


def test_a_missing_name_fails_only_the_properties_that_need_it() -> None:
    namespace = {name: getattr(refengine, name) for name in ("Variable", "add", "square")}
    report = specs.check(namespace, max_examples=5, database=None)
    by_id = {r.id: r for r in report.properties}
    assert by_id["forward-values-match-numpy"].status == "passed"
    assert by_id["no-grad-builds-no-graph"].status == "failed"
    assert "has no `Config`; the target has no `no_grad`" in by_id["no-grad-builds-no-graph"].message
    assert "`using_config`" in by_id["config-restored-after-exception"].message
    assert not report.passed


def test_a_target_that_raises_fails_with_its_traceback() -> None:
    def square(x: object) -> object:
        raise ValueError("not implemented yet")

    namespace = {**vars(refengine), "square": square}
    report = specs.check(namespace, only=("forward-values-match-numpy",), database=None)
    [result] = report.properties
    assert result.status == "failed"
    assert "the target raised ValueError: not implemented yet" in result.message
    assert "in square" in result.message and "specs/run/runner.py" not in result.message


@pytest.mark.parametrize(
    ("grad", "expected"),
    [
        (np.float64(2.0), np.array(2.0)),
        (np.array(2.0, dtype=np.float32), np.array(2.0, dtype=np.float32)),
        (SimpleNamespace(data=np.array([1.0, 2.0])), np.array([1.0, 2.0])),
        (None, None),
    ],
)
def test_the_adapter_turns_every_kind_of_grad_into_an_ndarray(grad: object, expected: object) -> None:
    got = DezeroStyle({}, "t").grad(SimpleNamespace(grad=grad))
    if expected is None:
        assert got is None
    else:
        assert isinstance(got, np.ndarray) and isinstance(expected, np.ndarray)
        assert got.dtype == expected.dtype and np.array_equal(got, expected)


def test_the_adapter_refuses_a_grad_that_is_not_a_number() -> None:
    with pytest.raises(TypeError, match="expected an ndarray, got a list"):
        DezeroStyle({}, "t").grad(SimpleNamespace(grad=[1.0]))


def _square_wrong_in_3d(x: refengine.Variable) -> refengine.Variable:
    """A square that no famous example trips up: only 3-d arrays get a wrong value."""
    y = refengine.square(x)
    if y.data is not None and y.data.ndim == 3:
        y.data = y.data + 1
    return y


def test_failures_are_saved_and_replayed_first(tmp_path: Path) -> None:
    target = {**vars(refengine), "square": _square_wrong_in_3d}
    database = tmp_path / "db"
    only = ("forward-values-match-numpy",)
    first = specs.check(target, only=only, database=database, max_examples=500)
    assert first.properties[0].examples > 2
    assert any(database.rglob("*")), "the failing example was not saved"
    again = specs.check(target, only=only, database=database, max_examples=500)
    assert first.properties[0].status == again.properties[0].status == "failed"
    famous = len(BY_ID["forward-values-match-numpy"].examples)
    assert again.properties[0].examples <= famous + 2  # the famous graphs, the saved one, its replay


def test_the_report_as_json_text_and_html(tmp_path: Path) -> None:
    report = specs.check(only=("variable-rejects-non-ndarray",), max_examples=5, database=None)
    report.write_json(tmp_path / "report.json")
    data = json.loads((tmp_path / "report.json").read_text())
    assert set(data) >= {"target", "conformant", "properties"} and data["conformant"] is True
    assert set(data["properties"][0]) == {"id", "tier", "status", "examples", "seconds", "message", "counterexample"}
    assert "variable-rejects-non-ndarray" in repr(report) and "conformant" in repr(report)
    assert "<table>" in report._repr_html_()


def test_targets_sharing_a_database_directory_keep_their_failures_apart(tmp_path: Path) -> None:
    broken, conformant, same_file = (open_database(tmp_path, target=name)
                                     for name in ("broken.py", "refengine", "elsewhere/broken.py"))
    assert broken is not None and conformant is not None and same_file is not None
    broken.save(b"key", b"failing example")
    assert list(conformant.fetch(b"key")) == []  # refengine replays nothing of broken.py's, so deletes nothing
    assert list(same_file.fetch(b"key")) == [b"failing example"]  # keyed by the file's name, not its directory


def test_frames_are_told_apart_by_whose_file_they_run_in_every_stage_of_the_suite() -> None:
    import refengine.core
    import specs.graphs.oracle
    import specs.report.dot
    import specs.target.adapters.dezero_style
    from specs.run.runner import _owner

    assert _owner(specs.target.adapters.dezero_style.__file__) == "adapter"
    assert {_owner(module.__file__ or "") for module in (specs, specs.graphs.oracle, specs.report.dot)} == {"suite"}
    assert _owner(refengine.core.__file__ or "") == "target"
    assert _owner(np.__file__ or "") == "library"
