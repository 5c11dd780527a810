"""The targeted experiments: what they show on the book's code and on broken or hostile targets, never crashing."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

import refengine
import specs
from specs.__main__ import main
from specs.target.engines import evidence_of, open_engine
from specs.target.evidence import gather, gather_apart
from specs.target.loader import load_target
from specs.target.probe import probe
from tests.catalogue import BOOK
from tests.diagnosed import BY_BUG, function_redefined_notebook

CLEAN = {
    "as-array": "defined",
    "variable-none": "accepted",
    "variable-float": "raised TypeError: <class 'float'> is not supported",
    "variable-numpy-scalar": "raised TypeError: <class 'numpy.float64'> is not supported",
    "no-grad-flag": "False",
    "function-0d-forward": "returned a Variable",
    "function-outputs": "weak references",
    "shared-function-runs": "ran 1 time",
    "function-no-grad": "returned a Variable with no creator",
    "function-scalar-forward": "returned a Variable",
    "square": "returned a Variable",
    "square-no-grad": "returned a Variable with no creator",
    "add": "returned a Variable",
    "add-no-grad": "returned a Variable with no creator",
}


def _namespace(source: str) -> dict[str, object]:
    namespace: dict[str, object] = {}
    exec(compile(source, "<learner>", "exec"), namespace)
    return namespace


def _gather(namespace: dict[str, object], seconds: float = 1.0) -> dict[str, str]:
    return gather(namespace, probe(namespace).ops, seconds=seconds)


def _experiments(shown: dict[str, str]) -> dict[str, str]:
    """The outcomes of calls, without the attributes read from the classes' code."""
    return {key: value for key, value in shown.items() if not key.endswith("-attributes")}


def test_the_books_code_shows_nothing_wrong() -> None:
    shown = _gather(_namespace(BOOK.read_text()))
    assert _experiments(shown) == CLEAN
    assert shown["variable-attributes"] == "backward, cleargrad, creator, data, generation, grad, set_creator"
    assert shown["function-attributes"] == "backward, forward, generation, inputs, outputs"


def test_refengine_shows_nothing_wrong() -> None:
    engine, _ = open_engine("refengine")
    shown = evidence_of(engine)
    assert shown["variable-none"] == "accepted" and shown["function-scalar-forward"] == "returned a Variable"
    assert shown["square-no-grad"] == shown["add-no-grad"] == "returned a Variable with no creator"
    assert "stale-function" not in shown and "return-under-backprop-if" not in shown


def test_a_return_under_the_backprop_if_is_found_with_its_line(tmp_path: Path) -> None:
    path = BY_BUG["return_under_backprop_if"].write(tmp_path)
    shown = evidence_of(open_engine(str(path))[0])
    line = next(n for n, text in enumerate(path.read_text().splitlines(), start=1) if "            return outputs" in text)
    assert shown["return-under-backprop-if"] == f"line {line}"
    assert shown["square-no-grad"] == shown["function-no-grad"] == "returned None"
    assert shown["square"] == "returned a Variable"


def test_a_missing_as_array_shows_as_a_numpy_scalar_refused(tmp_path: Path) -> None:
    shown = evidence_of(open_engine(str(BY_BUG["call_without_as_array"].write(tmp_path)))[0])
    refused = "raised TypeError: <class 'numpy.float64'> is not supported"
    assert shown["function-scalar-forward"] == shown["variable-numpy-scalar"] == refused
    assert shown["function-0d-forward"] == "returned a Variable"


def test_ops_made_from_an_older_function_are_found(tmp_path: Path) -> None:
    shown = evidence_of(open_engine(str(function_redefined_notebook(tmp_path)))[0])
    assert shown["stale-function"] == "Add, Square"
    assert shown["square-no-grad"] == "returned a Variable with a creator"
    assert shown["function-no-grad"] == "returned a Variable with no creator"


def test_a_name_a_failed_statement_would_have_defined_is_recorded(tmp_path: Path) -> None:
    path = tmp_path / "learner.py"
    path.write_text("import no_such_module_here as np\n" + BOOK.read_text().replace("import numpy as np\n", ""))
    target = load_target(str(path))
    shown = gather(target.namespace, probe(target.namespace).ops, target.failures)
    assert "np" not in target.namespace
    assert shown["load-failure-binds:np"] == ("the statement at line 1 (`import no_such_module_here as np`) raised "
                                              "ModuleNotFoundError: No module named 'no_such_module_here' at line 1")


HOSTILE = '''
import numpy as np

class Config:
    enable_backprop = True

class Variable:
    def __init__(self, data):
        if data is None:
            raise SystemExit("bye")
        if isinstance(data, float):
            while True:
                pass
        self.data = data
        self.creator = None

class Function:
    def __call__(self, *inputs):
        raise KeyboardInterrupt

def no_grad():
    Config.enable_backprop = False  # never put back
    class Block:
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            raise Unprintable()
    return Block()

def square(x):
    return [x]

class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("no")

def add(x0, x1):
    raise MemoryError
'''


def test_a_hostile_target_costs_only_its_experiments() -> None:
    namespace = _namespace(HOSTILE)
    shown = _gather(namespace, seconds=0.05)
    assert shown["variable-none"] == "raised SystemExit: bye"
    assert shown["variable-float"].startswith("raised TargetHang: the target did not finish within 0.05 s")
    assert shown["function-0d-forward"] == "raised KeyboardInterrupt"
    assert shown["square"] == "returned a list" and shown["add"] == "raised MemoryError"
    assert shown["no-grad-flag"] == shown["square-no-grad"] == "raised Unprintable"
    assert getattr(namespace["Config"], "enable_backprop") is True  # put back after each experiment


def test_a_target_without_the_books_classes_gets_only_what_applies() -> None:
    assert gather({"square": lambda x: x}, {}) == {"as-array": "missing"}


@pytest.mark.parametrize("route", ["worker", "in-process"])
def test_the_evidence_reaches_the_json_report(route: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = BY_BUG["variable_rejects_none"].write(tmp_path)
    report = tmp_path / "report.json"
    argv = ["check", str(path), "--only", "variable-rejects-non-ndarray", "--database", "none", "--seed", "0",
            "--max-examples", "5", "--json", str(report), "--jobs", "1"]
    assert main([*argv, "--in-process"] if route == "in-process" else argv) == 1
    written = json.loads(report.read_text())
    assert written["evidence"]["variable-none"] == "raised TypeError: <class 'NoneType'> is not supported"
    assert [d["id"] for d in written["diagnoses"]] == ["variable-rejects-none"]
    assert "Likely cause: `Variable` rejects `None`" in capsys.readouterr().out


def test_a_namespace_checked_in_process_carries_its_evidence() -> None:
    namespace = _namespace(BOOK.read_text())
    report = specs.check(namespace, only=("variable-rejects-non-ndarray",), max_examples=5, seed=0, database=None)
    assert _experiments(report.evidence) == CLEAN and report.to_json()["evidence"] == report.evidence


def test_a_target_that_hangs_in_every_experiment_costs_three_time_limits_in_all() -> None:
    namespace = _namespace("class Variable:\n    def __init__(self, data):\n        while True:\n            pass\n")
    shown = _gather(namespace, seconds=0.05)
    hung = [key for key, value in shown.items() if value.startswith("raised TargetHang")]
    assert hung == ["variable-none", "variable-float", "variable-numpy-scalar"]  # the rest were skipped


def test_experiments_run_apart_survive_a_square_that_ends_its_process() -> None:
    ops: dict[str, Callable[..., object]] = {"add": refengine.add, "square": refengine.square}
    assert gather_apart(vars(refengine), ops) == gather(vars(refengine), ops)

    def square(x: object) -> object:
        os._exit(3)

    assert gather_apart(vars(refengine), {**ops, "square": square}) == {}  # no evidence, and this process goes on
