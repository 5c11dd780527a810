"""Loading runs a target to the end: a cell or statement that raises is noted, not fatal."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from specs.target.execution import bound_names
from specs.target.loader import TargetLoadError, load_target

BOOK = (Path(__file__).resolve().parents[1] / "fixtures" / "book_step18.py").read_text()
DEMO = "with no_grad():\n    y = square(Variable(np.array(2.0)))\n    y.backward()\n"


def _notebook(path: Path, *cells: str, counts: bool = True) -> Path:
    notebook = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]  # nbformat has no stubs
    notebook.cells.append(nbformat.v4.new_markdown_cell("# step 18"))  # type: ignore[no-untyped-call]
    for number, source in enumerate(cells, start=1):
        cell = nbformat.v4.new_code_cell(source)  # type: ignore[no-untyped-call]
        cell.execution_count = number + 10 if counts else None
        notebook.cells.append(cell)
    nbformat.write(notebook, path)  # type: ignore[no-untyped-call]
    return path


def test_a_file_whose_last_statement_raises_is_kept_and_the_statement_named(tmp_path: Path) -> None:
    path = tmp_path / "step18.py"
    path.write_text(BOOK + "\n" + DEMO + "z = 3\n")
    target = load_target(str(path))
    assert target.namespace["z"] == 3  # statements after the failing one still ran
    [note] = target.notes
    line = len(BOOK.splitlines()) + 2
    assert note.startswith(f"the statement at line {line} (`with no_grad():`) raised AttributeError")
    assert f"at line {line + 2};" in note
    assert "    y.backward()" in note  # the traceback shows the learner's source lines
    assert "specs" not in note.replace(str(tmp_path), "")  # and none of the suite's frames


def test_a_notebook_cell_is_named_as_jupyter_shows_it(tmp_path: Path) -> None:
    path = _notebook(tmp_path / "nb.ipynb", BOOK, "import numpy as np\nx = 1", DEMO, "after = True")
    target = load_target(str(path))
    assert target.namespace["after"] is True
    [note] = target.notes
    assert note.startswith("In [13] (`with no_grad():`) raised AttributeError") and " at line 3;" in note
    assert 'File "nb.ipynb In [13]", line 3, in <module>\n    y.backward()' in note


def test_cells_without_execution_counts_are_named_by_position(tmp_path: Path) -> None:
    path = _notebook(tmp_path / "nb.ipynb", BOOK, "1 / 0", "def broken(:\n", counts=False)
    notes = load_target(str(path)).notes
    assert notes[0].startswith("cell 3 (`1 / 0`) raised ZeroDivisionError")  # cell 1 is markdown
    assert notes[1].startswith("cell 4 (`def broken(:`) raised SyntaxError")  # a bad cell does not stop Jupyter


def test_an_nbconvert_export_is_named_by_its_markers(tmp_path: Path) -> None:
    path = tmp_path / "export.py"
    path.write_text(f"#!/usr/bin/env python\n# coding: utf-8\n\n# In[1]:\n\n\n{BOOK}\n\n# In[7]:\n\n\n{DEMO}\n"
                    f"# In[ ]:\n\n\nprint(undefined_name)\n")
    notes = load_target(str(path)).notes
    assert notes[0].startswith("In [7] (`with no_grad():`) raised AttributeError") and "at line 5;" in notes[0]
    assert notes[1].startswith("cell 3, `# In[ ]:` at line") and "NameError" in notes[1]


def test_refused_only_when_the_error_took_an_api_name(tmp_path: Path) -> None:
    path = tmp_path / "step18.py"
    source = BOOK.replace("class Variable:", "import not_installed_module\n\n\nclass Variable:")
    path.write_text(source.replace("class Config:", "raise RuntimeError('oops')\n\n\nclass Config:"))
    target = load_target(str(path))  # the import failed, but Variable was still defined
    assert "Variable" in target.namespace
    nb = _notebook(tmp_path / "nb.ipynb", "class Config:\n    enable_backprop = True", "import not_installed_module\n" + BOOK)
    with pytest.raises(TargetLoadError, match=r"nb\.ipynb: `Variable`, `Function`, `add`, .* not defined; "
                       r"In \[12\] \(`import not_installed_module`\) raised ModuleNotFoundError.* at line 1$"):
        load_target(str(nb))


def test_a_skipped_run_magic_is_named_when_names_are_missing(tmp_path: Path) -> None:
    path = _notebook(tmp_path / "nb.ipynb", "%run step17.ipynb", "x = Variable(np.array(1.0))")
    with pytest.raises(TargetLoadError, match=r"^`%run step17\.ipynb` was skipped; run it yourself or paste "
                       r"its definitions; .*defines none of the step-18 names"):
        load_target(str(path))
    path = _notebook(tmp_path / "nb2.ipynb", "%run step17.ipynb", "def add(x0, x1):\n    return x0",
                     "x = Variable(np.array(1.0))")
    with pytest.raises(TargetLoadError, match=r"^`%run step17\.ipynb` was skipped.*`Variable` not defined; In \[13\]"):
        load_target(str(path))


def test_future_annotations_reach_every_statement(tmp_path: Path) -> None:
    path = tmp_path / "typed.py"
    path.write_text("from __future__ import annotations\n" + BOOK.replace("def set_creator(self, func):",
                                                                          "def set_creator(self, func: Function) -> None:"))
    assert load_target(str(path)).notes == []


def test_a_file_runs_in_its_folder_and_imports_its_siblings(tmp_path: Path) -> None:
    (tmp_path / "step17_core.py").write_text(BOOK)
    path = tmp_path / "step18.py"
    path.write_text("from step17_core import *\nopen('out.txt', 'w').write('x')\n")
    assert "Variable" in load_target(str(path)).namespace
    assert (tmp_path / "out.txt").is_file()


def test_bound_names_sees_definitions_in_blocks_but_not_in_functions() -> None:
    import ast

    tree = ast.parse("import a.b as c, d\nfrom e import f\ntry:\n    import g\nexcept ImportError:\n    g = None\n"
                     "if True:\n    class H: pass\ndef i():\n    j = 1\nk, (l, m) = 1, (2, 3)\nwith x as n: pass\n")
    assert bound_names(tree.body) == {"c", "d", "f", "g", "H", "i", "k", "l", "m", "n"}
