"""A real Jupyter run: a learner's notebook ends with `specs.check(globals())`; its output is HTML."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.conftest import FIXTURES
from tests.workplaces.conftest import FAILING, PASSING

NOTEBOOK = FIXTURES / "notebooks" / "learner_step18.ipynb"


def _execute(path: Path) -> Any:
    """Run every cell of the notebook in a fresh Python kernel and return the executed notebook."""
    nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed (pip install nbclient ipykernel)")
    pytest.importorskip("ipykernel", reason="ipykernel is not installed (pip install ipykernel)")
    notebook = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]  # nbformat has no stubs
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {
        "path": str(path.parent)}})
    client.execute()
    return notebook


def test_the_check_at_the_end_of_a_notebook_renders_an_html_table() -> None:
    notebook = _execute(NOTEBOOK)
    last = notebook.cells[-1]
    assert "specs.check(globals()" in last.source
    [output] = [o for o in last.outputs if o.output_type == "execute_result"]
    html, text = output.data["text/html"], output.data["text/plain"]
    assert html.startswith('<div class="gradspec">') and "<table>" in html and "NOT conformant" in html
    assert "<th>property</th><th>status</th><th>examples</th><th>time</th>" in html
    assert f'<code>{PASSING}</code></td><td><span class="status passed">' in html
    assert f'<code>{FAILING}</code></td><td><span class="status failed">' in html
    assert "y0.backward(retain_grad=True)" in html and "http" not in html
    assert f"FAIL  {FAILING}" in text  # the plain-text form, for consoles
    if shutil.which("dot") is not None:
        assert html.count("<svg") == 1 and "grad is wrong: expected 1.0" in html
    experiment = notebook.cells[2].outputs
    assert experiment[0]["text"] == "2.0\n"  # the learner's own experiment ran first, as written


_LEFT_OFF = "Config.enable_backprop = False  # the learner's last experiment left graph building off"
_OVERFLOWS = '''class Square(Function):  # a leftover experiment that overflows, as the stress examples make engines do
    def forward(self, x):
        np.float64(1e300) * np.float64(1e300)
        return x**2

    def backward(self, gy):
        x = self.inputs[0].data
        return 2 * x * gy
'''


def test_a_notebook_check_shows_progress_hides_warnings_names_the_notebook_and_keeps_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)  # type: ignore[no-untyped-call]  # nbformat has no stubs
    check = notebook.cells.pop()
    cells = [nbformat.v4.new_code_cell(source)  # type: ignore[no-untyped-call]  # nbformat has no stubs
             for source in (_OVERFLOWS, _LEFT_OFF, check.source, "print(Config.enable_backprop)")]
    notebook.cells += cells
    path = tmp_path / "my_step18.ipynb"
    nbformat.write(notebook, path)  # type: ignore[no-untyped-call]  # nbformat has no stubs
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))  # what Jupyter tells the kernel; ipykernel sets __session__
    executed = _execute(path)
    outputs = executed.cells[-2].outputs
    kinds = [o.output_type for o in outputs]
    assert kinds == ["display_data", "execute_result"], kinds  # no stderr stream: no warning above the report
    progress = outputs[0].data["text/plain"]
    assert progress.startswith("gradspec checked my_step18.ipynb: 3 properties,"), progress
    html, text = outputs[1].data["text/html"], outputs[1].data["text/plain"]
    assert "<b>my_step18.ipynb: NOT conformant</b>" in html and "the given namespace" not in text
    assert "the target emitted" in text and "RuntimeWarning" in text and "overflow" in text
    assert executed.cells[-1].outputs[0]["text"] == "False\n"  # the learner's Config, as it was
