"""The matrix builder: results in, Markdown and self-contained HTML out."""

from __future__ import annotations

import json
import re
from pathlib import Path

from specs.matrix.build import build, describe, main
from specs.target.adapters.registry import ADAPTERS

ROOT = Path(__file__).resolve().parents[2]
SNIPPET = "x0 = Variable(np.array(3.0))\ny0 = add(x0, x0)\ny0.backward()\nprint(y0.grad)  # expected None"


def _write(path: Path, content: object) -> None:
    path.write_text(json.dumps(content))


def _results(tmp_path: Path) -> Path:
    results = tmp_path / "results"
    results.mkdir()
    _write(results / "good.status.json", {"target": "good", "options": "--max-examples 50"})
    _write(results / "good.engine.json", {"label": "good 1.0", "versions": {"good": "1.0"},
                                           "unsupported": {"variable-rejects-non-ndarray": "takes any array-like"}})
    properties = [
        {"id": "forward-values-match-numpy", "tier": "core", "status": "passed", "examples": 50, "seconds": 0.1,
         "message": "", "counterexample": None},
        {"id": "retain-grad-false-keeps-only-leaf-grads", "tier": "core", "status": "failed", "examples": 1,
         "seconds": 0.1, "message": "y0 is not a leaf, yet y0.grad is array(6.)", "counterexample": SNIPPET},
        {"id": "variable-rejects-non-ndarray", "tier": "core", "status": "failed", "examples": 1, "seconds": 0.1,
         "message": "Variable(1.0) was accepted", "counterexample": "Variable(1.0)"},
        {"id": "no-grad-builds-no-graph", "tier": "core", "status": "not-applicable", "examples": 0, "seconds": 0.0,
         "message": "good has no counterpart for `no_grad`: no grad mode", "counterexample": None},
    ]
    _write(results / "good.report.json", {"target": "good 1.0", "conformant": False, "properties": properties,
                                           "notes": []})
    _write(results / "broken.status.json", {"target": "broken", "unavailable": "pip could not install broken==9"})
    return results


def test_the_markdown_has_a_cell_per_target_and_links_each_failure_to_its_counterexample(tmp_path: Path) -> None:
    columns = build(_results(tmp_path), ["good", "broken", "never"], tmp_path / "m.md", tmp_path / "m.html")
    text = (tmp_path / "m.md").read_text()
    assert "| `forward-values-match-numpy` | core | pass | — | — |" in text
    assert "| `retain-grad-false-keeps-only-leaf-grads` | core | **FAIL** [1](#f1) | — | — |" in text
    assert '<a id="f1"></a>' in text and SNIPPET in text
    assert "could not be built: pip could not install broken==9" in text
    assert columns[0].conformant is False and columns[1].conformant is None


def test_a_property_the_adapter_declares_by_id_is_shown_not_applicable_never_passed(tmp_path: Path) -> None:
    [good] = build(_results(tmp_path), ["good"], tmp_path / "m.md", tmp_path / "m.html")
    cell = good.cells["variable-rejects-non-ndarray"]
    assert cell.status == "not-applicable" and "takes any array-like" in cell.message and not cell.footnote
    assert any("declared not applicable" in note for note in good.notes)


def test_the_html_page_is_self_contained(tmp_path: Path) -> None:
    build(_results(tmp_path), ["good", "broken"], tmp_path / "m.md", tmp_path / "m.html")
    page = (tmp_path / "m.html").read_text()
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page) and "<script" not in page
    assert 'id="f1"' in page and "y0 = add(x0, x0)" in page


def test_describe_records_the_engine_label_versions_and_declarations(tmp_path: Path) -> None:
    describe("refengine", "refengine", ["hypothesis==0"], tmp_path / "e.json")
    record = json.loads((tmp_path / "e.json").read_text())
    assert record["label"] == "refengine" and record["unsupported"] == {}
    assert set(record["versions"]) == {"hypothesis", "numpy", "python"}


def test_the_command_line_builds_the_pages(tmp_path: Path) -> None:
    results = _results(tmp_path)
    assert main(["build", str(results), "--targets", "good", "--md", str(tmp_path / "a.md"),
                 "--html", str(tmp_path / "a.html")]) == 0
    assert (tmp_path / "a.md").exists() and (tmp_path / "a.html").exists()


def test_the_noxfile_has_a_session_for_every_registered_adapter() -> None:
    noxfile = (ROOT / "noxfile.py").read_text()
    assert all(f'"{name}": Target(' in noxfile for name in ADAPTERS)
