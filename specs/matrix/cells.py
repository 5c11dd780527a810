"""The matrix's data: a column per target, a cell per property."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Cell:
    """One target's verdict on one property, as the matrix shows it."""

    status: str  # passed, failed, error, skipped, not-applicable, or "not run"
    message: str = ""
    counterexample: str | None = None
    footnote: int = 0  # failures and errors are numbered across the whole page


@dataclass
class Column:
    """One target: its engine, how it ran, and a cell per property id."""

    name: str
    label: str = ""
    versions: dict[str, str] = field(default_factory=dict)
    options: str = ""
    unavailable: str = ""
    conformant: bool | None = None
    cells: dict[str, Cell] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
