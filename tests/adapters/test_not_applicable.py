"""A fake in-memory adapter: names it declares unsupported make properties not-applicable, never passed."""

from __future__ import annotations

from collections.abc import Mapping

import refengine
from specs.properties import BY_ID
from specs.run.runner import Options, run
from specs.target.adapters.dezero_style import DezeroStyle
from specs.target.adapters.protocol import Engine

NO_GRAD_MODE = "this fake engine always records the graph"


class AlwaysRecording(DezeroStyle):
    """refengine without a grad mode: Config, no_grad and using_config are declared unsupported."""

    def __init__(self) -> None:
        names = ("Variable", "Function", "add", "square")
        super().__init__({name: getattr(refengine, name) for name in names}, "always-recording")

    def unsupported(self) -> Mapping[str, str]:
        """The grad-mode names, with the reason."""
        return dict.fromkeys(("Config", "no_grad", "using_config"), NO_GRAD_MODE)


def test_the_fake_satisfies_the_protocol() -> None:
    engine: Engine = AlwaysRecording()
    assert engine.names() == {"Variable", "Function", "add", "square"}


def test_properties_needing_a_declared_name_are_not_applicable_with_the_reason() -> None:
    report = run(AlwaysRecording(), Options(max_examples=5))
    by_id = {result.id: result for result in report.properties}
    needing = {p.id for p in BY_ID.values() if p.needs & {"Config", "no_grad", "using_config"}}
    assert needing and all(by_id[i].status == "not-applicable" for i in needing)
    assert all(NO_GRAD_MODE in by_id[i].message and by_id[i].examples == 0 for i in needing)
    assert all(r.status == "passed" for r in report.properties if r.id not in needing)
    assert report.passed


def test_a_name_neither_provided_nor_declared_fails() -> None:
    engine = DezeroStyle({"Variable": refengine.Variable, "add": refengine.add}, "no-square")
    report = run(engine, Options(max_examples=5, only=("forward-values-match-numpy",)))
    [result] = report.properties
    assert result.status == "failed" and "`square`" in result.message
