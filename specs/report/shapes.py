"""The Hypothesis statistics worth reading: which graph shapes the examples had."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from specs.report.results import PropertyResult

# The shapes the semantics care about first (see specs.graphs.ir.features), then layouts and dtypes.
ORDER: Final = (
    "diamond", "add(x, x)", "chain of squares", "fan-out", "shared subexpression",
    "inputs of unequal generations", "unused leaf", "output not the last node",
    "0-d", "1-d", "2-d", "3-d", "float64", "float32",
)


def ordered(names: Iterable[str]) -> list[str]:
    """Feature names in ORDER, unknown ones last (alphabetically)."""
    rank = {name: i for i, name in enumerate(ORDER)}
    return sorted(set(names), key=lambda name: (rank.get(name, len(ORDER)), name))


def share(result: PropertyResult, feature: str) -> float:
    """The share of the result's examples that showed `feature` (0 when none ran)."""
    return min(result.statistics.get(feature, 0) / result.examples, 1.0) if result.examples > 0 else 0.0


def feature_rows(result: PropertyResult) -> list[tuple[str, int, float]]:
    """(feature, examples showing it, share of the examples) for each feature seen, in ORDER."""
    if result.examples <= 0:
        return []
    return [(name, result.statistics[name], share(result, name)) for name in ordered(result.statistics)]

