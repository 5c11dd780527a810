"""The console's shape: one root cause said once, the last screen (snippet, cause, verdict last), beyond one-liners."""

from __future__ import annotations

import pytest

from specs.report import console, diagnoses
from specs.report.console import examples_note, render_all_details, render_text, result_line
from specs.report.diagnoses import Diagnosis
from specs.report.report import Report
from specs.report.results import PropertyResult, Results
from specs.run.runner import note_flag_resets

TRACE = ("the target raised TypeError: <class 'numpy.float64'> is not supported\n"
         "Traceback (most recent call last, from the target's code):\n"
         '  File "e.py", line 33, in __init__\n    raise TypeError(...)\nTypeError: ...')
SHORT = "import numpy as np\nx0 = Variable(np.array(1.0))\ny0 = add(x0, x0)\n"
LONG = SHORT + "y1 = add(y0, x0)\ny1.backward()\nprint(x0.grad)  # expected 2.0\n"


def _failed(id: str, message: str = "x0.grad is 3.0, expected 2.0", snippet: str | None = LONG, *,
            tier: str = "core", raised_at: str = "") -> PropertyResult:
    return PropertyResult(id, tier, "failed", 1, 0.1, message, snippet, replayed="reproduced",  # type: ignore[arg-type]
                          raised_at=raised_at)


def test_one_exception_at_one_line_is_one_block_with_one_traceback() -> None:
    at = "TypeError at e.py:33"
    results = [_failed(i, TRACE, raised_at=at) for i in ("forward-values-match-numpy", "no-grad-builds-no-graph",
                                                          "deep-graph-backward")]
    results.append(_failed("generations-follow-the-graph", TRACE, raised_at="TypeError at e.py:40"))
    text = render_all_details(results)
    assert text.count("Traceback") == 2  # one for line 33, one for line 40
    assert "--- 3 properties failed with one error (TypeError at e.py:33):" in text
    assert "forward-values-match-numpy, no-grad-builds-no-graph, deep-graph-backward" in text
    assert "--- generations-follow-the-graph (failed)" in text


def test_a_property_a_diagnosis_explains_after_its_first_is_one_line() -> None:
    results = [_failed("gradients-match-finite-differences"), _failed("retain-grad-true-keeps-intermediate-grads")]
    cause = Diagnosis("in-place", "grads added in place", "write x.grad = x.grad + gx", tuple(r.id for r in results))
    text = render_all_details(results, [cause])
    assert text.count("Counterexample:") == 1
    assert ("--- retain-grad-true-keeps-intermediate-grads (failed): see gradients-match-finite-differences; "
            "the likely cause at the end explains both\n") in text


def test_the_last_screen_is_the_smallest_snippet_then_the_cause_then_the_verdict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    report = Report("learner.py", [_failed("gradients-match-finite-differences", snippet=LONG),
                                   _failed("retain-grad-true-keeps-intermediate-grads", "y0.grad is 2.0", SHORT),
                                   _failed("config-isolated-between-threads", "shared", "x = 1\n", tier="extended")])
    report.notes.append("the target has no `add`")
    cause = Diagnosis("in-place", "grads added in place", "write x.grad = x.grad + gx", ("gradients-match-finite-differences",))
    for module in (console, diagnoses):
        monkeypatch.setattr(module, "diagnose", lambda _: [cause])
    lines = render_text(report).splitlines()
    assert lines[-1] == "learner.py: NOT conformant; 1 check beyond the book differs (2 failed, 1 beyond the book)"
    assert lines[-4:-1] == ["Likely cause: grads added in place", "  fix: write x.grad = x.grad + gx",
                            "  explains: gradients-match-finite-differences"]
    smallest = report.properties[1]
    end = ["The smallest failure, retain-grad-true-keeps-intermediate-grads: y0.grad is 2.0",
           *console.snippet_caption(smallest).splitlines(), *(f"    {x}" for x in SHORT.splitlines())]
    assert lines[-4 - len(end):-4] == end
    assert render_text(report).count("y0 = add(x0, x0)") == 2  # LONG's copy, and SHORT once: at the end only
    notes = lines.index("note: the target has no `add`")
    assert notes < lines.index("--- gradients-match-finite-differences (failed)")  # notes above the details


def test_beyond_the_book_is_one_line_each_and_its_details_only_when_verbose() -> None:
    report = Report("book.py", [PropertyResult("forward-values-match-numpy", "core", "passed", 28, 0.1),
                                _failed("backward-on-leaf-seeds-its-grad", TRACE, "x.backward()\n", tier="extended")])
    quiet = render_text(report)
    assert "Traceback" not in quiet and "Counterexample" not in quiet
    assert ("  backward-on-leaf-seeds-its-grad: the target raised TypeError: <class 'numpy.float64'> is not "
            "supported\n") in quiet
    assert quiet.splitlines()[-1].startswith("book.py: conformant")
    loud = render_text(report, verbose=True)
    assert "Traceback" in loud and "x.backward()" in loud and loud.splitlines()[-1] == quiet.splitlines()[-1]


def test_counts_of_one_are_singular() -> None:
    line = result_line(PropertyResult("backward-needs-no-recursion", "core", "passed", 1, 0.07))
    assert "1 example " in line and "examples" not in line
    assert "28 examples" in result_line(PropertyResult("forward-values-match-numpy", "core", "passed", 28, 0.1))
    report = Report("t", [])
    note_flag_resets(report, 1)
    note_flag_resets(report, 23)
    assert report.notes == [
        "your code left Config.enable_backprop not True: the suite set it back to True before 1 example",
        "your code left Config.enable_backprop not True: the suite set it back to True before each of 23 examples"]


def test_the_famous_cases_that_run_besides_max_examples_are_said() -> None:
    report = Results("t", [PropertyResult("forward-values-match-numpy", "core", "passed", 28, 0.1)])
    assert examples_note(report, 20) == ("note: forward-values-match-numpy ran 28 examples: 20 generated "
                                         "(--max-examples 20) + 8 famous cases (x + x, the diamond, ...) that always run\n")
    assert examples_note(report, 100) == ""


def test_the_snippet_at_the_end_is_not_repeated_in_the_details() -> None:
    report = Report("t", [_failed("small-graphs-match-exact-gradients", "y0.grad is 2.0", SHORT),
                          _failed("retain-grad-true-keeps-intermediate-grads", "y0.grad is 2.0", SHORT)])
    text = render_text(report)
    assert text.count("y0 = add(x0, x0)") == 1 and text.count("(its counterexample is the one at the end)") == 2


def test_the_last_screen_says_how_many_failed_with_the_same_error_and_beyond_lines_point_to_it() -> None:
    at = "TypeError at e.py:33"
    report = Report("t", [_failed("forward-values-match-numpy", TRACE, SHORT, raised_at=at),
                          _failed("no-grad-builds-no-graph", TRACE, LONG, raised_at=at),
                          _failed("deep-graph-backward", TRACE, LONG, tier="extended", raised_at=at)])
    text = render_text(report)
    assert "The smallest failure, forward-values-match-numpy (and 1 more with the same TypeError at e.py:33): " in text
    assert "  deep-graph-backward: the same TypeError at e.py:33 as the failures above\n" in text


def test_without_a_snippet_the_cause_sits_right_above_the_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = console.BLOCKED + "`Variable` has no `creator`; it has `creater`"
    ids = ("no-grad-builds-no-graph", "generations-follow-the-graph")
    report = Report("t", [_failed(i, blocked, None) for i in ids])
    for module in (console, diagnoses):
        monkeypatch.setattr(module, "diagnose", lambda _: [Diagnosis("spelled", "`creater`", "rename it", ids)])
    lines = render_text(report).splitlines()
    assert "The smallest failure" not in "\n".join(lines) and lines[-2].startswith("  explains: ")
    assert "--- 2 properties blocked: no-grad-builds-no-graph, generations-follow-the-graph" in lines


def test_a_note_s_traceback_is_shown_only_when_verbose() -> None:
    note = ("the statement at line 9 (`y.backward()`) raised AttributeError: 'NoneType' object has no attribute "
            "'generation' at line 9; loading went on\nTraceback (most recent call last):\n"
            '  File "e.py", line 9, in <module>\n    y.backward()\nAttributeError: ...')
    report = Results("e.py", [PropertyResult("forward-values-match-numpy", "core", "passed", 1, 0.1)], [note])
    quiet, verbose = render_text(report), render_text(report, verbose=True)
    assert "Traceback" not in quiet and "raised AttributeError" in quiet and "(its traceback: -v" in quiet
    assert "Traceback (most recent call last):" in verbose and "y.backward()" in verbose
