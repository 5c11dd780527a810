"""Pins the types of the suite's public API; mypy reads this file, nobody runs it."""

from __future__ import annotations

from typing import assert_type

from hypothesis.strategies import SearchStrategy

import specs
from specs.graphs.ir import ConfigBlock, Graph, Program
from specs.graphs.strategies import ConfigScenario, config_scenarios, graphs, non_ndarrays, programs
from specs.properties import PROPERTIES, Property
from specs.report.report import Report
from specs.report.results import PropertyResult, Status
from specs.target.adapters.protocol import Engine

report = specs.check("refengine", max_examples=10, seed=0, only=("forward-values-match-numpy",), timeout=1.0)
assert_type(report, Report)
assert_type(report, specs.Report)  # the README's spelling: re-exported at the top of specs
assert_type(report.properties, list[specs.PropertyResult])
assert_type(report.passed, bool)
assert_type(report.properties, list[PropertyResult])
assert_type(report.properties[0].status, Status)
assert_type(report.to_json(), dict[str, object])
assert_type(specs.check({"Variable": object}), Report)
assert_type(specs.open_engine("refengine"), tuple[Engine, list[str]])

assert_type(graphs(max_nodes=4, dtypes=["float32"]), SearchStrategy[Graph])
assert_type(programs(max_steps=5), SearchStrategy[Program])
assert_type(config_scenarios(max_depth=2), SearchStrategy[ConfigScenario])
assert_type(non_ndarrays(), SearchStrategy[object])
assert_type(PROPERTIES, tuple[Property, ...])

block: ConfigBlock = "no_grad"
graphs(dtypes=["float16"])  # type: ignore[list-item]  # only float64 and float32 are drawn
