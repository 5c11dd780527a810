"""Results: one record per property and the run's verdict, as data (how they are shown: `console`, `html`, `report`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal, TypeAlias

from specs.properties import Tier

Status: TypeAlias = Literal["passed", "failed", "error", "skipped", "not-applicable"]
STATUSES: Final[tuple[Status, ...]] = ("passed", "failed", "error", "skipped", "not-applicable")
# What a reader is shown: an extended property that "failed" differs from refengine where the
# book's own code does too. It is never a FAIL; the JSON keeps status "failed" with tier "extended".
Shown: TypeAlias = Literal["passed", "failed", "beyond", "error", "skipped", "not-applicable"]
SHOWN: Final[tuple[Shown, ...]] = ("passed", "failed", "beyond", "error", "skipped", "not-applicable")
BEYOND: Final = "differs from refengine, beyond the book"
GATING_TIERS: Final[frozenset[Tier]] = frozenset({"core", "memory"})
JSON_KEYS: Final = ("id", "tier", "status", "examples", "seconds", "message", "counterexample")


@dataclass(frozen=True, slots=True)
class PropertyResult:
    """How one property fared: status, examples run, seconds, and the counterexample if any."""

    id: str
    tier: Tier
    status: Status
    examples: int
    seconds: float
    message: str = ""
    counterexample: str | None = None
    statistics: dict[str, int] = field(default_factory=dict)  # graph features: examples showing each
    dot: str | None = None  # the counterexample drawn as a Graphviz graph, when it has one
    details: str = ""  # for an error of the suite: its full traceback (JSON and HTML only, never the console)
    replayed: str = ""  # what replaying the snippet showed: "reproduced", "not reproduced: ...", or "" (not replayed)
    # where the target raised: "TypeError at engine.py:33" (the innermost frame of the target's code), or ""
    # when it raised nothing or only outside its code; failures sharing it have one root cause
    raised_at: str = ""

    @property
    def shown(self) -> Shown:
        """The status a reader sees: "beyond" for an extended property that differs, else `status`."""
        return "beyond" if self.tier == "extended" and self.status == "failed" else self.status


@dataclass
class Results:
    """What checking one target found, as data; `passed` means every core and memory property passed.

    `specs.report.report.Report` adds how it is shown (console, JSON, HTML).
    """

    target: str
    properties: list[PropertyResult]
    notes: list[str] = field(default_factory=list)
    # what the targeted experiments showed right after loading (specs.target.evidence), for the diagnoses
    evidence: dict[str, str] = field(default_factory=dict)

    @property
    def beyond(self) -> int:
        """How many extended properties differ from refengine (beyond the book: not failures)."""
        return sum(r.shown == "beyond" for r in self.properties)

    @property
    def verdict(self) -> str:
        """The verdict line: "conformant" or "NOT conformant", and how many checks beyond the book differ."""
        verdict = "conformant" if self.passed else "NOT conformant"
        if self.beyond:
            checks = "check" if self.beyond == 1 else "checks"
            verdict += f"; {self.beyond} {checks} beyond the book {'differs' if self.beyond == 1 else 'differ'}"
        return verdict

    def counts(self) -> str:
        """How many properties ended in each shown status: "12 passed, 2 beyond the book"."""
        return ", ".join(f"{n} {'beyond the book' if shown == 'beyond' else shown}" for shown in SHOWN
                         if (n := sum(r.shown == shown for r in self.properties)))

    @property
    def passed(self) -> bool:
        """Whether the target conforms: every core and memory property run passed or cannot apply.

        A skipped one (the run was stopped before it finished) is not a pass: a gate must not
        turn green on a run it cut short.
        """
        return all(r.status in ("passed", "not-applicable") for r in self.properties if r.tier in GATING_TIERS)
