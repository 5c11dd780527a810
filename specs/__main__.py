"""The command line: `python -m specs check [TARGET] ...` and `python -m specs list`.

Exit status: 0 when every core and memory property passed, 1 when one failed or errored,
2 when the target could not be loaded, the options are wrong or the database cannot be opened
(one line says which),
130 when Ctrl-C stopped the run (what finished is printed and saved), 143 for SIGTERM.
Several targets, a folder or a glob make a gradebook (run by specs.run.grading, shown by
specs.report.gradebook): 0 only when every
target is conformant, 2 when no target could be found.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from specs.properties import BY_ID, PROPERTIES
from specs.report import files, gradebook
from specs.report.console import render_body, render_last_screen
from specs.report.gradebook_html import write_gradebook_html
from specs.report.graphviz import write_pictures
from specs.report.html import write_html
from specs.report.report import Report
from specs.report.results import PropertyResult
from specs.run import grading
from specs.run.database import DEFAULT_PATH, DatabaseError, DatabaseSpec, check_directory, is_url, open_database
from specs.run.isolation import LOAD_LIMIT, Interrupted, Outcome, Settings, run_isolated
from specs.run.progress import Progress
from specs.run.runner import Options, run, selected
from specs.target import folders
from specs.target.engines import open_engine
from specs.target.loader import TargetLoadError

EXIT_CONFORMANT, EXIT_NOT_CONFORMANT, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_TERMINATED = 143  # SIGTERM: as Ctrl-C, with the shell's code for it


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"specs: error: {message} (see python -m specs --help)\n")


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def _memory(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} must be 0 (no cap) or more")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{value} must be more than 0")
    return value


def _parser() -> _Parser:
    parser = _Parser(prog="python -m specs", description="Conformance suite for DeZero step-18 engines.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{check,list}")
    check = commands.add_parser("check", help="check a target (refengine when none is named)")
    check.add_argument("target", nargs="*", default=["refengine"],
                       help="refengine, a module name, a .py file or a .ipynb notebook; several targets, "
                            "folders or globs ('hw/*.py') make a gradebook (teacher mode)")
    check.add_argument("--csv", type=Path, metavar="PATH", help="write the gradebook as CSV here")
    check.add_argument("--extended", action="store_true",
                       help="in a gradebook, run the extended checks too (beyond the book: they never decide a verdict)")
    check.add_argument("--json", type=Path, metavar="PATH", help="write the JSON report here")
    check.add_argument("--html", type=Path, metavar="PATH",
                       help="write a self-contained HTML report here (pictures need Graphviz's dot)")
    check.add_argument("--dot", type=Path, metavar="DIR",
                       help="write each counterexample's graph here as ID.dot (and ID.svg with Graphviz)")
    check.add_argument("--max-examples", type=_positive_int, metavar="N",
                       help=f"examples per property (default 100; {grading.DEFAULT_EXAMPLES} for a gradebook)")
    check.add_argument("--seed", type=int, metavar="N", help=f"seed Hypothesis for a repeatable run (a gradebook's default: {grading.DEFAULT_SEED})")
    check.add_argument("--only", action="append", default=[], metavar="ID",
                       help="run only this property (repeatable)")
    check.add_argument("--timeout", type=_positive_float, default=5.0, metavar="SECONDS",
                       help="stop an example that runs longer than this (default 5)")
    check.add_argument("--database", default=str(DEFAULT_PATH), metavar="PATH|URL",
                       help=f"Hypothesis example database: a directory, a Redis URL shared by several machines "
                            f"(redis://host:port/db; docs/campaigns.md), or 'none' (default {DEFAULT_PATH})")
    check.add_argument("--jobs", type=_positive_int, default=os.cpu_count() or 1, metavar="N",
                       help="properties run side by side, each in its own process (default: every core)")
    check.add_argument("--max-seconds", type=_positive_float, metavar="SECONDS",
                       help="stop the whole run after this long; unfinished properties are skipped")
    check.add_argument("--load-timeout", type=_positive_float, default=LOAD_LIMIT, metavar="SECONDS",
                       help=f"stop a target whose loading takes longer, naming the line it ran (default {LOAD_LIMIT:g})")
    check.add_argument("--max-memory", type=_memory, default=4096, metavar="MB",
                       help="cap each target process's address space (default 4096; 0: no cap)")
    check.add_argument("-v", "--verbose", action="store_true",
                       help="print the details of the checks beyond the book too (the HTML and JSON reports hold them)")
    check.add_argument("--in-process", action="store_true",
                       help="run the target in this process (no isolation, no --max-seconds; for debuggers)")
    commands.add_parser("list", help="list the properties: id, tier and rule")
    return parser


def _list() -> int:
    for prop in PROPERTIES:
        print(f"{prop.id:<43} {prop.tier:<8} {prop.summary}")
    return EXIT_CONFORMANT


def _check(args: argparse.Namespace, parser: _Parser) -> int:
    unknown = [i for i in args.only if i not in BY_ID]
    if unknown:
        parser.error(f"unknown property id {unknown[0]!r}; `python -m specs list` shows them")
    for option, path in (("--json", args.json), ("--html", args.html), ("--dot", args.dot), ("--csv", args.csv)):
        if path is not None and not path.parent.is_dir():
            parser.error(f"{option} {path}: no directory {path.parent}")
    several = folders.is_gradebook(args.target)
    if several:
        for option, value in (("--dot", args.dot), ("--in-process", args.in_process)):
            if value:
                parser.error(f"{option} works with one target, not a gradebook of {len(args.target)} argument(s)")
    else:
        args.target = args.target[0]
        wrong = Path(args.target)
        if wrong.is_file() and wrong.suffix not in folders.SUFFIXES:
            parser.error(f"{args.target} is not a .py file or a .ipynb notebook")
    if args.seed is None and several:
        args.seed = grading.DEFAULT_SEED  # every student faces the same examples
    if args.max_examples is None:
        args.max_examples = grading.DEFAULT_EXAMPLES if several else 100
    database: DatabaseSpec = None if args.database.lower() == "none" else args.database
    if is_url(database):
        try:  # a wrong URL, a missing package or a server down: said now, not in every child
            open_database(database, target=args.target)
        except DatabaseError as error:
            print(f"specs: {error}", file=sys.stderr)
            return EXIT_USAGE
    elif database is not None:
        database = Path(database)
        try:  # a directory that cannot hold the examples: said now, not lost silently by Hypothesis
            check_directory(database)
        except DatabaseError as error:
            print(f"specs: {error}", file=sys.stderr)
            return EXIT_USAGE
    if several:
        return _grade(args, database)
    print(f"checking {args.target}", flush=True)
    finished: list[PropertyResult] = []
    progress = Progress(len(selected(args.only)))

    def announce(result: PropertyResult) -> None:
        progress.result(result)
        finished.append(result)
        if args.json is not None:  # kept current, so a killed run still leaves its results
            _write_json(Report(args.target, list(finished)), args)

    try:
        report = _run(args, database, announce, progress)
    except TargetLoadError as error:
        progress.close()
        print(f"specs: cannot load the target: {error}", file=sys.stderr)
        return EXIT_USAGE
    except Interrupted as interrupted:
        _finish(interrupted.report, args, progress)
        print("specs: interrupted; the results above are what finished", file=sys.stderr)
        return _interrupted_code(interrupted)
    except KeyboardInterrupt:
        _finish(Report(args.target, finished), args, progress)
        print("specs: interrupted; the results above are what finished", file=sys.stderr)
        return EXIT_INTERRUPTED
    _finish(report, args, progress)
    return EXIT_CONFORMANT if report.passed else EXIT_NOT_CONFORMANT


def _run(
    args: argparse.Namespace, database: DatabaseSpec, announce: Callable[[PropertyResult], None], progress: Progress
) -> Report:
    """Run the check in child processes, or in this process with --in-process."""
    if args.in_process:
        engine, notes = open_engine(args.target)
        options = Options(args.max_examples, args.seed, tuple(args.only), args.timeout,
                          open_database(database, target=args.target), on_example=progress.example)
        report = run(engine, options, on_result=announce)
        report.notes[:0] = notes
        return report
    return run_isolated(selected(args.only), _settings(args, database), announce, progress.example)


def _settings(args: argparse.Namespace, database: DatabaseSpec) -> Settings:
    return Settings(args.target if isinstance(args.target, str) else "", args.max_examples, args.seed, args.timeout,
                    database, args.max_memory, args.max_seconds, args.jobs, args.load_timeout)


def _interrupted_code(interrupted: Interrupted) -> int:
    return EXIT_TERMINATED if interrupted.signum == signal.SIGTERM else EXIT_INTERRUPTED


def _write_json(report: Report, args: argparse.Namespace) -> None:
    """The JSON report: the contract's keys, and gradspec's version, the seed and the date."""
    files.write_json({**report.to_json(), **grading.run_info(args.seed)}, args.json)


def _grade(args: argparse.Namespace, database: DatabaseSpec) -> int:
    """Teacher mode: grade every target into one gradebook (table, CSV, JSON, HTML)."""
    try:
        targets = folders.expand(args.target)
    except folders.NoTargets as error:
        print(f"specs: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(f"grading {len(targets)} targets, seed {args.seed} (the same examples for every target), "
          f"{args.max_examples} examples a property", flush=True)
    properties, settings = grading.properties(args.only, args.extended), _settings(args, database)
    code, graded = EXIT_CONFORMANT, []

    def announce(row: gradebook.Row) -> None:
        print(gradebook.row_line(row), flush=True)
        graded.append(row)
        if args.json is not None:  # kept current, so a killed run still leaves its rows
            book = gradebook.Gradebook(graded, properties, args.seed, args.max_examples, grading.run_info(args.seed))
            files.write_json(book.to_json(), args.json)

    try:
        book = grading.grade(targets, properties, settings, on_row=announce)
    except Interrupted as interrupted:
        book = grading.from_outcomes(targets, interrupted.outcomes, properties, settings)
        print("specs: interrupted; the gradebook holds what finished", file=sys.stderr)
        code = _interrupted_code(interrupted)
    print(gradebook.render_table(book), end="")
    if args.json is not None:
        files.write_json(book.to_json(), args.json)
    if args.csv is not None:
        gradebook.write_csv(book, args.csv)
        print(f"wrote {args.csv}")
    if args.html is not None:
        write_gradebook_html(book, args.html, command=args.command_line)
        print(f"wrote {args.html}")
    return code or (EXIT_CONFORMANT if book.conformant else EXIT_NOT_CONFORMANT)


def _finish(report: Report, args: argparse.Namespace, progress: Progress) -> None:
    """Print the notes and details; save the JSON and HTML reports and the pictures; print the last screen.

    The last screen (smallest snippet, likely causes, verdict) comes after the "wrote ..." lines:
    a terminal shows the end.
    """
    progress.close()
    print(render_body(report, verbose=args.verbose, max_examples=args.max_examples), end="", flush=True)
    if args.json is not None:
        _write_json(report, args)
    if args.csv is not None:
        gradebook.write_csv(grading.from_outcomes([args.target], [Outcome(report)], selected(args.only),
                                                    _settings(args, None)), args.csv)
        print(f"wrote {args.csv}")
    if args.dot is not None:
        args.dot.mkdir(exist_ok=True)
        for path in write_pictures(report, args.dot):
            print(f"wrote {path}")
    if args.html is not None:
        missing = write_html(report, args.html, command=args.command_line)
        print(f"wrote {args.html}" + (f"\n{missing}" if missing else ""))
    print(render_last_screen(report), end="")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status."""
    parser = _parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.command_line = "python -m specs " + shlex.join(argv)
    if args.command == "list":
        return _list()
    return _check(args, parser)


def entry_point() -> NoReturn:
    """The `gradspec` console script: `gradspec check TARGET` is `python -m specs check TARGET`."""
    sys.exit(main())


def shadowing(package: object) -> str | None:
    """The line to say when `python -m specs` imported `package` as `specs`, another package than
    gradspec's (a `specs/` of the current folder), and reached this file only through an editable
    install's finder; None when `package` is this one."""
    file = getattr(package, "__file__", None)
    if isinstance(file, str) and Path(file).resolve().parent == Path(__file__).resolve().parent:
        return None
    where = getattr(package, "__path__", None) or [getattr(package, "__file__", None) or "this folder"]
    return (f"specs: warning: `python -m specs` found this folder's own `specs` ({list(where)[0]}) before "
            "gradspec's; `gradspec check ...` is the same command, and never confused by it")


if __name__ == "__main__":
    if (line := shadowing(sys.modules.get("specs"))) is not None:
        print(line, file=sys.stderr)  # without an editable install, Python stops before this file
    entry_point()
