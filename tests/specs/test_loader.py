"""The loaders: module, file, notebook (redefinitions, magics) and namespace; clear errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

import refengine
from specs.target.loader import TargetLoadError, load_target, strip_magics
from tests.conftest import FIXTURES


def _notebook(path: Path, *cells: str, markdown: str | None = "# Step 18") -> Path:
    notebook = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]  # nbformat has no stubs
    if markdown is not None:
        notebook.cells.append(nbformat.v4.new_markdown_cell(markdown))  # type: ignore[no-untyped-call]
    for source in cells:
        notebook.cells.append(nbformat.v4.new_code_cell(source))  # type: ignore[no-untyped-call]
    nbformat.write(notebook, path)  # type: ignore[no-untyped-call]
    return path


def test_default_and_dotted_names_import_modules() -> None:
    target = load_target(None)
    assert target.label == "refengine" and target.namespace["Variable"] is refengine.Variable
    assert target.import_line is not None and target.import_line.startswith("from refengine import")
    assert load_target("refengine.core").namespace["Variable"] is refengine.Variable
    with pytest.raises(TargetLoadError, match="specs.graphs.ir defines none of the step-18 names"):
        load_target("specs.graphs.ir")


def test_module_objects_and_namespace_dicts_are_used_as_they_are() -> None:
    assert load_target(refengine).namespace["add"] is refengine.add
    namespace: dict[str, object] = {"Variable": refengine.Variable}
    assert load_target(namespace).namespace is namespace


def test_a_file_runs_in_a_fresh_module() -> None:
    target = load_target(str(FIXTURES / "book_step18.py"))
    assert isinstance(target.namespace["Variable"], type)
    assert target.namespace["Variable"] is not refengine.Variable


def test_a_notebook_runs_its_code_cells_in_order_skipping_magics(tmp_path: Path) -> None:
    path = _notebook(
        tmp_path / "step18.ipynb",
        "%matplotlib inline\nimport numpy as np\nfrom refengine import *",
        "!pip install nothing\ndef square(x):\n    raise RuntimeError('old definition')",
        "%%time\nthis is not python",
        "from refengine import square  # the redefinition wins\nConfig.enable_backprop = False",
    )
    target = load_target(str(path))
    assert target.namespace["square"] is refengine.square
    # cells without an execution count are named by their position among all cells, markdown included
    assert any("cell 2" in note and "1 IPython magic" in note for note in target.notes)
    assert any("cell 4" in note for note in target.notes)
    assert any("enable_backprop = False" in note for note in target.notes)
    refengine.Config.enable_backprop = True


def test_strip_magics_keeps_line_numbers_and_indentation() -> None:
    code, skipped = strip_magics("x = 1\nif x:\n    %time y = 2\nfiles = !ls\n")
    assert skipped == 2
    assert code.splitlines()[2].startswith("    pass") and len(code.splitlines()) == 4
    compile(code, "<cell>", "exec")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.py", r"no such file: .*missing\.py"),
        (lambda d: _write(d / "bad.py", "def f(:\n"), r"syntax error in .*bad\.py, line 1"),
        (lambda d: _write(d / "boom.py", "x = 1\nraise KeyError('k')\n"),
         r"boom\.py defines none .* the statement at line 2 \(`raise KeyError\('k'\)`\) raised KeyError: 'k' at line 2"),
        (lambda d: _write(d / "quit.py", "import sys\nsys.exit(3)\n"), r"quit\.py defines none .*raised SystemExit: 3"),
        (lambda d: _write(d / "nb.ipynb", "{not json"), r"nb\.ipynb is not a readable notebook"),
        (lambda d: _notebook(d / "empty.ipynb"), r"empty\.ipynb has no code cells"),
        (lambda d: _notebook(d / "cells.ipynb", "x = 1", "1 / 0"), r"cells\.ipynb defines none .*; cell 3 \(`1 / 0`\) raised ZeroDivisionError"),
        (lambda d: "no_such_module_here", r"cannot import module 'no_such_module_here'"),
    ],
)
def test_bad_targets_fail_with_one_line_that_says_why(
    tmp_path: Path, make: Callable[[Path], Path | str], message: str
) -> None:
    with pytest.raises(TargetLoadError, match=message) as caught:
        load_target(str(make(tmp_path)))
    assert "\n" not in str(caught.value)


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path
