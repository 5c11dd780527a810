"""From a target spec to an `Engine`: a registered adapter by name, else the book's names on a loaded target."""

from __future__ import annotations

from specs.target.adapters.dezero_style import DezeroStyle
from specs.target.adapters.protocol import Engine
from specs.target.adapters.registry import ADAPTERS, named_engine
from specs.target.evidence import gather, gather_apart
from specs.target.loader import Target, TargetSpec, load_target
from specs.target.probe import lead_notes


def engine_for(target: Target, *, apart: bool = False) -> DezeroStyle:
    """The adapter that drives a loaded target through the book's names, with what the targeted experiments
    showed on it (`evidence_of`); with `apart`, they run in a forked child (the worker's way)."""
    engine = DezeroStyle(target.namespace, target.label, target.import_line)
    run = gather_apart if apart else gather
    engine.findings.evidence.update(run(target.namespace, engine.findings.ops, target.failures))
    return engine


def open_engine(spec: TargetSpec, *, apart: bool = False) -> tuple[Engine, list[str]]:
    """The engine a target spec names, and the loader's notes: a registered adapter's name, or
    anything `load_target` takes (driven through the book's names, after the targeted experiments;
    `apart`: in a forked child, so that a target killing its process costs only the evidence)."""
    if isinstance(spec, str) and spec in ADAPTERS:
        return named_engine(spec), []
    target = load_target(spec)
    engine = engine_for(target, apart=apart)
    return engine, lead_notes(engine.findings) + target.notes


def evidence_of(engine: Engine) -> dict[str, str]:
    """What the targeted experiments showed on `engine`'s target (empty for a registered adapter)."""
    return dict(engine.findings.evidence) if isinstance(engine, DezeroStyle) else {}
