"""The learner corpus: each learner-style engine in tests/fixtures/learners/ gets a reviewer's verdict.

Conformant engines run every core and memory property but `graph-freed-by-reference-counting`
(no fixture here is about weak references, and it is the slowest); a non-conformant one runs
the properties the reviewer names, which must fail with the stated cause. Each fixture is
checked from a copy in a temporary folder, so a demo that writes files writes there.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from specs import TargetLoadError, open_engine
from specs.properties import PROPERTIES
from specs.report.report import Report
from specs.run.runner import Options, run
from tests.conftest import FIXTURES

LEARNERS = FIXTURES / "learners"
GATING = tuple(p.id for p in PROPERTIES if p.tier != "extended" and p.id != "graph-freed-by-reference-counting")
EXAMPLES = 10


@dataclass(frozen=True)
class Verdict:
    """What a careful reviewer says of one fixture."""

    conformant: bool
    fails: tuple[str, ...] = ()  # property ids that fail (for a non-conformant engine)
    message: str = ""  # in each failing property's message
    notes: tuple[str, ...] = ()  # each in some note of the report
    lead: str = ""  # in the report's first note: the root cause, said first


def _ok(*notes: str) -> Verdict:
    return Verdict(True, notes=notes)


def _not(fails: tuple[str, ...], message: str, lead: str = "", *notes: str) -> Verdict:
    return Verdict(False, fails, message, notes, lead)


_DEMO = "raised AttributeError: 'NoneType' object has no attribute 'generation'"
_BOOK_SQUARE = "the book's `Square`, defined as a subclass of its `Function`"
_POW = "`x ** 2` (its `Variable.__pow__`)"
_GENERATOR = "returned a generator, not a context manager: is `@contextlib.contextmanager` missing?"

VERDICTS: dict[str, Verdict] = {
    # step 18 as the book has it, in the styles learners publish
    "ko_step18_demo_raises.py": _ok(f"the statement at line 147 (`with no_grad():`) {_DEMO} at line 150",
                                   "    y.backward()  # creator"),
    "ja_step18_unittest.py": _ok(),
    "ja_step18_tabs.py": _ok(),
    "zh_step18_heapq.py": _ok(),
    "en_step18_typed.py": _ok(),
    "en_step18_unittest_in_file.py": _ok(),
    "en_step18_slow_demo.py": _ok(),
    "en_step18_optional_imports.py": _ok("the statement at line 11 (`import japanize_matplotlib"),
    "ko_step18_writes_file_config_off.py": _ok("the target left Config.enable_backprop = False after loading"),
    "step18_nbconvert.py": _ok(f"In [14] (`with no_grad():`) {_DEMO} at line 6"),
    "step18_nbconvert_blank.py": _ok("cell 1, `# In[ ]:` at line 4, (`get_ipython()", "NameError: name 'display'"),
    "step18_demo_raises.ipynb": _ok(f"In [13] (`with no_grad():`) {_DEMO} at line 4", "    y.backward()"),
    "en_step18_no_counts.ipynb": _ok("cell 4 (`import graphviz_helpers`) raised ModuleNotFoundError"),
    "ja_step18_core_only.py": _ok(f"no `square`: the suite used {_BOOK_SQUARE}",
                                  "no `add`: the suite used the book's `Add`, defined as a subclass of its `Function`"),
    # later steps: the step-18 part is judged, square is taken from what they have
    "step20_style.py": _ok(f"no `square`: the suite used {_BOOK_SQUARE}"),
    "step22_style.py": _ok(f"no `square`: the suite used {_POW}"),
    "step22_operators.ipynb": _ok(_POW, "left Config.enable_backprop = False"),
    "core_simple_style.py": _ok(_POW),
    # misspelled names: one cause, said first
    "en_step18_creater.py": _not(("no-grad-builds-no-graph",), "`Variable` has no `creator`; it has `creater`",
                                 "`Variable` has no `creator`; it has `creater`"),
    "en_step18_clear_grad.py": _not(("grads-accumulate-across-backward-calls",), "it has `clear_grad`",
                                    "`Variable` has no `cleargrad`; it has `clear_grad`"),
    "en_step18_clearGrad.py": _not(("grads-accumulate-across-backward-calls",), "it has `clearGrad`",
                                   "`Variable` has no `cleargrad`; it has `clearGrad`"),
    "ko_step18_retrain_grad.py": _not(("retain-grad-true-keeps-intermediate-grads",), "it has `retrain_grad`",
                                      "`Variable.backward` has no parameter `retain_grad`; it has `retrain_grad`"),
    "en_step18_enable_backdrop.py": _not(("no-grad-builds-no-graph", "config-restored-after-exception"),
                                         "it has `enable_backdrop`", "`Config` has no `enable_backprop`"),
    "en_step18_always_list.py": _not(("forward-values-match-numpy", "gradients-match-finite-differences"),
                                     "returned a list, not a Variable"),
    "step20_using_config_generator.py": _not(("config-restored-after-exception",), f"`using_config` {_GENERATOR}",
                                             f"`using_config` {_GENERATOR}"),
    # value bugs, found behind the later-stage extras and the ops the suite supplied
    "step22_no_grad_string_false.py": _not(("config-restored-after-exception",), "Config.enable_backprop is 'False'"),
    "core_simple_unsorted_queue.py": _not(("retain-grad-true-keeps-intermediate-grads",), "expected"),
    "zh_step18_core_inplace.py": _not(("gradients-match-finite-differences",), "expected", "", _BOOK_SQUARE),
    "zh_step18_heapq_min_first.py": _not(("gradients-match-finite-differences",), "expected"),
}
REFUSED: dict[str, str] = {
    "ja_step18_run_magic.ipynb": r"^`%run step17.ipynb` was skipped; run it yourself or paste its definitions; .*"
                                 r"`Variable`.* not defined; In \[3\] \(`class Square\(Function\):`\) raised NameError",
    "ko_step18_import_kills_variable.ipynb": r": `Variable` not defined; In \[5\] \(`from dezero_utils import "
                                             r"plot_dot_graph.*`\) raised ModuleNotFoundError",
}


def test_every_fixture_has_a_verdict() -> None:
    names = {path.name for path in LEARNERS.iterdir() if path.suffix in (".py", ".ipynb")}
    assert names == set(VERDICTS) | set(REFUSED)
    assert len(names) >= 25


def _check(path: Path, only: tuple[str, ...]) -> tuple[Report, dict[str, object]]:
    engine, notes = open_engine(str(path))
    report = run(engine, Options(max_examples=EXAMPLES, seed=0, only=only, database=None))
    report.notes[:0] = notes
    namespace = getattr(engine, "namespace")
    assert isinstance(namespace, dict)
    return report, namespace


@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_the_reviewers_verdict(name: str, tmp_path: Path) -> None:
    verdict = VERDICTS[name]
    copy = tmp_path / name
    shutil.copy(LEARNERS / name, copy)
    report, namespace = _check(copy, GATING if verdict.conformant else verdict.fails)
    failures = {r.id: r.message for r in report.properties if r.status != "passed"}
    assert report.passed is verdict.conformant, failures
    for prop in verdict.fails:
        assert verdict.message in failures[prop]
        assert "Traceback" not in failures[prop]
    # every snippet printed was replayed against the learner's code and showed the failure again,
    # the ops the suite supplied (a file with no `add`) defined in the snippet itself
    assert {r.id: r.replayed for r in report.properties if r.replayed and r.replayed != "reproduced"} == {}
    for note in verdict.notes:
        assert any(note in text for text in report.notes), report.notes
    if verdict.lead:
        assert verdict.lead in report.notes[0]
    if name == "en_step18_enable_backdrop.py":  # the suite never creates what the target lacks
        assert not hasattr(namespace["Config"], "enable_backprop")


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_only_when_the_error_took_a_name(name: str, tmp_path: Path) -> None:
    shutil.copy(LEARNERS / name, tmp_path / name)
    with pytest.raises(TargetLoadError) as caught:
        open_engine(str(tmp_path / name))
    assert re.search(REFUSED[name], str(caught.value)), str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_demo_that_writes_files_writes_beside_its_copy(tmp_path: Path) -> None:
    shutil.copy(LEARNERS / "ko_step18_writes_file_config_off.py", tmp_path / "demo.py")
    open_engine(str(tmp_path / "demo.py"))
    assert (tmp_path / "results" / "step18.json").is_file()
    assert not (LEARNERS / "results").exists()


def test_the_command_line_gives_the_same_verdicts_from_its_worker_processes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from specs.__main__ import main

    for name in ("en_step18_creater.py", "ja_step18_run_magic.ipynb", "ko_step18_demo_raises.py"):
        shutil.copy(LEARNERS / name, tmp_path / name)
    report = tmp_path / "report.json"
    only = ["--only", "no-grad-builds-no-graph", "--only", "forward-values-match-numpy"]
    quick = ["--jobs", "1", "--max-examples", "5", "--database", "none", *only]
    assert main(["check", str(tmp_path / "en_step18_creater.py"), *quick, "--json", str(report)]) == 1
    notes = json.loads(report.read_text())["notes"]
    assert notes[0].startswith("`Variable` has no `creator`; it has `creater`")
    assert main(["check", str(tmp_path / "ko_step18_demo_raises.py"), *quick, "--json", str(report)]) == 0
    assert "the statement at line 147 (`with no_grad():`)" in json.loads(report.read_text())["notes"][0]
    capsys.readouterr()
    assert main(["check", str(tmp_path / "ja_step18_run_magic.ipynb"), *quick]) == 2
    assert "`%run step17.ipynb` was skipped; run it yourself or paste its definitions" in capsys.readouterr().err
