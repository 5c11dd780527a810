"""The command line: `python -m specs check [TARGET] ...` and `python -m specs list`.

Exit status: 0 when every core and memory property passed, 1 when one failed or errored,
2 when the target could not be loaded, the options are wrong or the database cannot be opened
(one line says which),
130 when Ctrl-C stopped the run (what finished is printed and saved).
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from specs import open_engine
from specs.database import DEFAULT_PATH, DatabaseError, DatabaseSpec, is_url, open_database
from specs.diagnoses import render_causes
from specs.graphviz import write_pictures
from specs.html_report import write_html
from specs.isolation import Interrupted, Settings, run_isolated
from specs.loader import TargetLoadError
from specs.properties import BY_ID, PROPERTIES
from specs.progress import Progress
from specs.report import PropertyResult, Report, render_details, render_summary
from specs.runner import Options, run, selected

EXIT_CONFORMANT, EXIT_NOT_CONFORMANT, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"specs: error: {message} (see python -m specs --help)\n")


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
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
    check.add_argument("target", nargs="?", default="refengine",
                       help="refengine, a module name, a .py file or a .ipynb notebook")
    check.add_argument("--json", type=Path, metavar="PATH", help="write the JSON report here")
    check.add_argument("--html", type=Path, metavar="PATH",
                       help="write a self-contained HTML report here (pictures need Graphviz's dot)")
    check.add_argument("--dot", type=Path, metavar="DIR",
                       help="write each counterexample's graph here as ID.dot (and ID.svg with Graphviz)")
    check.add_argument("--max-examples", type=_positive_int, default=100, metavar="N",
                       help="examples per property (default 100)")
    check.add_argument("--seed", type=int, metavar="N", help="seed Hypothesis for a repeatable run")
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
    check.add_argument("--max-memory", type=int, default=4096, metavar="MB",
                       help="cap each target process's address space (default 4096; 0: no cap)")
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
    for option, path in (("--json", args.json), ("--html", args.html), ("--dot", args.dot)):
        if path is not None and not path.parent.is_dir():
            parser.error(f"{option} {path}: no directory {path.parent}")
    database: DatabaseSpec = None if args.database.lower() == "none" else args.database
    if is_url(database):
        try:  # a wrong URL, a missing package or a server down: said now, not in every child
            open_database(database, target=args.target)
        except DatabaseError as error:
            print(f"specs: {error}", file=sys.stderr)
            return EXIT_USAGE
    elif database is not None:
        database = Path(database)
    print(f"checking {args.target}", flush=True)
    finished: list[PropertyResult] = []
    progress = Progress(len(selected(args.only)))

    def announce(result: PropertyResult) -> None:
        progress.result(result)
        finished.append(result)
        if args.json is not None:  # kept current, so a killed run still leaves its results
            Report(args.target, list(finished)).write_json(args.json)

    try:
        report = _run(args, database, announce, progress)
    except TargetLoadError as error:
        progress.close()
        print(f"specs: cannot load the target: {error}", file=sys.stderr)
        return EXIT_USAGE
    except Interrupted as interrupted:
        _finish(interrupted.report, args, progress)
        print("specs: interrupted; the results above are what finished", file=sys.stderr)
        return EXIT_INTERRUPTED
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
    settings = Settings(args.target, args.max_examples, args.seed, args.timeout, database, args.max_memory,
                        args.max_seconds, args.jobs)
    return run_isolated(selected(args.only), settings, announce, progress.example)


def _finish(report: Report, args: argparse.Namespace, progress: Progress) -> None:
    """Print the failures' details and the verdict; save the JSON and HTML reports and the pictures."""
    progress.close()
    print(render_causes(report), end="")
    for result in report.properties:
        if result.status not in ("passed", "skipped"):
            print(render_details(result), end="")
    print(render_summary(report), end="")
    if args.json is not None:
        report.write_json(args.json)
    if args.dot is not None:
        args.dot.mkdir(exist_ok=True)
        for path in write_pictures(report, args.dot):
            print(f"wrote {path}")
    if args.html is not None:
        write_html(report, args.html, command=args.command_line)
        print(f"wrote {args.html}")


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


if __name__ == "__main__":
    entry_point()
