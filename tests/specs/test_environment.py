"""Where a target runs: a nested specs.check, a folder with its own `specs`, input(), the database path."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path

import nbformat
import pytest

import specs
from specs.__main__ import main, shadowing
from specs.report.report import Report
from specs.target.loader import load_target
from tests.conftest import FIXTURES

ONE = ["--only", "no-grad-builds-no-graph", "--max-examples", "5", "--seed", "0", "--database", "none"]
GRADSPEC = Path(sys.executable).parent / "gradspec"
NESTED_NOTE = "the target calls specs.check(...) at cell 2, line 3; that nested check was skipped"


def _notebook(folder: Path, *, nested: bool) -> Path:
    """The book's code in one cell; with `nested`, a last cell that checks the notebook, as the README suggests."""
    cells = [FIXTURES.joinpath("book_step18.py").read_text()]
    cells += ["import specs\n\nnested = specs.check(globals())"] if nested else []
    notebook = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]  # nbformat has no stubs
    notebook.cells = [nbformat.v4.new_code_cell(c) for c in cells]  # type: ignore[no-untyped-call]  # no stubs
    path = folder / ("nested.ipynb" if nested else "plain.ipynb")
    nbformat.write(notebook, path)  # type: ignore[no-untyped-call]  # nbformat has no stubs
    return path


def test_a_check_inside_a_loading_notebook_returns_a_skipped_report_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = load_target(_notebook(tmp_path, nested=True))
    nested = target.namespace["nested"]
    assert isinstance(nested, Report) and not nested.passed and nested.properties
    assert {r.status for r in nested.properties} == {"skipped"}
    assert all(r.examples == 0 and "nested" in r.message for r in nested.properties)
    assert [n for n in target.notes if "specs.check" in n] == [NESTED_NOTE + " (gradspec was loading the target "
                                                               "to check it, so the properties ran once, here)"]
    assert capsys.readouterr().err.count("\n") == 1  # one line said it, nothing else
    assert not any("specs.check" in n for n in load_target(_notebook(tmp_path, nested=False)).notes)


def test_the_command_line_skips_the_nested_check_in_a_worker_or_in_process_and_notes_it(tmp_path: Path) -> None:
    for nested, where in ((True, []), (False, []), (True, ["--in-process"])):
        report = tmp_path / f"{nested}{where}.json"
        assert main(["check", str(_notebook(tmp_path, nested=nested)), *ONE, *where, "--json", str(report)]) == 0
        notes = json.loads(report.read_text())["notes"]
        assert any(n.startswith(NESTED_NOTE) for n in notes) is nested


def test_a_file_that_checks_itself_is_noted_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "mine.py"
    path.write_text(FIXTURES.joinpath("book_step18.py").read_text() + "\nimport specs\nspecs.check(__file__)\n")
    line = len(path.read_text().splitlines())
    assert any(n.startswith(f"the target calls specs.check(...) at line {line};") for n in load_target(path).notes)


def test_gradspec_runs_itself_not_the_folders_own_specs_package(tmp_path: Path) -> None:
    own = tmp_path / "specs"
    own.mkdir()
    (own / "__init__.py").write_text('raise ImportError("an engine author\'s own specs package")\n')
    (tmp_path / "engine.py").write_text(FIXTURES.joinpath("book_step18.py").read_text())
    # a file, and a module found in the current folder, in a worker and in this process
    for target, where in (("engine.py", []), ("engine", []), ("engine", ["--in-process"])):
        done = subprocess.run([str(GRADSPEC), "check", target, *ONE, *where], cwd=tmp_path, capture_output=True,
                              text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"{target}: conformant (1 passed)" in done.stdout


def test_a_top_level_input_fails_at_once_and_loading_goes_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "asks.py"
    path.write_text('name = input("your name? ")\n' + FIXTURES.joinpath("book_step18.py").read_text())
    # were stdin the requests pipe, input() would wait out the load limit and the load would fail (exit 2)
    assert main(["check", str(path), *ONE, "--load-timeout", "30"]) == 0
    out = capsys.readouterr().out
    assert "the statement at line 1 (`name = input(\"your name? \")`) raised EOFError" in out


@pytest.mark.parametrize("database", ["/proc/nope", "/etc/hostname/examples"])
def test_a_database_directory_that_cannot_be_made_exits_2_with_one_line(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--database", database, "--only", "no-grad-builds-no-graph"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"specs: database {database}: cannot create the directory") and err.count("\n") == 1
    with pytest.raises(specs.DatabaseError):
        specs.check(database=database, only=("no-grad-builds-no-graph",))


def test_python_m_specs_says_when_it_found_another_specs_package_first(tmp_path: Path) -> None:
    theirs = types.ModuleType("specs")
    theirs.__file__ = str(tmp_path / "specs" / "__init__.py")
    theirs.__path__ = [str(tmp_path / "specs")]
    line = shadowing(theirs)
    assert line is not None and line.count("\n") == 0
    assert f"found this folder's own `specs` ({tmp_path / 'specs'}) before gradspec's" in line
    assert "`gradspec check ...` is the same command" in line
    assert shadowing(specs) is None
