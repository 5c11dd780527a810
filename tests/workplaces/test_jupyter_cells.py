"""In a real kernel, a failure's traceback names the learner's cell (`In [2]`), not the kernel's file for it."""

from __future__ import annotations

import linecache
from pathlib import Path
from typing import Any

import nbformat
import pytest

from specs.run.jupyter import cell_of
from tests.conftest import FIXTURES

_UNFINISHED = '''class Square(Function):  # the learner's next step, not finished yet
    def forward(self, x):
        return x ** 2

    def backward(self, gy):
        raise NotImplementedError("my backward is not written yet")
'''
_CHECK = '''import specs

report = specs.check(globals(), only=("small-graphs-match-exact-gradients",), max_examples=5, database=None, seed=0)
'''
_SHOW = 'print([r.message for r in report.properties if r.status == "failed"][0])'


def _execute(path: Path) -> Any:
    nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed (pip install nbclient ipykernel)")
    pytest.importorskip("ipykernel", reason="ipykernel is not installed (pip install ipykernel)")
    notebook = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]  # nbformat has no stubs
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return notebook


def test_a_traceback_of_the_target_names_its_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notebook = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]  # nbformat has no stubs
    sources = (FIXTURES.joinpath("book_step18.py").read_text(), _UNFINISHED, _CHECK, _SHOW)
    notebook.cells = [nbformat.v4.new_code_cell(s) for s in sources]  # type: ignore[no-untyped-call]  # no stubs
    path = tmp_path / "week3.ipynb"
    nbformat.write(notebook, path)  # type: ignore[no-untyped-call]  # nbformat has no stubs
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))  # what Jupyter tells the kernel; ipykernel sets __session__
    shown = _execute(path).cells[-1].outputs[0]["text"]
    assert "the target raised NotImplementedError: my backward is not written yet" in shown, shown
    assert 'File "week3.ipynb In [2]", line 6, in backward' in shown, shown
    assert 'raise NotImplementedError("my backward is not written yet")' in shown  # the cell's line, quoted
    assert "ipykernel_" not in shown


def test_outside_a_kernel_no_file_is_taken_for_a_cell() -> None:
    assert cell_of(str(FIXTURES / "book_step18.py"), {"_ih": ["", "x = 1"]}) is None


def test_without_the_compilers_map_a_cell_is_found_by_its_source_among_the_inputs() -> None:
    name = "/tmp/ipykernel_1/42.py"
    linecache.cache[name] = (6, None, ["x = 1\n"], name)
    try:
        assert cell_of(name, {"_ih": ["", "y = 2", "x = 1\n"]}) == "In [2]"
        assert cell_of(name, {"_ih": ["", "y = 2"]}) is None
    finally:
        del linecache.cache[name]
