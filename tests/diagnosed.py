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
    return Bug(name, ((engine.old, engine.new),))


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
BY_BUG: Final = {bug.name: bug for bug in BUGS}
