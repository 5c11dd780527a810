"""The pytest plugin: `pytest --pyargs specs --specs-target=TARGET` runs the properties as tests."""

from __future__ import annotations

import pytest

from specs import engine_for
from specs.adapters.dezero_style import DezeroStyle
from specs.loader import TargetLoadError, load_target
from specs.runner import Options


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the --specs-* options."""
    group = parser.getgroup("specs", "conformance of DeZero step-18 engines")
    group.addoption("--specs-target", default="refengine", help="refengine, a module, a .py file or a notebook")
    group.addoption("--specs-max-examples", type=int, default=100, help="examples per property")
    group.addoption("--specs-timeout", type=float, default=5.0, help="seconds an example may take")


@pytest.fixture(scope="session")
def specs_engine(request: pytest.FixtureRequest) -> DezeroStyle:
    """The target named by --specs-target, loaded once per session."""
    spec = str(request.config.getoption("--specs-target"))
    try:
        return engine_for(load_target(spec))
    except TargetLoadError as error:
        raise pytest.UsageError(f"--specs-target={spec}: {error}") from None


@pytest.fixture(scope="session")
def specs_options(request: pytest.FixtureRequest) -> Options:
    """The runner options from the --specs-* command-line options."""
    return Options(
        max_examples=int(request.config.getoption("--specs-max-examples")),
        timeout=float(request.config.getoption("--specs-timeout")),
    )
