"""Every printed snippet is replayed against the target first, and it includes the failing call."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Final

import numpy as np
import pytest

import refengine
import specs
from specs.properties import BY_ID
from specs.graphs.snippets import print_check
from specs.run.runner import _verify
from specs.target.adapters.dezero_style import DezeroStyle
from specs.report.console import render_text
from specs.report.results import PropertyResult
from tests.catalogue import BOOK, BY_NAME
from tests.conftest import load_file


def _check(path: Path, prop: str, examples: int = 30) -> PropertyResult:
    [result] = specs.check(str(path), only=(prop,), max_examples=examples, database=None, seed=0).properties
    return result


def _patched(tmp_path: Path, name: str, old: str, new: str) -> Path:
    source = BOOK.read_text()
    assert source.count(old) == 1
    path = tmp_path / f"{name}.py"
    path.write_text(source.replace(old, new))
    return path


def _code(result: PropertyResult) -> list[str]:
    """The snippet's lines after its header (the import and the where-to-run comment)."""
    assert result.counterexample is not None
    return [line for line in result.counterexample.splitlines()[2:] if line.strip()]


def test_a_variable_that_rejects_none_gets_the_call_that_raised(tmp_path: Path) -> None:
    path = _patched(tmp_path, "rejects_none", "        if data is not None:\n", "        if True:\n")
    result = _check(path, "variable-rejects-non-ndarray")
    assert result.status == "failed" and result.replayed == "reproduced", result
    assert _code(result) == ["x = Variable(None)  # raised TypeError; expected a Variable"]
    assert "should raise" not in (result.counterexample or "")


def test_an_accepted_float_is_reproduced(tmp_path: Path) -> None:
    result = _check(BY_NAME["variable_accepts_floats"].write(tmp_path), "variable-rejects-non-ndarray")
    assert result.replayed == "reproduced" and re.fullmatch(r"x = Variable\(.*\)  # expected TypeError.*",
                                                            _code(result)[0])


def test_the_accumulation_snippet_reaches_the_cleargrad_that_raised(tmp_path: Path) -> None:
    path = _patched(tmp_path, "cleargrad_without_self", "    def cleargrad(self):\n", "    def cleargrad():\n")
    result = _check(path, "grads-accumulate-across-backward-calls")
    assert result.status == "failed" and "TypeError" in result.message
    assert result.replayed == "reproduced", result
    assert any(line.endswith(".cleargrad()  # raised TypeError") for line in _code(result)), result.counterexample


RETURN_INSIDE_IF: Final = ("            self.outputs = [weakref.ref(output) for output in outputs]\n"
                           "        return outputs if len(outputs) > 1 else outputs[0]\n")


@pytest.mark.parametrize(("prop", "last"), [
    ("no-grad-builds-no-graph", "print(y0.creator)  # raised AttributeError"),
    ("operation-sequences-match-model", "print(v1.creator)  # raised AttributeError"),
    ("generations-follow-the-graph", "print(z.generation)  # raised AttributeError"),
])
def test_a_snippet_ends_at_the_read_that_raised(tmp_path: Path, prop: str, last: str) -> None:
    # `return` indented under `if Config.enable_backprop:`: an op under no_grad() returns None
    path = _patched(tmp_path, "return_inside_if", RETURN_INSIDE_IF, RETURN_INSIDE_IF.replace("        return", "            return"))
    result = _check(path, prop)
    assert result.status == "failed" and result.replayed == "reproduced", result
    assert _code(result)[-1].strip() == last, result.counterexample


def test_a_value_failure_is_replayed_and_prints_different_values(tmp_path: Path) -> None:
    result = _check(BY_NAME["square_backward_off_by_1e-7"].write(tmp_path), "gradients-match-finite-differences")
    assert result.replayed == "reproduced"
    expected, got = re.search(r"# expected (.*), got (.*)$", _code(result)[-1]).groups()  # type: ignore[union-attr]
    assert expected != got  # enough digits that a tiny error never prints as the expected value


def test_the_two_pass_hint_gives_the_two_pass_value(tmp_path: Path) -> None:
    result = _check(BY_NAME["square_backward_off_by_1e-3"].write(tmp_path), "grads-accumulate-across-backward-calls")
    found = re.search(r"is ([-\d.e]+), expected ([-\d.e]+) .*central differences give ([-\d.e]+) for 2 passes",
                      result.message)
    assert found is not None, result.message
    assert abs(float(found.group(3)) - float(found.group(2))) < 1e-4 * max(1.0, abs(float(found.group(2))))


def test_a_snippet_that_does_not_reproduce_says_so(tmp_path: Path) -> None:
    # wrong only on the first square of a 1-d array the file ever computes (a famous case's; the experiments
    # after loading square 0-d data): the replay's square is right
    path = _patched(tmp_path, "flaky", "        return x**2\n",
                    "        global CALLS\n        CALLS = globals().get('CALLS', 0) + (x.ndim == 1)\n"
                    "        return x**2 + (1.0 if CALLS == 1 and x.ndim == 1 else 0.0)\n")
    result = _check(path, "forward-values-match-numpy", examples=5)
    assert result.status == "failed"
    assert result.replayed.startswith("not reproduced"), result
    text = render_text(specs.Report("t", [result]))
    assert "this snippet did not show the failure: it printed [4.   0.25]" in text  # what the replay printed
    assert "the example itself passed when run again" in text  # the reason, from running the example again


def test_a_snippet_that_misses_the_failing_call_is_not_blamed_on_the_target(tmp_path: Path) -> None:
    engine = DezeroStyle(vars(load_file(BY_NAME["as_array_skipped"].write(tmp_path))), "as_array_skipped")
    trial = BY_ID["gradients-match-finite-differences"].examples[0]
    with pytest.raises(TypeError) as caught:  # add() makes a numpy scalar that Variable refuses
        trial.run(engine)
    snippet = engine.snippet_header() + "x0 = Variable(np.array(1.0))\n"  # the example without its add()
    verdict, _, _ = _verify(engine, snippet, caught.value, 5.0, trial)
    assert verdict.startswith("not reproduced: it ran without an error; the example itself still fails"), verdict
    assert "the target's results depend" not in verdict


# Which engine shows each kind of `print(...)  # expected W, got G` line, and through which property
PRINTING: Final = (
    ("grad_accumulated_in_place", "gradients-match-finite-differences"),  # a 3x3 grad: .tolist()
    ("grad_accumulated_in_place", "retain-grad-true-keeps-intermediate-grads"),  # a 0-d grad
    ("grad_accumulated_in_place", "handed-out-grads-are-never-mutated"),  # `kept`
    ("grad_accumulated_in_place", "operation-sequences-match-model"),
    ("forward_in_float32", "forward-values-match-numpy"),  # same values, another dtype: .dtype
    ("forward_in_float32", "no-grad-builds-no-graph"),
    ("square_backward_off_by_1e-7", "gradients-match-finite-differences"),  # every digit
)


def _printed(namespace: dict[str, object], snippet: str) -> str:
    """The last line `snippet` prints when run in a copy of `namespace`."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(snippet, dict(namespace))
    return out.getvalue().splitlines()[-1]


def _namespace(path: Path) -> dict[str, object]:
    scope: dict[str, object] = {"__name__": "engine"}
    exec(compile(path.read_text(), str(path), "exec"), scope)
    return scope


@pytest.mark.parametrize(("name", "prop"), PRINTING)
def test_a_snippet_prints_what_its_comment_says(tmp_path: Path, name: str, prop: str) -> None:
    broken = BY_NAME[name].write(tmp_path)
    result = _check(broken, prop, examples=100)
    assert result.replayed == "reproduced", result
    code = result.counterexample or ""
    found = re.search(r"# expected (.*), got (.*)$", code.splitlines()[-1])
    assert found is not None, code
    expected, got = found.groups()
    refengine_scope: dict[str, object] = {key: getattr(refengine, key) for key in refengine.__all__}
    assert _printed(refengine_scope, code) == expected, code
    assert _printed(_namespace(BOOK), code) == expected, code  # a numpy scalar grad prints as refengine's 0-d one
    assert _printed(_namespace(broken), code) == got, code


def test_a_famous_failure_does_not_stop_the_search_for_a_smaller_one(tmp_path: Path) -> None:
    result = _check(BY_NAME["square_backward_off_by_1e-3"].write(tmp_path), "gradients-match-finite-differences")
    operations = [line for line in _code(result) if re.match(r"y\d+ = (add|square)\(", line)]
    assert len(operations) == 1, result.counterexample  # `y0 = square(x0)`, not the 4-op diamond


def test_operation_sequences_print_few_lines_and_real_with_blocks(tmp_path: Path) -> None:
    for name in ("cleargrad_does_nothing", "no_grad_that_enables", "restore_only_on_exception", "retain_grad_ignored"):
        result = _check(BY_NAME[name].write(tmp_path), "operation-sequences-match-model", examples=300)
        code = _code(result)
        assert result.replayed == "reproduced", (name, result)
        assert "__enter__" not in result.counterexample and "block0" not in result.counterexample  # type: ignore[operator]
        assert len(code) <= 8, (name, result.counterexample)
        made = [m.group(1) for line in code if (m := re.match(r"\s*(v\d+) = ", line))]
        for variable in made:  # no unused variable
            assert sum(re.search(rf"\b{variable}\b", line) is not None for line in code) >= 2, result.counterexample
        values = re.findall(r"np\.array\(([-\d.e]+)\)", result.counterexample or "")
        assert all(float(v) in (1.0, 2.0, 0.5, 3.0) for v in values), values
    assert "with no_grad():" in _check(BY_NAME["no_grad_that_enables"].write(tmp_path),
                                       "operation-sequences-match-model", 300).counterexample  # type: ignore[operator]


def test_a_check_line_picks_the_plainest_print_that_tells_the_values_apart() -> None:
    assert print_check("x.grad", np.array(6.0), np.float64(8.0)) == "print(np.asarray(x.grad))  # expected 6.0, got 8.0"
    assert print_check("x.grad", np.ones(2), np.ones(2) + 1e-10) == (
        "print(np.asarray(x.grad).tolist())  # expected [1.0, 1.0], got [1.0000000001, 1.0000000001]")
    assert print_check("x.grad", np.ones((2, 2)), np.zeros((2, 2))).startswith(  # one line, not numpy's two
        "print(np.asarray(x.grad).tolist())  # expected [[1.0, 1.0], [1.0, 1.0]]")
    assert print_check("x.data", np.ones(2), np.ones(2, np.float32)).endswith(".dtype)  # expected float64, got float32")
    assert print_check("x.grad", None, np.array(2.0)) == "print(np.asarray(x.grad))  # expected None, got 2.0"
