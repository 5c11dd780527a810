"""The command line: exit codes, one-line errors, the list, the JSON report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from specs.__main__ import main
from specs.properties import PROPERTIES
from tests.catalogue import BY_NAME

QUICK = ["--max-examples", "5", "--database", "none"]


def test_a_conforming_target_exits_0_and_prints_a_line_per_property(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", *QUICK]) == 0
    out = capsys.readouterr().out
    assert all(f" {p.id} " in out for p in PROPERTIES)
    assert out.rstrip().endswith(f"refengine: conformant ({len(PROPERTIES)} passed)")


def test_a_broken_target_exits_1_and_prints_the_counterexample(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = BY_NAME["grad_accumulated_in_place"].write(tmp_path)
    report = tmp_path / "report.json"
    code = main(["check", str(path), "--only", "retain-grad-true-keeps-intermediate-grads", "--seed", "3",
                 "--json", str(report), *QUICK])
    assert code == 1
    out = capsys.readouterr().out
    assert "FAIL  retain-grad-true-keeps-intermediate-grads" in out and "Counterexample:" in out
    data = json.loads(report.read_text())
    assert data["conformant"] is False and data["target"] == str(path)
    assert data["properties"][0]["status"] == "failed" and "backward(retain_grad=True)" in data["properties"][0][
        "counterexample"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check", "missing.py"], "cannot load the target: no such file: missing.py"),
        (["check", "--only", "no-such-property"], "unknown property id 'no-such-property'"),
        (["check", "--max-examples", "0"], "0 must be at least 1"),
        (["check", "--timeout", "-1"], "-1.0 must be more than 0"),
        (["check", "--json", "/no/such/dir/r.json"], "no directory /no/such/dir"),
        (["check", "--frobnicate"], "unrecognized arguments: --frobnicate"),
        ([], "the following arguments are required"),
    ],
)
def test_usage_errors_exit_2_with_one_line(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        code = main(argv)
        raise SystemExit(code)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_list_shows_every_property_with_its_tier(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in lines] == [[p.id, p.tier] for p in PROPERTIES]


def test_python_dash_m_specs_runs_as_a_program() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "specs", "check", "--only", "variable-rejects-non-ndarray", *QUICK],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "PASS  variable-rejects-non-ndarray" in done.stdout



def _code(argv: list[str]) -> int | str | None:
    """main's exit status, whether it returns it or exits with it (argparse's errors)."""
    try:
        return main(argv)
    except SystemExit as exit_info:
        return exit_info.code


@pytest.mark.parametrize(
    ("folder", "file", "argv", "message"),
    [
        (None, "notes.txt", ["notes.txt"], "notes.txt is not a .py file or a .ipynb notebook"),
        ("bad", None, ["bad/"], "no target found: bad/ holds no .py or .ipynb file"),
        (None, None, ["--max-memory", "-5"], "argument --max-memory: -5 must be 0 (no cap) or more"),
        (None, None, ["--load-timeout", "0"], "0.0 must be more than 0"),
        (None, None, ["a.py", "b.py", "--in-process"], "--in-process works with one target"),
    ],
    ids=["not-python", "empty-folder", "negative-memory", "zero-load-timeout", "several-in-process"],
)
def test_harness_edges_exit_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    folder: str | None, file: str | None, argv: list[str], message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    if folder is not None:
        (tmp_path / folder).mkdir()
    if file is not None:
        (tmp_path / file).write_text("hello\n")
    assert _code(["check", *argv, *QUICK]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert "no such file" not in err


def test_the_books_code_ends_with_its_verdict_and_shows_no_traceback_unless_verbose(
    book_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    only = ["--only", "backward-on-leaf-seeds-its-grad", "--only", "backward-needs-no-recursion", "--jobs", "1"]
    assert main(["check", str(book_path), *only, "--csv", str(tmp_path / "r.csv"), *QUICK]) == 0
    out = capsys.readouterr().out
    assert "Traceback" not in out and "1 examples" not in out and "1 example " in out
    assert "  backward-on-leaf-seeds-its-grad: the target raised AttributeError" in out
    assert out.splitlines()[-2:] == [f"wrote {tmp_path / 'r.csv'}",  # the verdict last, after what was written
                                     f"{book_path}: conformant; 1 check beyond the book differs (1 passed, 1 beyond the book)"]
    assert main(["check", str(book_path), *only, "-v", *QUICK]) == 0
    assert "Traceback" in capsys.readouterr().out
