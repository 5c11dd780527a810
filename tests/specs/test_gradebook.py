"""Teacher mode: several targets, folders and globs graded into one gradebook."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from specs.__main__ import main
from specs.report import gradebook
from specs.report.report import Report
from specs.report.results import PropertyResult
from specs.run import grading
from specs.run.isolation import Outcome, Settings
from specs.target import folders
from tests.catalogue import BY_NAME

FAST = ["--only", "forward-values-match-numpy", "--only", "retain-grad-true-keeps-intermediate-grads",
        "--max-examples", "5", "--database", "none"]
CONFORMANT = "from refengine import *\n"


def _class(tmp_path: Path) -> Path:
    """students/ada/step18.py (conformant), students/bo/step18.py (in-place +=), students/cy/step18.py (no load)."""
    students = tmp_path / "students"
    for name in ("ada", "bo", "cy"):
        (students / name).mkdir(parents=True)
    (students / "ada" / "step18.py").write_text(CONFORMANT)
    broken = BY_NAME["grad_accumulated_in_place"].write(tmp_path)
    broken.rename(students / "bo" / "step18.py")
    (students / "cy" / "step18.py").write_text(
        "from refengine import Config, Function, add, no_grad, square, using_config\nclass Variable(Funtion):\n    pass\n")
    (students / ".ipynb_checkpoints").mkdir()
    (students / ".ipynb_checkpoints" / "step18-checkpoint.py").write_text(CONFORMANT)
    (students / "notes.txt").write_text("not a target\n")
    return students


def test_folders_and_globs_expand_to_their_python_files_and_notebooks(tmp_path: Path) -> None:
    students = _class(tmp_path)
    (tmp_path / "hw").mkdir()
    (tmp_path / "hw" / "a.ipynb").write_text("{}")
    (tmp_path / "hw" / "b.py").write_text(CONFORMANT)
    found = folders.expand([str(students), str(tmp_path / "hw" / "*"), str(students / "ada" / "step18.py")])
    assert found == [str(students / n / "step18.py") for n in ("ada", "bo", "cy")] + [
        str(tmp_path / "hw" / "a.ipynb"), str(tmp_path / "hw" / "b.py")]  # each once, checkpoints skipped
    with pytest.raises(folders.NoTargets, match=r"no target found: .*empty, .*nothing\*\.py holds no \.py"):
        (tmp_path / "empty").mkdir()
        folders.expand([str(tmp_path / "empty"), str(tmp_path / "nothing*.py")])


def test_a_package_named_as_a_module_is_one_target_not_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mypkg").mkdir()
    (tmp_path / "mypkg" / "__init__.py").write_text(CONFORMANT)
    monkeypatch.chdir(tmp_path)
    assert not folders.is_gradebook(["mypkg"]) and folders.is_gradebook(["mypkg/"])
    assert folders.is_gradebook(["a.py", "b.py"]) and folders.is_gradebook(["hw/*.py"])


def test_the_database_key_is_the_files_content_not_its_name(tmp_path: Path) -> None:
    for name, text in (("a", CONFORMANT), ("b", CONFORMANT), ("c", CONFORMANT + "# mine\n")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "step18.py").write_text(text)
    keys = [grading.content_key(str(tmp_path / n / "step18.py")) for n in "abc"]
    assert keys[0] == keys[1] != keys[2] and str(keys[0]).startswith("sha256-")
    assert grading.content_key("refengine") is None


def test_a_class_gives_one_table_csv_json_and_html(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    students = _class(tmp_path)
    monkeypatch.chdir(tmp_path)
    code = main(["check", "students", "--csv", "book.csv", "--json", "book.json", "--html", "book.html", *FAST])
    assert code == 1
    out = capsys.readouterr().out
    assert out.startswith("grading 3 targets, seed 0 (the same examples for every target), 5 examples a property")
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.startswith("students/")}
    assert rows["students/ada/step18.py"][1:4] == [".", ".", "conformant"]
    assert rows["students/bo/step18.py"][1:5] == [".", "F", "NOT", "conformant"]
    assert rows["students/cy/step18.py"][1:5] == ["?", "?", "NOT", "loaded"]
    assert "students/cy/step18.py: `Variable` not defined" in out
    assert "1 target fails retain-grad-true-keeps-intermediate-grads" in " ".join(out.split())
    assert "1 target: the file did not load" in " ".join(out.split())

    with open(tmp_path / "book.csv", newline="") as stream:
        table = list(csv.DictReader(stream))
    assert [(r["target"], r["verdict"], r["retain-grad-true-keeps-intermediate-grads"]) for r in table] == [
        ("students/ada/step18.py", "conformant", "passed"), ("students/bo/step18.py", "NOT conformant", "failed"),
        ("students/cy/step18.py", "NOT loaded", "")]
    assert "NameError: name 'Funtion' is not defined" in table[2]["likely cause"]

    data = json.loads((tmp_path / "book.json").read_text())
    assert data["seed"] == 0 and data["gradspec_version"] and data["date"] and data["conformant"] is False
    assert data["summary"]["failing"] == {"retain-grad-true-keeps-intermediate-grads": 1}
    ada, bo, cy = data["targets"]
    assert set(ada) >= {"target", "conformant", "properties", "notes", "load_error", "likely_causes"}
    assert ada["conformant"] is True and bo["conformant"] is False and "Funtion" in cy["load_error"]
    assert set(bo["properties"][1]) >= {"id", "tier", "status", "examples", "seconds", "message", "counterexample"}

    page = (tmp_path / "book.html").read_text()
    assert page.count('<a href="#student-') == 3 and 'id="student-2"' in page and "Class summary" in page
    assert "<iframe" in page and "http://" not in page.replace("http://www.w3.org", "")


def test_a_gradebook_runs_the_verdicts_properties_unless_told_otherwise() -> None:
    tiers = {p.tier for p in grading.properties((), extended=False)}
    assert tiers == {"core", "memory"}
    assert "extended" in {p.tier for p in grading.properties((), extended=True)}
    assert [p.id for p in grading.properties(("deep-graph-backward",), extended=False)] == ["deep-graph-backward"]


def test_every_target_conformant_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("a", "b"):
        (tmp_path / f"{name}.py").write_text(CONFORMANT)
    assert main(["check", str(tmp_path / "a.py"), str(tmp_path / "b.py"), *FAST]) == 0
    assert "2 of 2 targets conformant" in capsys.readouterr().out


def test_one_target_keeps_its_report_and_its_json_gains_version_seed_and_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "r.json"
    assert main(["check", "--json", str(report), "--seed", "7", *FAST]) == 0
    out = capsys.readouterr().out
    assert out.startswith("checking refengine\n") and "grading" not in out
    data = json.loads(report.read_text())
    assert list(data)[:4] == ["target", "conformant", "properties", "notes"]
    assert data["seed"] == 7 and data["gradspec_version"] and data["date"].endswith("+00:00")


def test_a_row_says_why_it_failed_and_marks_extended_checks_apart() -> None:
    results = [PropertyResult("forward-values-match-numpy", "core", "failed", 1, 0.1, "y0.data is 3.0\nmore"),
               PropertyResult("deep-graph-backward", "extended", "failed", 1, 0.1, "recursion")]
    row = gradebook.Row("s.py", Report("s.py", results))
    assert row.verdict == "NOT conformant" and row.cause() == "forward-values-match-numpy: y0.data is 3.0"
    assert [row.mark(r) for r in results] == ["F", gradebook.BEYOND]
    hung = gradebook.Row("h.py", Report("h.py", []), "loading did not finish within 9 s; it was running h.py line 3")
    assert hung.verdict == "NOT loaded" and hung.cause().startswith("loading did not finish")
    assert grading.from_outcomes(["h.py"], [Outcome(Report("h.py", []), "x")], (), _settings()).conformant is False


def _settings() -> Settings:
    return Settings("h.py")


def test_the_summary_counts_targets_in_words() -> None:
    failed = PropertyResult("forward-values-match-numpy", "core", "failed", 1, 0.1, "y0.data is wrong")
    rows = [gradebook.Row(f"s{i}.py", Report(f"s{i}.py", [failed]), causes=["in place"]) for i in range(2)]
    rows.append(gradebook.Row("s2.py", Report("s2.py", []), load_error="`Variable` not defined"))
    table = gradebook.render_table(gradebook.Gradebook(rows, grading.properties((), False), 0, 5))
    assert "    2 targets fail forward-values-match-numpy\n" in table and "share" not in table
    assert "    2 targets, likely cause: in place\n" in table and "    1 target: the file did not load\n" in table
