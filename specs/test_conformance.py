"""Each property as one pytest test; collected by `pytest --pyargs specs`."""

from __future__ import annotations

import dataclasses

import pytest

from specs.properties import BY_ID, PROPERTIES
from specs.pytest_plugin import RESULT
from specs.report.console import render_details
from specs.report.results import BEYOND
from specs.run.runner import Options, run_property
from specs.target.adapters.dezero_style import DezeroStyle


@pytest.mark.specs_property
@pytest.mark.parametrize("property_id", [p.id for p in PROPERTIES])
def test_property(property_id: str, specs_engine: DezeroStyle, specs_options: Options,
                  request: pytest.FixtureRequest) -> None:
    """The target satisfies the property (an extended one that differs is shown BEYOND, never failed)."""
    result, _ = run_property(BY_ID[property_id], specs_engine, specs_options)
    request.node.user_properties.append((RESULT, dataclasses.asdict(result)))  # for the likely causes at the end
    if result.status == "passed":
        return
    if result.shown == "beyond":
        pytest.xfail(f"{BEYOND}\n{render_details(result)}")  # the plugin shows it as BEYOND
    pytest.fail(render_details(result), pytrace=False)
