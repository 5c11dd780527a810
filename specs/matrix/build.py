"""Build the conformance matrix (targets x properties) from the JSON reports of `nox` sessions.

    python -m specs.matrix describe TARGET --name NAME [--pins PIN ...] --json PATH
    python -m specs.matrix build RESULTS_DIR --targets NAME ... --md PATH --html PATH

`describe` runs in a target's environment and records its engine (label, versions, what its
adapter declares not applicable); `build` reads, for each NAME, `NAME.status.json` (written by
the noxfile: the run's options, or why the target could not be installed), `NAME.report.json`
(`python -m specs check --json`) and `NAME.engine.json`, and writes the Markdown and HTML pages.
"""

from __future__ import annotations

import argparse
import json
import platform
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from specs.matrix.cells import Cell, Column
from specs.matrix.notes import NOTES
from specs.matrix.render import render_html, render_markdown
from specs.properties import PROPERTIES
from specs.target.adapters.importing import version_of
from specs.target.engines import open_engine


def describe(target: str, name: str, pins: Sequence[str], path: Path) -> None:
    """Record the engine a target opens as: label, versions of its pins, declared not-applicable."""
    engine, _ = open_engine(target)
    versions = {pin.split("==")[0]: version_of(pin.split("==")[0]) for pin in pins}
    versions |= {"numpy": np.__version__, "python": platform.python_version()}
    record = {"name": name, "label": engine.label, "versions": versions, "unsupported": dict(engine.unsupported())}
    path.write_text(json.dumps(record, indent=1))


def _read(path: Path) -> dict[str, object]:
    loaded = json.loads(path.read_text()) if path.exists() else {}
    return loaded if isinstance(loaded, dict) else {}


def _strings(value: object) -> dict[str, str]:
    return {str(key): str(item) for key, item in value.items()} if isinstance(value, dict) else {}


def _items(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


def load_column(results: Path, name: str) -> Column:
    """A target's column from what its session left in `results` ("not run" cells if nothing)."""
    status, report, engine = (_read(results / f"{name}.{kind}.json") for kind in ("status", "report", "engine"))
    column = Column(name, str(engine.get("label", "")), _strings(engine.get("versions")),
                    str(status.get("options", "")), str(status.get("unavailable", "")))
    declared = _strings(engine.get("unsupported"))
    for result in _items(report.get("properties")):
        assert isinstance(result, dict)
        cell = Cell(str(result["status"]), str(result["message"]), result["counterexample"])
        if result["id"] in declared and cell.status != "not-applicable":
            cell = Cell("not-applicable", f"{column.label} has no counterpart: {declared[result['id']]}")
            column.notes.append(f"`{result['id']}`: declared not applicable by the adapter, by property id; the "
                                f"runner (which matches declarations against property needs only) said {result['status']}")
        column.cells[str(result["id"])] = cell
    if report:
        gating = [column.cells.get(p.id, Cell("not run")).status for p in PROPERTIES if p.tier != "extended"]
        column.conformant = all(status in ("passed", "not-applicable") for status in gating)
        column.notes += [str(note) for note in _items(report.get("notes"))]
    return column


def number_footnotes(columns: Sequence[Column]) -> None:
    """Number the failures and errors in reading order: property by property, target by target."""
    count = 0
    for prop in PROPERTIES:
        for column in columns:
            cell = column.cells.get(prop.id)
            if cell is not None and cell.status in ("failed", "error"):
                count += 1
                cell.footnote = count


def build(results: Path, names: Sequence[str], markdown: Path, html_path: Path) -> list[Column]:
    """Read every target's results and write the Markdown and HTML matrices."""
    columns = [load_column(results, name) for name in names]
    number_footnotes(columns)
    markdown.write_text(render_markdown(columns, NOTES))
    html_path.write_text(render_html(columns, NOTES))
    return columns


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; see the module docstring."""
    parser = argparse.ArgumentParser(prog="python -m specs.matrix")
    commands = parser.add_subparsers(dest="command", required=True)
    describe_command = commands.add_parser("describe", help="record a target's engine")
    describe_command.add_argument("target")
    describe_command.add_argument("--name", required=True)
    describe_command.add_argument("--pins", nargs="*", default=[])
    describe_command.add_argument("--json", type=Path, required=True)
    build_command = commands.add_parser("build", help="write the matrix")
    build_command.add_argument("results", type=Path)
    build_command.add_argument("--targets", nargs="+", required=True)
    build_command.add_argument("--md", type=Path, required=True)
    build_command.add_argument("--html", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "describe":
        describe(args.target, args.name, args.pins, args.json)
    else:
        columns = build(args.results, args.targets, args.md, args.html)
        print(f"wrote {args.md} and {args.html}: {len(columns)} targets")
    return 0
