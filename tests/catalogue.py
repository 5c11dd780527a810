"""Broken engines: the book's step-18 file with exactly one realistic bug patched in.

Each entry is written to a real `.py` file and loaded the way a user's file is, so the suite
sees them exactly as it sees a learner's engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from tests.conftest import FIXTURES

BOOK: Final = FIXTURES / "book_step18.py"


@dataclass(frozen=True)
class BrokenEngine:
    """One bug: the text it replaces in the book's engine, and the property that must catch it."""

    name: str
    old: str
    new: str
    caught_by: str

    def write(self, directory: Path) -> Path:
        """Write the broken engine to `directory/<name>.py` and return the path."""
        source = BOOK.read_text()
        assert source.count(self.old) == 1, f"{self.name}: the patched text must occur once in the book"
        path = directory / f"{self.name}.py"
        path.write_text(source.replace(self.old, self.new))
        return path


CATALOGUE: Final = (
    BrokenEngine(
        "grad_accumulated_in_place",
        "                    x.grad = x.grad + gx\n",
        "                    x.grad += gx\n",
        "retain-grad-true-keeps-intermediate-grads",
    ),
    BrokenEngine(
        "no_generation_sort",
        "                funcs.sort(key=lambda x: x.generation)\n",
        "",
        "gradients-match-finite-differences",
    ),
    BrokenEngine(
        "outputs_held_strongly",
        "            self.outputs = [weakref.ref(output) for output in outputs]\n",
        "            self.outputs = [(lambda o: (lambda: o))(output) for output in outputs]\n",
        "graph-freed-by-reference-counting",
    ),
    BrokenEngine(
        "pop_that_forgets_to_pop",
        "            f = funcs.pop()\n",
        "            f = funcs[-1]\n",
        "retain-grad-true-keeps-intermediate-grads",  # loops forever when nothing clears the grads
    ),
    BrokenEngine(
        "restore_without_finally",
        "    try:\n        yield\n    finally:\n        setattr(Config, name, old_value)\n",
        "    yield\n    setattr(Config, name, old_value)\n",
        "config-restored-after-exception",
    ),
    BrokenEngine(
        "variable_accepts_floats",
        "            if not isinstance(data, np.ndarray):\n",
        "            if not isinstance(data, (np.ndarray, float)):\n",
        "variable-rejects-non-ndarray",
    ),
)
BY_NAME: Final = {engine.name: engine for engine in CATALOGUE}
