"""Broken engines for the diagnoses: the book's step-18 file with one learner's bug patched in.

Unlike `tests.catalogue`, a bug here may need several edits (a misspelled name is spelled
wrong everywhere it is used); each is written to a real `.py` file as a learner's file is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from tests.catalogue import BOOK, BY_NAME


@dataclass(frozen=True)
class Bug:
    """A learner's bug: the edits (old text, new text) that put it into the book's engine."""

    name: str
    edits: tuple[tuple[str, str], ...]

    def write(self, directory: Path) -> Path:
        """Write the broken engine to `directory/<name>.py` and return the path."""
        source = BOOK.read_text()
        for old, new in self.edits:
            assert old in source, f"{self.name}: {old!r} is not in the book's engine"
            source = source.replace(old, new)
        path = directory / f"{self.name}.py"
        path.write_text(source)
        return path


def _from_catalogue(name: str) -> Bug:
    engine = BY_NAME[name]
    prelude = (("\n\nclass Config:", f"\n\n{engine.prelude}class Config:"),) if engine.prelude else ()
    return Bug(name, ((engine.old, engine.new), *prelude))


_TYPE_CHECK: Final = ("            if not isinstance(data, np.ndarray):\n"
                      "                raise TypeError(\"{} is not supported\".format(type(data)))\n")
BUGS: Final = (
    _from_catalogue("grad_accumulated_in_place"),
    _from_catalogue("no_generation_sort"),
    _from_catalogue("generation_from_min"),
    Bug("generation_never_set", (("        self.generation = func.generation + 1\n", ""),)),
    _from_catalogue("grad_overwritten"),
    _from_catalogue("retain_grad_ignored"),
    _from_catalogue("outputs_held_strongly"),
    Bug("outputs_kept_as_a_list", (
        ("            self.outputs = [weakref.ref(output) for output in outputs]\n",
         "            self.outputs = outputs\n"),
        ("[output().grad for output in f.outputs]", "[output.grad for output in f.outputs]"),
        ("                    y().grad = None\n", "                    y.grad = None\n"),
    )),
    _from_catalogue("restore_without_finally"),
    _from_catalogue("restore_only_on_exception"),
    Bug("cleargrad_without_self", (("    def cleargrad(self):\n        self.grad = None\n",
                                     "    def cleargrad():\n        self.grad = None\n"),)),
    _from_catalogue("cleargrad_does_nothing"),
    Bug("cleargrad_sets_a_local", (("    def cleargrad(self):\n        self.grad = None\n",
                                     "    def cleargrad(self):\n        grad = None\n"),)),
    Bug("grad_compared_with_none", (("                if x.grad is None:\n", "                if x.grad == None:\n"),
                                     ("        if self.grad is None:\n", "        if self.grad == None:\n"))),
    Bug("data_compared_with_none", (("        if data is not None:\n", "        if data != None:\n"),)),
    Bug("as_array_adds_a_dimension", (("        return np.array(x)\n", "        return np.array([x])\n"),)),
    Bug("as_array_makes_float64", (("    if np.isscalar(x):\n        return np.array(x)\n    return x\n",
                                     "    return np.array(x, dtype=np.float64)\n"),)),
    Bug("cleargrad_misspelled", (("    def cleargrad(self):", "    def clear_grad(self):"),)),
    Bug("creator_misspelled", (("self.creator", "self.creater"), ("x.creator", "x.creater"))),
    Bug("using_config_misspelled", (("using_config", "using_conifg"),)),
    _from_catalogue("restore_to_a_constant"),
    Bug("no_grad_never_restores", (('def no_grad():\n    return using_config("enable_backprop", False)\n',
                                     "def no_grad():\n    Config.enable_backprop = False\n"
                                     "    return contextlib.nullcontext()\n"),)),
    _from_catalogue("variable_accepts_floats"),
    Bug("variable_without_type_check", ((_TYPE_CHECK, "            pass\n"),)),
    Bug("variable_converts_with_asarray", (
        (_TYPE_CHECK, "            pass\n"),
        ("        self.data = data\n", "        self.data = np.asarray(data) if data is not None else None\n"),
    )),
)
# Crashes whose cause only the target's own behaviour shows (issue #20): each names exactly one cause.
CRASHES: Final = (
    Bug("numpy_never_imported", (("import numpy as np\n", ""),)),
    Bug("call_without_as_array", (("outputs = [Variable(as_array(y)) for y in ys]", "outputs = [Variable(y) for y in ys]"),)),
    Bug("return_under_backprop_if", ((
        "            self.outputs = [weakref.ref(output) for output in outputs]\n        return outputs",
        "            self.outputs = [weakref.ref(output) for output in outputs]\n            return outputs"),)),
    Bug("square_without_return", (("def square(x):\n    return Square()(x)", "def square(x):\n    Square()(x)"),)),
    Bug("call_without_return", (("        return outputs if len(outputs) > 1 else outputs[0]\n", ""),)),
    _from_catalogue("graph_built_under_no_grad"),
    _from_catalogue("no_grad_that_enables"),
    _from_catalogue("enable_backprop_copied_once"),
    _from_catalogue("no_grad_without_return"),
    Bug("variable_rejects_none", ((
        "        if data is not None:\n" + _TYPE_CHECK,
        "        if not isinstance(data, np.ndarray):\n            raise TypeError(\"{} is not supported\".format(type(data)))\n"),
    )),
)
BY_BUG: Final = {bug.name: bug for bug in (*BUGS, *CRASHES)}


def _cells(source: str, *starts: str) -> dict[str, str]:
    """The book's engine cut where each of `starts` (a `class X` or `def x` line) begins: a notebook's cells, by
    their start ("imports" for what comes before the first)."""
    at = sorted((source.index(start), start) for start in starts)
    bounds = [(0, "imports"), *at, (len(source), "")]
    return {name: source[a:b] for (a, name), (b, _) in zip(bounds, bounds[1:])}


def write_notebook(path: Path, cells: list[str]) -> Path:
    """A notebook at `path` whose code cells are `cells`, run in order (execution counts 1, 2, ...)."""
    import nbformat  # only the notebook tests need it

    notebook = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]  # no stubs
    notebook.cells = [nbformat.v4.new_code_cell(cell, execution_count=n)  # type: ignore[no-untyped-call]
                      for n, cell in enumerate(cells, start=1)]
    nbformat.write(notebook, path)  # type: ignore[no-untyped-call]
    return path


def function_redefined_notebook(directory: Path) -> Path:
    """A learner's notebook: step 17's `Function` (no Config), `Square` and `Add` on it, then step 18's `Function`
    in a later cell, whose `no_grad()` the ops never see."""
    source = BOOK.read_text()
    cells = _cells(source, "class Config", "class Variable", "def as_array", "class Function", "class Square")
    step17 = cells["class Function"].replace("        if Config.enable_backprop:\n", "        if True:\n")
    ordered = [cells["imports"], cells["class Variable"], cells["def as_array"], step17, cells["class Square"],
               cells["class Config"], cells["class Function"]]
    return write_notebook(directory / "function_redefined.ipynb", ordered)


def failed_import_notebook(directory: Path) -> Path:
    """A learner's notebook whose first cell imports matplotlib (absent here) before numpy, after `%matplotlib inline`."""
    source = BOOK.read_text().replace("import numpy as np\n", "")
    first = "%matplotlib inline\nimport matplotlib_not_installed_here.pyplot as plt\nimport numpy as np\n"
    return write_notebook(directory / "failed_import.ipynb", [first, source])
