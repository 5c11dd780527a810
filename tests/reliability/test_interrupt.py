"""Ctrl-C stops the run cleanly: exit 130, and what finished is printed and saved."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path


def test_ctrl_c_prints_and_saves_what_finished(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "specs", "check", "--max-examples", "800", "--database", "none", "--jobs", "1",
         "--json", str(report)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().startswith("checking refengine")
    first = process.stdout.readline()  # blocks until the first property has finished
    assert first.startswith("PASS  forward-values-match-numpy")
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "interrupted" in err and "NOT conformant" in out
    saved = json.loads(report.read_text())
    assert saved["properties"][0] == {**saved["properties"][0], "id": "forward-values-match-numpy", "status": "passed"}
    assert any(p["status"] == "skipped" and "interrupted" in p["message"] for p in saved["properties"])
