"""Run a target's code to the end: a notebook cell by cell, a file statement by statement.

A cell or statement that raises (a learner's closing "this raises" demo, a missing optional
import) does not stop the load: what was defined is kept, and the failure is recorded with
where it happened as the learner sees it (`In [16]`, or the cell's position; a line of the
file) and a traceback of the learner's own frames, source lines included.
"""

from __future__ import annotations

import __future__
import ast
import contextlib
import linecache
import os
import re
import sys
import traceback
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

_MARKER: Final = re.compile(r"^# In\[\s*(\d*)\s*\]:\s*$")  # an nbconvert export's cell marker
TRACEBACK_LINES: Final = 24  # a recursion error's traceback is cut to its end


@dataclass(frozen=True, slots=True)
class Failure:
    """A cell or statement that raised while loading, and where, in the learner's terms."""

    where: str  # "In [16]", "cell 7", "the statement at line 40"
    first_line: str
    line: int | None  # the line that raised, counted within the cell (within the file for a statement)
    error: str  # "AttributeError: ...", one line
    traceback: str
    binds: frozenset[str]  # the top-level names the cell or statement would have defined
    undefined: str | None = None  # the name of a NameError

    def summary(self) -> str:
        """One line: which cell or statement raised what, at which line."""
        at = f" at line {self.line}" if self.line is not None else ""
        return f"{self.where} (`{self.first_line}`) raised {self.error}{at}"

    def note(self) -> str:
        """The report's note: the summary, that loading went on, and the learner's traceback."""
        return f"{self.summary()}; loading went on, and what the code defined was kept and checked\n{self.traceback}"


def _one_line(error: BaseException) -> str:
    return f"{type(error).__name__}: {' '.join(str(error).split())}"[:300]


def _first_line(source: str) -> str:
    lines = [line.strip() for line in source.splitlines() if line.strip() and not line.strip().startswith("#")
             and not line.strip().startswith("pass  # skipped: ")]  # a magic the loader blanked never ran
    text = lines[0] if lines else ""
    return text if len(text) <= 60 else text[:57] + "..."


def bound_names(statements: list[ast.stmt]) -> frozenset[str]:
    """The names top-level `statements` bind (in if/try/with/for blocks too, not in functions)."""
    names: set[str] = set()
    for statement in statements:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(statement.name)
        elif isinstance(statement, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in statement.names)
        elif isinstance(statement, ast.Assign | ast.AnnAssign | ast.AugAssign | ast.For | ast.With):
            targets = statement.targets if isinstance(statement, ast.Assign) else (
                [item.optional_vars for item in statement.items if item.optional_vars is not None]
                if isinstance(statement, ast.With) else [statement.target])
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        for block in ("body", "orelse", "finalbody", "handlers"):
            inner = getattr(statement, block, None)
            if isinstance(inner, list) and not isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names |= bound_names([s for s in inner if isinstance(s, ast.stmt)] +
                                     [s for h in inner if isinstance(h, ast.ExceptHandler) for s in h.body])
    return frozenset(names)


def _future_flags(tree: ast.Module) -> int:
    flags = 0
    for statement in tree.body:
        if isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
            for alias in statement.names:
                feature = getattr(__future__, alias.name, None)
                flags |= getattr(feature, "compiler_flag", 0)
    return flags


class Session:
    """Runs a target's code in `module`, carrying `from __future__` flags from cell to cell."""

    def __init__(self, module: types.ModuleType) -> None:
        self.module = module
        self.flags = 0

    def _failure(self, error: BaseException, filename: str, where: str, source: str,
                 binds: frozenset[str], offset: int = 0) -> Failure:
        if isinstance(error, KeyboardInterrupt):
            raise error  # Ctrl-C stops the load; it is not the target's demo
        tb = error.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != filename:
            tb = tb.tb_next  # drop the suite's own frames (the exec call)
        frames = traceback.extract_tb(tb)
        own = [frame.lineno for frame in frames if frame.filename == filename]
        line = (own[0] if own else getattr(error, "lineno", None)) if tb or isinstance(error, SyntaxError) else None
        text = "".join(traceback.format_exception(type(error), error, tb)).rstrip().splitlines()
        if len(text) > TRACEBACK_LINES:
            text = text[:2] + ["    ..."] + text[-TRACEBACK_LINES + 3:]
        undefined = error.name if isinstance(error, NameError) else None
        return Failure(where, _first_line(source), None if line is None else line - offset, _one_line(error),
                       "\n".join(text), binds, undefined)

    def cell(self, source: str, filename: str, where: str) -> Failure | None:
        """Run one notebook cell as Jupyter does (it stops at its first error); return its failure."""
        linecache.cache[filename] = (len(source), None, [line + "\n" for line in source.splitlines()], filename)
        try:
            tree = ast.parse(source, filename)
        except SyntaxError as error:
            names = frozenset(a or b for a, b in re.findall(r"^(?:def|class)\s+(\w+)|^(\w+)\s*=", source, re.M))
            return self._failure(error, filename, where, source, names)
        self.flags |= _future_flags(tree)
        try:
            exec(compile(tree, filename, "exec", flags=self.flags, dont_inherit=True), vars(self.module))
        except BaseException as error:
            return self._failure(error, filename, where, source, bound_names(tree.body))
        return None

    def file(self, source: str, filename: str) -> list[Failure]:
        """Run a file's top-level statements one by one, to the end; return the failures.

        Raises SyntaxError when the file does not parse (nothing of it can run then).
        """
        tree = ast.parse(source, filename)
        self.flags |= _future_flags(tree)
        lines = source.splitlines()
        markers = [(number, match.group(1)) for number, text in enumerate(lines, start=1)
                   if (match := _MARKER.match(text))]
        failures = []
        for statement in tree.body:
            module = ast.Module(body=[statement], type_ignores=[])
            try:
                exec(compile(module, filename, "exec", flags=self.flags, dont_inherit=True), vars(self.module))
            except BaseException as error:
                failures.append(self._statement_failure(error, filename, statement, lines, markers))
        return failures

    def _statement_failure(self, error: BaseException, filename: str, statement: ast.stmt, lines: list[str],
                           markers: list[tuple[int, str]]) -> Failure:
        before = [(index, number, count) for index, (number, count) in enumerate(markers, start=1)
                  if number < statement.lineno]
        end = statement.end_lineno or statement.lineno
        if not before:
            source = "\n".join(lines[statement.lineno - 1:end])
            return self._failure(error, filename, f"the statement at line {statement.lineno}", source,
                                 bound_names([statement]))
        index, number, count = before[-1]
        following = [n for n, _ in markers if n > number]
        cell = "\n".join(lines[number:following[0] - 1 if following else len(lines)])
        where = f"In [{count}]" if count else f"cell {index}, `# In[ ]:` at line {number},"
        return self._failure(error, filename, where, cell, bound_names([statement]), offset=number)


@contextlib.contextmanager
def beside(path: Path) -> Iterator[None]:
    """Load as Python and Jupyter run a file: in its folder, importable siblings, no plot windows."""
    folder = str(path.resolve().parent)
    previous_dir, previous_backend = os.getcwd(), os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "Agg"
    sys.path.insert(0, folder)
    try:
        os.chdir(folder)
        yield
    finally:
        os.chdir(previous_dir)
        with contextlib.suppress(ValueError):
            sys.path.remove(folder)
        if previous_backend is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = previous_backend
