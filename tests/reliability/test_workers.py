"""Workers: the target loads once per worker, a load that never ends is named, SIGTERM leaves no process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from specs.__main__ import main
from specs.run.isolation import where_it_was

THREE = ["--only", "forward-values-match-numpy", "--only", "variable-rejects-non-ndarray",
         "--only", "no-grad-builds-no-graph"]


def test_a_worker_loads_the_target_once_for_all_its_properties(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "loads.txt"
    path = tmp_path / "counted.py"
    path.write_text(f"from refengine import *\nwith open({str(log)!r}, 'a') as f:\n    f.write('loaded\\n')\n")
    assert main(["check", str(path), *THREE, "--jobs", "1", "--max-examples", "5", "--database", "none"]) == 0
    assert log.read_text() == "loaded\n"
    assert "conformant (3 passed)" in capsys.readouterr().out


def test_a_load_that_never_finishes_is_stopped_naming_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "slow.py"
    path.write_text("from refengine import *\ndef train(model):\n    while True:\n        pass\ntrain(None)\n")
    assert main(["check", str(path), "--only", "forward-values-match-numpy", "--load-timeout", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "loading did not finish within 1 s; it was running slow.py line 3: `while True:`" in err or \
        "it was running slow.py line 4: `pass`" in err, err


def test_where_it_was_picks_the_targets_innermost_frame() -> None:
    dump = ('Current thread 0x1 (most recent call first):\n  File "/usr/lib/python3/threading.py", line 9 in wait\n'
            '  File "/x/hw/slow.py", line 12 in train\n  File "/x/hw/slow.py", line 20 in <module>\n'
            '  File "/site/specs/target/loader.py", line 97 in _run\n')
    assert where_it_was(dump, "/x/hw/slow.py") == "it was running slow.py line 12"  # no such file: no code shown
    assert where_it_was(dump, "other.py") == "it was running /usr/lib/python3/threading.py line 9"
    assert where_it_was("", "slow.py") == ""


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status  # a zombie has ended; its new parent reaps it


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_sigterm_stops_every_worker_and_child_and_exits(tmp_path: Path) -> None:
    fifo = tmp_path / "ready"
    os.mkfifo(fifo)
    pids = tmp_path / "pids.txt"
    path = tmp_path / "stuck.py"
    path.write_text(
        "import os\nfrom refengine import *\nimport refengine\n"
        f"with open({str(pids)!r}, 'a') as f:\n    f.write(f'{{os.getpid()}}\\n')\n"
        "def square(x):\n"
        f"    with open({str(pids)!r}, 'a') as f:\n        f.write(f'{{os.getpid()}}\\n')\n"
        f"    with open({str(fifo)!r}, 'w') as f:\n        f.write('running\\n')\n"
        "    while True:\n        pass\n"
    )
    report = tmp_path / "report.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "specs", "check", str(path), "--only", "forward-values-match-numpy", "--timeout", "600",
         "--database", "none", "--json", str(report)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert fifo.read_text() == "running\n"  # blocks until a child runs the hanging square
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 143, err
    assert "interrupted" in err
    started = [int(line) for line in pids.read_text().split()]
    assert len(started) >= 2  # the worker that loaded the target, and the child that ran square
    assert not [pid for pid in started if _alive(pid)]
    assert json.loads(report.read_text())["properties"][0]["status"] == "skipped"
