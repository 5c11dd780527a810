"""Progress: a live status line on a terminal outside CI; the plain lines everywhere else."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
import time

import pytest

from specs.report.console import result_line
from specs.report.results import PropertyResult
from specs.run.progress import Progress, wants_live

RESULT = PropertyResult("forward-values-match-numpy", "core", "passed", 25, 0.3)
LIVE_LINE = "\r\x1b[2K"


class _Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_a_terminal_outside_ci_is_live_and_a_pipe_or_ci_is_not(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert wants_live(_Terminal()) and not wants_live(io.StringIO())
    monkeypatch.setenv("CI", "true")
    assert not wants_live(_Terminal())
    monkeypatch.delenv("CI")
    monkeypatch.setenv("TERM", "dumb")
    assert not wants_live(_Terminal())


def test_the_status_line_counts_properties_examples_and_seconds() -> None:
    stream = _Terminal()
    progress = Progress(2, stream, live=True)
    for _ in range(7):
        progress.example()
    assert progress.status().startswith("property 1 of 2, 7 examples so far, ")
    progress.result(RESULT)
    assert progress.status().startswith("property 2 of 2, 25 examples so far, ")
    progress.close()
    text = stream.getvalue()
    assert result_line(RESULT) + "\n" + LIVE_LINE + "property 2 of 2, 25 examples so far" in text
    assert text.endswith(LIVE_LINE)  # the status line is gone at the end


def test_examples_of_properties_running_side_by_side_add_up() -> None:
    progress = Progress(3, io.StringIO(), live=False)
    progress.example("a")
    progress.example("b")
    progress.example("b")
    assert progress.examples == 3
    progress.result(PropertyResult("b", "core", "passed", 10, 0.1))
    assert progress.examples == 11


def test_the_count_never_goes_down_when_a_failure_ran_more_examples_than_its_verdict_counts() -> None:
    progress = Progress(2, io.StringIO(), live=False)
    for _ in range(30):  # a failing property: its search and shrinking ran 30 examples
        progress.example("a")
    progress.result(PropertyResult("a", "core", "failed", 2, 0.1))  # the verdict rests on 2
    assert progress.examples == 30


def test_off_a_terminal_only_the_result_lines_are_printed() -> None:
    stream = io.StringIO()
    progress = Progress(2, stream)
    progress.example()
    progress.result(RESULT)
    time.sleep(0.3)
    progress.close()
    assert stream.getvalue() == result_line(RESULT) + "\n"


def _run_on_a_terminal(env: dict[str, str]) -> str:
    """`python -m specs check` with its output on a pseudo-terminal; returns what it wrote."""
    leader, follower = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "specs", "check", "--only", "forward-values-match-numpy", "--only",
         "deep-graph-backward", "--max-examples", "10", "--database", "none", "--in-process"],
        stdout=follower, stderr=follower, env=env)
    os.close(follower)
    output = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 0.5)
        try:
            data = os.read(leader, 65536) if ready else b""
        except OSError:  # the terminal closed: the child is gone
            break
        if ready and not data:
            break
        output += data
        if not ready and child.poll() is not None:
            break
    child.wait(timeout=60)
    os.close(leader)
    assert child.returncode == 0, output
    return output.decode()


def test_on_a_real_terminal_the_command_shows_live_progress() -> None:
    env = {name: value for name, value in os.environ.items() if name != "CI"}
    output = _run_on_a_terminal({**env, "TERM": "xterm"})
    assert LIVE_LINE + "property 2 of 2, " in output and " examples so far, " in output
    assert "PASS  deep-graph-backward" in output


def test_under_ci_the_terminal_gets_plain_lines() -> None:
    output = _run_on_a_terminal({**os.environ, "CI": "true", "TERM": "xterm"})
    assert "\x1b" not in output and "examples so far" not in output and "PASS  deep-graph-backward" in output


def test_a_pipe_gets_plain_lines() -> None:
    env = {name: value for name, value in os.environ.items() if name != "CI"}
    done = subprocess.run([sys.executable, "-m", "specs", "check", "--only", "variable-rejects-non-ndarray",
                           "--max-examples", "5", "--database", "none"], capture_output=True, text=True, env=env,
                          check=False)
    assert done.returncode == 0 and "\r" not in done.stdout and "\x1b" not in done.stdout
    assert done.stdout.splitlines()[1].startswith("PASS  variable-rejects-non-ndarray")
