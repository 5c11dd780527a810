"""The pytest plugin: `pytest --pyargs specs --specs-target=TARGET` runs the properties as tests.

Hypothesis's own options work: `--hypothesis-seed`, `--hypothesis-show-statistics` (the graph
shapes each property generated), and profiles: `--specs-profile quick|default|thorough|ci|campaign`
(default: `ci`, derandomized, when the CI variable is set, else `default`), or any profile
with `--hypothesis-profile`. Each property is one test, so `pytest-xdist -n auto` spreads them,
and xdist's `--tx` workers spread them over several machines. `--specs-database` keeps failing
examples in a directory or a Redis server the machines share (docs/campaigns.md); by default
there is none.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

import pytest
from hypothesis import settings
from hypothesis.database import ExampleDatabase

from specs.report.console import first_line
from specs.report.diagnoses import render_causes
from specs.report.results import BEYOND, PropertyResult, Results
from specs.run import profiles
from specs.run.database import DatabaseError, open_database
from specs.run.runner import Options
from specs.target.adapters.dezero_style import DezeroStyle
from specs.target.engines import engine_for
from specs.target.loader import TargetLoadError, load_target

MARKER = "specs_property"
RESULT = "specs_result"  # the user property holding a test's PropertyResult, as a dict (it crosses xdist too)
BEFORE = "gradspec-before-specs"
profiles.register()  # at import, before Hypothesis's plugin loads a --hypothesis-profile


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the --specs-* options."""
    group = parser.getgroup("specs", "conformance of DeZero step-18 engines")
    group.addoption("--specs-target", default="refengine", help="refengine, a module, a .py file or a notebook")
    group.addoption("--specs-max-examples", type=int, default=None,
                    help="examples per property (default: the profile's max_examples)")
    group.addoption("--specs-timeout", type=float, default=5.0, help="seconds an example may take")
    group.addoption("--specs-profile", choices=profiles.PROFILES, default=None,
                    help="Hypothesis profile: quick (10 examples), default (100), thorough (1000), ci (100, "
                         "derandomized), campaign (10000); default: ci when CI is set, else default")
    group.addoption("--specs-database", default=None, metavar="PATH|URL",
                    help="keep failing examples in this directory or Redis server (redis://host:port/db), "
                         "shared by every worker, or none (the default)")


DATABASE = pytest.StashKey["ExampleDatabase | None"]()  # what --specs-database opened


def pytest_configure(config: pytest.Config) -> None:
    """Declare the marker the conformance tests carry; check that --specs-database can be opened."""
    config.addinivalue_line("markers", f"{MARKER}: a conformance property of the specs suite")
    config.stash[DATABASE] = _database(config)  # opened (and a Redis server pinged) once, here


def _database(config: pytest.Config) -> ExampleDatabase | None:
    """The database --specs-database names, for --specs-target's failures; a usage error if it cannot be opened."""
    spec = config.getoption("--specs-database", None)
    spec = None if spec is None or spec.lower() == "none" else spec
    try:
        return open_database(spec, target=str(config.getoption("--specs-target", "refengine")))
    except DatabaseError as error:
        raise pytest.UsageError(f"--specs-database: {error}") from None


ENGINE = pytest.StashKey[DezeroStyle]()  # the target, loaded once when the properties are collected


def pytest_collection_modifyitems(config: pytest.Config, items: Sequence[pytest.Item | _Marked]) -> None:
    """Load --specs-target once the properties are collected: a target that does not load is a
    usage error (one line, exit 4), not a fixture error in every test."""
    if ENGINE in config.stash or not any(item.get_closest_marker(MARKER) for item in items):
        return
    spec = str(config.getoption("--specs-target"))
    try:
        config.stash[ENGINE] = engine_for(load_target(spec))
    except TargetLoadError as error:
        raise pytest.UsageError(f"--specs-target={spec}: {error}") from None


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under pytest-xdist, load a named --specs-target in the controller too, which collects nothing:
    a target that does not load is then one usage error, not a crash in every worker."""
    config = session.config
    distributed = getattr(config.option, "numprocesses", None) or getattr(config.option, "tx", None)
    if distributed and not hasattr(config, "workerinput") and config.getoption("--specs-target") != "refengine":
        pytest_collection_modifyitems(config, [_Marked()])


class _Marked:
    """Stands for a collected property where none is collected (the xdist controller)."""

    def get_closest_marker(self, name: str) -> object:
        """Every marker asked for is there."""
        return name


@pytest.fixture(scope="session")
def specs_engine(request: pytest.FixtureRequest) -> DezeroStyle:
    """The target named by --specs-target, loaded once per session (at collection)."""
    config = request.config
    if ENGINE not in config.stash:  # collected some other way: load it here
        pytest_collection_modifyitems(config, [request.node])
    return config.stash[ENGINE]


@pytest.fixture(scope="session")
def specs_options(request: pytest.FixtureRequest) -> Iterator[Options]:
    """The runner options, under the chosen Hypothesis profile (loaded for the session, then put back)."""
    config = request.config
    choice = config.getoption("--specs-profile")
    settings.register_profile(BEFORE, settings())  # a snapshot of the profile in force, to put back
    if choice is not None or not config.getoption("--hypothesis-profile", None):
        settings.load_profile(profiles.profile_name(choice or profiles.default_choice()))
    seed = config.getoption("--hypothesis-seed", None)
    try:
        yield Options(
            max_examples=int(config.getoption("--specs-max-examples") or settings().max_examples),
            seed=int(seed) if seed is not None and str(seed).lstrip("-").isdigit() else None,
            timeout=float(config.getoption("--specs-timeout")),
            database=config.stash[DATABASE],
        )
    finally:
        settings.load_profile(BEFORE)


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> tuple[str, str, tuple[str, dict[str, bool]]] | None:
    """An extended property that differs from refengine is "BEYOND" (amber), not an xfail nor a failure."""
    if report.when == "call" and str(getattr(report, "wasxfail", "")).startswith(BEYOND):
        return "beyond", "B", ("BEYOND", {"yellow": True})
    return None


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Say what each check beyond the book found, apart from the failures; then the likely causes."""
    results = [PropertyResult(**dict(value)) for reports in terminalreporter.stats.values() for report in reports
               if getattr(report, "when", "") == "call"
               for key, value in getattr(report, "user_properties", ()) if key == RESULT]
    reports = terminalreporter.stats.get("beyond", [])
    if reports:
        differ = "1 check differs" if len(reports) == 1 else f"{len(reports)} checks differ"
        terminalreporter.section(f"beyond the book: {differ} from refengine (not failures)", yellow=True)
        if config.getoption("verbose", 0) > 0:
            for report in reports:
                terminalreporter.line(str(getattr(report, "wasxfail", "")).removeprefix(BEYOND).strip())
        else:  # one line each: a conformant engine's summary holds no traceback
            for result in results:
                if result.shown == "beyond":
                    terminalreporter.line(f"{result.id}: {first_line(result.message)} (-v shows the details)")
    causes = render_causes(Results(str(config.getoption("--specs-target", "")), results))
    if causes:
        terminalreporter.section("likely cause", red=True)
        for line in causes.splitlines():
            terminalreporter.line(line)


class _Details:
    """A failed property's report: its details in FAILURES, and one line (the message's first) in the short summary."""

    def __init__(self, text: str) -> None:
        self.text = text
        lines = text.splitlines()
        self.reprcrash = _Crash(lines[1] if len(lines) > 1 and lines[0].startswith("--- ") else lines[0] if lines else "")

    def toterminal(self, tw: Any) -> None:
        """Write the details, line by line."""
        for line in self.text.splitlines():
            tw.line(line)

    def __str__(self) -> str:
        return self.text


class _Crash:
    """What pytest's short summary reads: `message`, one line."""

    def __init__(self, message: str) -> None:
        self.message = message


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    """A failed property shows its snippet once: in FAILURES, while the short summary gets one line."""
    outcome = yield
    report = outcome.get_result()
    excinfo = call.excinfo
    if (item.get_closest_marker(MARKER) is not None and report.failed and excinfo is not None
            and excinfo.errisinstance(pytest.fail.Exception)):
        report.longrepr = _Details(str(excinfo.value))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """Collect Hypothesis's statistics for a property, as its plugin does for @given tests."""
    if item.get_closest_marker(MARKER) is None:
        yield
        return
    with _statistics_into(item):
        yield


@contextmanager
def _statistics_into(item: pytest.Item) -> Iterator[None]:
    """Put the statistics where Hypothesis's plugin prints them (--hypothesis-show-statistics)."""
    try:  # Hypothesis's own, if not a promised API: without it there are simply no statistics
        from hypothesis.statistics import collector, describe_statistics
    except ImportError:
        yield
        return

    def note(stats: dict[str, Any]) -> None:
        setattr(item, "hypothesis_statistics", describe_statistics(cast(Any, {**stats, "nodeid": item.nodeid})))

    with cast(Any, collector).with_value(note):
        yield
