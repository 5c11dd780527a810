"""Whatever a target does, the run reports it against the property it was running and goes on.

Each hostile target is refengine with one behaviour added to `square`; the property that
calls square reports it, and `variable-rejects-non-ndarray` (which never calls square) still
runs and passes.
"""

from __future__ import annotations

import atexit
import json
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import specs
from specs.__main__ import main

VICTIM, BYSTANDER = "forward-values-match-numpy", "variable-rejects-non-ndarray"


def _target(directory: Path, behaviour: str, prelude: str = "") -> Path:
    path = directory / "hostile.py"
    path.write_text(
        "import refengine\nfrom refengine import *\n" + textwrap.dedent(prelude)
        + "\ndef square(x):\n" + textwrap.indent(textwrap.dedent(behaviour), "    ")
        + "\n    return refengine.square(x)\n"
    )
    return path


def _check(path: Path, tmp_path: Path, *extra: str) -> tuple[int, dict[str, dict[str, object]]]:
    report = tmp_path / "report.json"
    code = main(["check", str(path), "--only", VICTIM, "--only", BYSTANDER, "--max-examples", "10",
                 "--database", "none", "--json", str(report), *extra])
    results = {r["id"]: r for r in json.loads(report.read_text())["properties"]}
    assert results[BYSTANDER]["status"] == "passed", results[BYSTANDER]
    return code, results


@pytest.mark.parametrize(
    ("behaviour", "prelude", "status", "message"),
    [
        ("import os; os._exit(3)", "", "failed", f"the target process exited with status 3 while running {VICTIM}"),
        ("import ctypes; ctypes.string_at(0)", "", "failed", "died with signal 11 (SIGSEGV)"),
        ("import sys; sys.exit(4)", "", "failed", "the target raised SystemExit: 4"),
        # 3 GiB: fine for this machine, over the 2 GiB cap the test sets
        ("import numpy; numpy.ones(3 << 27)", "", "failed", "the target raised MemoryError"),
        ("while True:\n    pass", "", "failed", "did not finish within 0.5 s"),
        (
            "import signal; signal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass",
            "",
            "failed",
            "ignored the watchdog",
        ),
    ],
    ids=["os._exit", "segfault", "sys.exit", "memory", "python-hang", "hang-ignoring-the-watchdog"],
)
def test_a_hostile_square_fails_its_property_only(
    tmp_path: Path, behaviour: str, prelude: str, status: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, results = _check(_target(tmp_path, behaviour, prelude), tmp_path, "--timeout", "0.5", "--max-memory", "2048")
    assert code == 1
    assert results[VICTIM]["status"] == status
    assert message in str(results[VICTIM]["message"])
    capsys.readouterr()


def test_a_target_flooding_stdout_is_judged_on_its_semantics(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, results = _check(_target(tmp_path, "print('x' * 100_000)"), tmp_path)
    assert code == 0 and results[VICTIM]["status"] == "passed"
    assert "xxxx" not in capsys.readouterr().out  # the flood stays in the child's pipe


LITTERING = """
import numpy
numpy.seterr(all="raise")  # the suite's oracles must not trip over the target's error state
numpy.set_printoptions(precision=1, threshold=2)
Config.enable_backprop = False
with numpy.errstate(all="ignore"):
    y = refengine.square(x)
return y
"""


@pytest.fixture
def numpy_state_restored() -> Iterator[None]:
    """Undo what a littering target does to this process when it runs in-process."""
    errors, printing = np.geterr(), np.get_printoptions()
    yield
    np.seterr(**errors)
    np.set_printoptions(**printing)
    atexit.unregister(time.sleep)  # or pytest itself would wait an hour at exit


@pytest.mark.parametrize("mode", [[], ["--in-process"]], ids=["isolated", "in-process"])
def test_global_state_a_target_leaves_does_not_change_verdicts(
    tmp_path: Path, mode: list[str], numpy_state_restored: None, capsys: pytest.CaptureFixture[str]
) -> None:
    prelude = "import atexit, time\natexit.register(time.sleep, 3600)  # would hang the exit\n"
    code, results = _check(_target(tmp_path, LITTERING, prelude), tmp_path, *mode)
    assert code == 0 and results[VICTIM]["status"] == "passed", results[VICTIM]
    capsys.readouterr()


def test_the_whole_run_time_limit_skips_what_did_not_finish(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _target(tmp_path, "import time; time.sleep(0.2)")
    report = tmp_path / "report.json"
    code = main(["check", str(path), "--only", VICTIM, "--max-seconds", "1.5", "--timeout", "5", "--database", "none",
                 "--json", str(report)])
    [result] = json.loads(report.read_text())["properties"]
    assert code == 1 and result["status"] == "skipped" and "--max-seconds" in result["message"]
    capsys.readouterr()


def test_a_target_that_dies_while_loading_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "dies.py"
    path.write_text("import os\nos._exit(7)\n")
    assert main(["check", str(path), "--only", BYSTANDER]) == 2
    assert "the target process exited with status 7 while loading" in capsys.readouterr().err


def test_specs_check_can_isolate_too(tmp_path: Path) -> None:
    path = _target(tmp_path, "import ctypes; ctypes.string_at(0)")
    report = specs.check(str(path), only=(VICTIM, BYSTANDER), isolate=True, max_examples=5, database=None)
    assert [r.status for r in report.properties] == ["failed", "passed"]
    assert "SIGSEGV" in report.properties[0].message
    with pytest.raises(TypeError, match="isolate=True needs a target named by a string"):
        specs.check({}, isolate=True)
