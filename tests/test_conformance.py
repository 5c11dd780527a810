"""refengine passes every property of the conformance suite, extended ones included.

The suite runs in this process (`specs.check` without `isolate`) against `import refengine`,
so under mutation testing it checks the mutated copy, and the mutation tester sees which
properties exercise which functions. Examples per property follow the Hypothesis profile.
"""

from __future__ import annotations

import pytest
from hypothesis import settings

import refengine
import specs
from specs.properties import PROPERTIES
from specs.target.loader import load_target


def test_the_default_target_is_the_refengine_the_tests_import() -> None:
    target = load_target(None)
    assert target.namespace["Variable"] is refengine.Variable


@pytest.mark.parametrize("property_id", [p.id for p in PROPERTIES])
def test_refengine_passes(property_id: str) -> None:
    report = specs.check(None, only=(property_id,), max_examples=settings().max_examples, seed=0, database=None)
    [result] = report.properties
    assert result.status == "passed", f"{result.message}\n{result.counterexample or ''}"
