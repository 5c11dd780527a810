"""specs: the property-based conformance suite for DeZero step-18 engines.

    import specs
    report = specs.check("my_engine.py")      # or a notebook, a module name, globals()
    report.passed                             # True when every core and memory property held
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from specs.report.report import Report
from specs.report.results import PropertyResult
from specs.run.database import DEFAULT_PATH, DatabaseError, DatabaseSpec, check_directory, is_url, open_database
from specs.run.isolation import Settings, run_isolated
from specs.run.jupyter import (NotebookProgress, config_kept, in_notebook, name_cells, namespace_label,
                               warnings_collected)
from specs.run.runner import Options, run, selected
from specs.target.adapters.dezero_style import DezeroStyle
from specs.target.engines import engine_for, open_engine
from specs.target.loader import TargetLoadError, TargetSpec, loading, nested_check

__all__ = ["DatabaseError", "PropertyResult", "Report", "TargetLoadError", "check", "engine_for", "open_engine"]


def check(
    target: TargetSpec = None,
    *,
    max_examples: int = 100,
    seed: int | None = None,
    only: tuple[str, ...] = (),
    timeout: float = 5.0,
    database: DatabaseSpec = DEFAULT_PATH,
    isolate: bool = False,
) -> Report:
    """Check `target` (refengine by default; a module name, file, notebook, module or namespace).

    With `isolate`, a target named by a string runs in worker processes (each loads it once and
    forks a child per property), as the command line runs it. `database` is a directory, a Redis URL shared by several machines
    (`redis://host:port/db`, see docs/campaigns.md) or None. Raises TargetLoadError, with a
    one-line reason, when the target cannot be loaded, and DatabaseError when the database
    cannot be opened. Called by a target while gradspec loads it (a notebook's last cell),
    it returns at once a report whose properties are all skipped (see `_skipped`).
    """
    if loading():  # the target's own call, while gradspec loads it: one check is enough
        caller = sys._getframe(1)
        nested_check(caller.f_code.co_filename, caller.f_lineno)
        return _skipped(target, only)
    if database is not None and not is_url(database):
        check_directory(Path(database))
    if isolate:
        if not isinstance(target, str | Path):
            raise TypeError(f"isolate=True needs a target named by a string or path, not {type(target).__name__}")
        if is_url(database):
            open_database(database, target=str(target))  # a server that cannot be reached fails here, once
        settings = Settings(str(target), max_examples, seed, timeout, database, jobs=os.cpu_count() or 1)
        return run_isolated(selected(only), settings)
    engine, notes = open_engine(target)
    if isinstance(target, Mapping) and isinstance(engine, DezeroStyle):
        engine.label = namespace_label(target)  # the notebook's name, not "the given namespace"
    name = str(target) if isinstance(target, str | Path) else engine.label
    progress = NotebookProgress(len(selected(only)), engine.label) if in_notebook() else None
    options = Options(max_examples, seed, tuple(only), timeout, open_database(database, target=name),
                      on_example=None if progress is None else progress.example)
    collected: list[str] = []
    with config_kept(engine), warnings_collected(collected):
        report = run(engine, options, on_result=None if progress is None else progress.result)
    if progress is not None:
        progress.close()
    report.notes[:0] = notes
    report.notes.extend(collected)
    if isinstance(target, Mapping) and progress is not None:
        name_cells(report, target)
    return report


SKIPPED_NESTED = ("skipped: gradspec was loading this code to check it, and this specs.check(...) call inside it "
                  "would have run a second, nested check; the outer check runs the properties once")


def _skipped(target: TargetSpec, only: tuple[str, ...]) -> Report:
    """The report a nested `specs.check` returns: every property skipped, saying why; one line printed."""
    name = namespace_label(target) if isinstance(target, Mapping) else str(target or "refengine")
    print("gradspec: this specs.check(...) call was skipped: gradspec is loading this code to check it",
          file=sys.stderr)
    results = [PropertyResult(p.id, p.tier, "skipped", 0, 0.0, SKIPPED_NESTED) for p in selected(only)]
    return Report(name, results, [SKIPPED_NESTED])
