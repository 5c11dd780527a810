"""The worker process for `specs.run.isolation`: load the target once, then fork a child per property.

    python -m specs.run.worker FD      (JSON lines on stdin; JSON-line events written to FD)

(`specs.run.isolation` starts it with `python -P -c`, so that a `specs` package in the
current folder is never imported in its place; see `main`.)

The first stdin line is the run's settings ({"target", "max_examples", "seed", "timeout",
"database", "database_key", "max_memory_mb", "stuck_file"}); each later line is one property
id. Events: {"event": "loading"}, then {"event": "loaded", "label", "notes", "evidence"} or
{"event": "load-error", "message"}; then,
per property, {"event": "started", "pid"}, one {"event": "example"} as each example starts,
{"event": "result", "result", "flag_resets"} from the child, and {"event": "ended", "status"}
(the child's exit status, or minus the signal that killed it) from the worker.

Each property runs in a child forked from the loaded worker, so a crash, a memory blow-up or
a hang costs that property only, and no property sees global state another one left. Until
the target has loaded, SIGUSR1 dumps the worker's stack into the `stuck_file` (so the parent
can say which line a load that never finishes was running). Processes leave with os._exit,
so a target's atexit handlers never run; when stdin closes (the parent died or is done) the
worker kills its running child and leaves.
"""

from __future__ import annotations

import dataclasses
import faulthandler
import json
import os
import resource
import select
import signal
import sys
import traceback
from collections.abc import Callable
from typing import IO, Final, NoReturn

from specs.properties import BY_ID, PROPERTIES
from specs.run.database import open_database
from specs.run.runner import Options, run_property
from specs.target.adapters.protocol import Engine
from specs.target.engines import evidence_of, open_engine
from specs.target.loader import TargetLoadError

POLL: Final = 0.02  # seconds between checks on a child where pidfd_open is missing


def _send(channel: IO[str], **event: object) -> None:
    channel.write(json.dumps(event) + "\n")
    channel.flush()


def _cap_memory(megabytes: int) -> None:
    """Cap the address space, so a runaway target gets MemoryError instead of the machine's RAM."""
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


class _Lines:
    """Lines read from a file descriptor without Python's buffering (so select() tells the truth)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""
        self.closed = False

    def pending(self) -> bytes | None:
        """A complete line already read, if any."""
        if b"\n" in self.buffer:
            line, self.buffer = self.buffer.split(b"\n", 1)
            return line
        return None

    def feed(self) -> None:
        """Read what is there (call when select says readable); notes the end of input."""
        data = os.read(self.fd, 65536)
        self.buffer += data
        self.closed = self.closed or not data

    def next(self) -> bytes | None:
        """The next line, waiting for it; None at the end of input."""
        while (line := self.pending()) is None:
            if self.closed:
                return None
            self.feed()
        return line


def _status(wait_status: int) -> int:
    """An exit code, or minus the signal that ended the process (as subprocess reports it)."""
    if os.WIFSIGNALED(wait_status):
        return -os.WTERMSIG(wait_status)
    return os.waitstatus_to_exitcode(wait_status)


def _wait(pid: int, lines: _Lines) -> int | None:
    """Wait for child `pid`; None if stdin closed meanwhile (the child is then killed)."""
    try:
        ended = os.pidfd_open(pid)
    except (AttributeError, OSError):
        ended = -1
    try:
        while True:
            done, wait_status = os.waitpid(pid, os.WNOHANG)
            if done:
                return _status(wait_status)
            watched = [lines.fd] + ([ended] if ended >= 0 else [])
            readable, _, _ = select.select(watched, [], [], None if ended >= 0 else POLL)
            if lines.fd in readable:
                lines.feed()
                if lines.closed:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    return None
    finally:
        if ended >= 0:
            os.close(ended)


def _child(prop_id: str, engine: Engine, request: dict[str, object], channel: IO[str]) -> None:
    """In the forked child: run one property and send its result."""
    key = request["database_key"] or request["target"]
    options = Options(
        max_examples=int(str(request["max_examples"])),
        seed=None if request["seed"] is None else int(str(request["seed"])),
        timeout=float(str(request["timeout"])),
        database=open_database(None if request["database"] is None else str(request["database"]), target=str(key)),
        on_example=lambda: _send(channel, event="example"),
    )
    result, tally = run_property(BY_ID[prop_id], engine, options)
    _send(channel, event="result", result=dataclasses.asdict(result), flag_resets=tally.flag_resets)


def _warm_up() -> None:
    """Do once, before forking, what every child would otherwise do for itself: validate the
    properties' strategies and run one tiny Hypothesis test (Hypothesis imports and builds
    much of itself on first use; on a busy machine that alone can look like a hang)."""
    from hypothesis import given, settings, strategies as st

    for prop in PROPERTIES:
        prop.trials.validate()

    @settings(max_examples=1, database=None, deadline=None)
    @given(st.text(max_size=1), st.floats(allow_nan=False))
    def tiny(text: str, number: float) -> None:
        """Nothing to check: only the first run's costs matter."""

    tiny()


def _requests_off_stdin() -> int:
    """Move the parent's requests off fd 0 and give fd 0 /dev/null: the requests are not the target's input.

    A target's top-level `input()` then raises EOFError at once (a failing statement, noted like
    any other) instead of waiting on the requests pipe until the load's time limit.
    """
    requests = os.dup(0)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    return requests


def serve(fd: int) -> None:
    """Load the target, then fork a child for each property asked for, until the requests end."""
    lines = _Lines(_requests_off_stdin())
    first = lines.next()
    if first is None:
        return
    request = json.loads(first)
    channel = os.fdopen(fd, "w")
    _cap_memory(int(request["max_memory_mb"]))
    with open(request["stuck_file"], "w") as stuck:
        faulthandler.register(signal.SIGUSR1, file=stuck, all_threads=False)
        _send(channel, event="loading")  # the load's time limit counts from here
        try:
            engine, notes = open_engine(request["target"], apart=True)  # as every property: in a child
        except TargetLoadError as error:
            _send(channel, event="load-error", message=str(error))
            return
        finally:
            faulthandler.unregister(signal.SIGUSR1)
    _warm_up()
    _send(channel, event="loaded", label=engine.label, notes=notes, evidence=evidence_of(engine))
    while (line := lines.next()) is not None:
        prop_id = line.decode().strip()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            os.close(lines.fd)  # the requests are the worker's, never a child's
            _run_then_exit(lambda: _child(prop_id, engine, request, channel))
        _send(channel, event="started", pid=pid)
        status = _wait(pid, lines)
        if status is None:
            return
        _send(channel, event="ended", status=status)


def _run_then_exit(body: Callable[[], None]) -> NoReturn:
    """Run `body`, then leave this process at once: a forked child never returns into its parent's loop."""
    try:
        body()
    except BaseException:  # a bug of the suite's: the parent shows this in the output's tail
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def main(home: str) -> NoReturn:
    """The worker's start, once `specs.run.isolation` has imported this module from `home` (see WORKER_CODE there).

    `home`, the folder of the parent's own `specs` package, was put first in `sys.path` only to
    import the suite, so that a `specs` package in the current folder (an engine author's own
    tests, often) never replaces it. It goes, and the current folder comes first, as under
    `python -m`: a target named as a module imports from there.
    """
    sys.path.remove(home)
    sys.path.insert(0, os.getcwd())
    _run_then_exit(lambda: serve(int(sys.argv[1])))


if __name__ == "__main__":
    _run_then_exit(lambda: serve(int(sys.argv[1])))
