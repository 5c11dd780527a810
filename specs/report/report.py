"""The report `specs.check` returns: the results with their console, JSON and HTML forms."""

from __future__ import annotations

from pathlib import Path

from specs.report.console import render_text
from specs.report.diagnoses import diagnose
from specs.report.files import write_json
from specs.report.html import render_compact
from specs.report.results import JSON_KEYS, Results


class Report(Results):
    """The outcome of checking one target, as data (`Results`) and as the console, JSON and Jupyter show it."""

    def to_json(self) -> dict[str, object]:
        """The JSON report's content (the public contract's keys)."""
        return {
            "target": self.target,
            "conformant": self.passed,
            "properties": [{**{key: getattr(r, key) for key in JSON_KEYS}, **({"details": r.details} if r.details else {})}
                           for r in self.properties],
            "notes": list(self.notes),
            "diagnoses": [d.to_json() for d in diagnose(self)],
            "evidence": dict(self.evidence),
        }

    def write_json(self, path: Path) -> None:
        """Write the JSON report atomically: readers never see half a file."""
        write_json(self.to_json(), path)

    def __repr__(self) -> str:
        return render_text(self)

    def _repr_html_(self) -> str:
        """A compact table for Jupyter: property, status, examples, time; each failure's snippet and graph."""
        return render_compact(self)
