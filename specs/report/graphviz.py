"""Graphviz at work: DOT to SVG with the `dot` program when installed, and the files `--dot` writes."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from specs.report.results import Results


def render_svg(dot: str, timeout: float = 20.0) -> str | None:
    """Graphviz's SVG for `dot`, or None when `dot` is not installed or fails."""
    program = shutil.which("dot")
    if program is None:
        return None
    try:
        done = subprocess.run([program, "-Tsvg"], input=dot, capture_output=True, text=True, timeout=timeout,
                              check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 and "<svg" in done.stdout else None


def inline_svg(svg: str, prefix: str = "") -> str:
    """An SVG document as an element to put inside HTML: no XML prolog, doctype or namespace URIs;
    its ids start with `prefix`, so that several pictures on one page never share one."""
    element = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", svg[svg.index("<svg"):], count=2)
    return element.replace(' id="', f' id="{prefix}') if prefix else element


def write_pictures(report: Results, directory: Path) -> list[Path]:
    """Write each counterexample's graph as `ID.dot`, and `ID.svg` when Graphviz is installed."""
    written = []
    for result in report.properties:
        if result.dot is None:
            continue
        path = directory / f"{result.id}.dot"
        path.write_text(result.dot, encoding="utf-8")
        written.append(path)
        svg = render_svg(result.dot)
        if svg is not None:
            written.append(path.with_suffix(".svg"))
            written[-1].write_text(svg, encoding="utf-8")
    return written
