"""Graphviz at work: DOT to SVG with the `dot` program when installed, and the files `--dot` writes."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from specs.report.results import Results

DOT_LIMIT: Final = 60.0  # seconds for one picture: a busy machine makes dot slow, and a picture lost costs more


@dataclass(frozen=True, slots=True)
class NotDrawn:
    """Graphviz's `dot` is installed but gave no picture; `reason` completes "Graphviz's dot ..."."""

    reason: str
    timed_out: bool = False


def draw_svg(dot: str, timeout: float = DOT_LIMIT) -> str | NotDrawn | None:
    """Graphviz's SVG for `dot`; NotDrawn saying why when `dot` failed or ran out of time; None when
    `dot` is not installed."""
    program = shutil.which("dot")
    if program is None:
        return None
    try:
        done = subprocess.run([program, "-Tsvg"], input=dot, capture_output=True, text=True, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired:
        return NotDrawn(f"did not finish within {timeout:g} s (a busy machine?)", timed_out=True)
    except OSError as error:
        return NotDrawn(f"could not be run ({error.strerror or error})")
    if done.returncode != 0:
        said = done.stderr.strip().splitlines()
        return NotDrawn(f"failed with exit status {done.returncode}" + (f": {said[0][:200]}" if said else ""))
    return done.stdout if "<svg" in done.stdout else NotDrawn("printed no SVG")


def render_svg(dot: str, timeout: float = DOT_LIMIT) -> str | None:
    """Graphviz's SVG for `dot`, or None when `dot` is not installed or gave no picture."""
    svg = draw_svg(dot, timeout)
    return svg if isinstance(svg, str) else None


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
