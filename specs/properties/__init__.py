"""Properties: every rule of step 18 the suite checks, in report order; ids are part of the public contract.

May import: specs.target (only through the `Engine` adapter, the replay and the watchdog) and specs.graphs.
"""

from __future__ import annotations

from typing import Final

from specs.properties import (
    config,
    exhaustive,
    extended,
    generations,
    graphs,
    memory,
    recursion,
    seeding,
    sequences,
    using_config,
    variable,
)
from specs.properties.base import TIERS, Property, Tier, Trial, Violation

PROPERTIES: Final[tuple[Property, ...]] = (
    *graphs.PROPERTIES,
    *seeding.PROPERTIES,
    *generations.PROPERTIES,
    *exhaustive.PROPERTIES,
    *config.PROPERTIES,
    *using_config.PROPERTIES,
    *variable.PROPERTIES,
    *recursion.PROPERTIES,
    *sequences.PROPERTIES,
    *memory.PROPERTIES,
    *extended.PROPERTIES,
)
BY_ID: Final[dict[str, Property]] = {p.id: p for p in PROPERTIES}

__all__ = ["BY_ID", "PROPERTIES", "TIERS", "Property", "Tier", "Trial", "Violation"]
