"""The conformance matrix: one nox session per target, each in its own venv with pinned versions.

    nox                          # every target, then `matrix` writes docs/conformance.md and .html
    nox -s dezero mygrad matrix  # some targets; the matrix keeps the other targets' last results

Each target session installs gradspec (`.`) and the engine, runs `python -m specs check NAME
--json ...` (exit 1, not conformant, is a result, not an error) and records the engine's
versions and declared not-applicable names. A target that cannot be installed records why.
Under CI (CI set), the targets marked `heavy` are skipped with their reason.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import nox
from nox.command import CommandFailed

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / ".nox" / "conformance-results"
CHECK_OPTIONS = ("--max-examples", "50", "--seed", "0", "--timeout", "10", "--database", "none")


@dataclass(frozen=True)
class Target:
    """A target of the matrix: what to check and how to install it."""

    check: str  # the TARGET of `python -m specs check`
    pins: tuple[str, ...] = ()
    first: tuple[str, ...] = ()  # installed before the pins (build tools)
    no_build_isolation: bool = False
    own_numpy: bool = False  # the engine needs a numpy below gradspec's: install gradspec --no-deps
    must_conform: bool = False  # exit 1 fails the session (the baselines)
    heavy: str = ""  # why CI skips it; empty: CI runs it


TARGETS: dict[str, Target] = {
    "refengine": Target("refengine", must_conform=True),
    "book": Target("tests/fixtures/book_step18.py", must_conform=True),
    "dezero": Target("dezero", ("dezero==0.0.13", "numpy==1.23.5", "matplotlib==3.7.5"), own_numpy=True),
    "dezero-simple": Target("dezero-simple", ("dezero==0.0.13", "numpy==1.23.5", "matplotlib==3.7.5"), own_numpy=True),
    "chainer": Target("chainer", ("chainer==7.8.1", "numpy==1.26.4"), ("wheel==0.45.1", "setuptools==65.5.0"),
                      no_build_isolation=True, own_numpy=True),
    "torch": Target("torch", ("torch==2.13.0",), heavy="torch is a large install (a local CPU build here)"),
    "mygrad": Target("mygrad", ("mygrad==2.5.0",)),
    "micrograd": Target("micrograd", ("micrograd==0.1.0",)),
    "jax": Target("jax", ("jax==0.10.2", "jaxlib==0.10.2"), heavy="jax and jaxlib are a large download"),
}

nox.options.sessions = [*TARGETS, "matrix"]
nox.options.reuse_venv = "yes"


def _gradspec_dependencies() -> list[str]:
    """gradspec's runtime dependencies but numpy, for sessions that bring their own numpy."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [d for d in project["dependencies"] if not d.startswith("numpy")]


def _install(session: nox.Session, target: Target) -> None:
    if target.first:
        session.install(*target.first)
    if target.no_build_isolation:  # the engine's sdist builds with the tools installed first
        session.install("--no-build-isolation", *target.pins)
    if target.own_numpy:
        session.install(*target.pins, *_gradspec_dependencies())
        session.install("--no-deps", ".")
    else:
        session.install(".", *target.pins)


def _record(name: str, **fields: object) -> None:
    (RESULTS / f"{name}.status.json").write_text(json.dumps({"target": name, **fields}, indent=1))


def _run_target(session: nox.Session, name: str) -> None:
    target = TARGETS[name]
    if os.environ.get("CI") and target.heavy:
        session.skip(f"{name} is not run in CI: {target.heavy}; run `nox -s {name}` locally")
    RESULTS.mkdir(parents=True, exist_ok=True)
    for old in RESULTS.glob(f"{name}.*.json"):
        old.unlink()
    try:
        _install(session, target)
    except CommandFailed as failure:
        _record(name, unavailable=f"pip could not install {' '.join(target.pins) or 'gradspec'} here "
                                  f"({failure.reason}; the session's log says why)")
        session.error(f"{name}: could not install its environment")
    report = RESULTS / f"{name}.report.json"
    codes = [0] if target.must_conform else [0, 1]
    try:
        session.run("python", "-m", "specs", "check", target.check, "--json", str(report), *CHECK_OPTIONS,
                    success_codes=codes)
    except CommandFailed as failure:
        _record(name, unavailable=f"the run did not finish: {failure.reason}")
        raise
    session.run("python", "-m", "specs.matrix", "describe", target.check, "--name", name,
                "--pins", *target.pins, "--json", str(RESULTS / f"{name}.engine.json"))
    _record(name, options=" ".join(CHECK_OPTIONS))


def _target_session(name: str) -> None:
    def session(session: nox.Session) -> None:
        _run_target(session, name)

    session.__doc__ = f"Check {name} ({TARGETS[name].check}) and record its results."
    nox.session(name=name, python="3.11")(session)


for _name in TARGETS:
    _target_session(_name)


@nox.session(python="3.11")
def matrix(session: nox.Session) -> None:
    """Assemble docs/conformance.md and docs/conformance.html from the recorded results."""
    session.install(".")
    session.run("python", "-m", "specs.matrix", "build", str(RESULTS), "--targets", *TARGETS,
                "--md", "docs/conformance.md", "--html", "docs/conformance.html")
