"""Every property of the suite, in report order; ids are part of the public contract."""

from __future__ import annotations

from typing import Final

from specs.properties import config, exhaustive, extended, graphs, memory, sequences, variable
from specs.properties.base import TIERS, Property, Tier, Trial, Violation

PROPERTIES: Final[tuple[Property, ...]] = (
    *graphs.PROPERTIES,
    *exhaustive.PROPERTIES,
    *config.PROPERTIES,
    *variable.PROPERTIES,
    *sequences.PROPERTIES,
    *memory.PROPERTIES,
    *extended.PROPERTIES,
)
BY_ID: Final[dict[str, Property]] = {p.id: p for p in PROPERTIES}

__all__ = ["BY_ID", "PROPERTIES", "TIERS", "Property", "Tier", "Trial", "Violation"]
