"""Run each property in a child process, so nothing a target does can take the run down.

A target that calls os._exit, segfaults, exhausts its memory cap, floods stdout or hangs in
C code costs the property it was running (reported as failed, with what happened) and
nothing else: the other properties run in fresh children, which also keeps one property's
global state (numpy's print options and error state, Config, atexit handlers) from reaching
the next. Children run side by side, up to `jobs` at once.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Final

from specs.database import DatabaseSpec
from specs.loader import TargetLoadError
from specs.properties import Property
from specs.report import PropertyResult, Report, Status
from specs.runner import note_flag_resets

GRACE: Final = 2.0  # seconds a child may overrun an example's limit before it is killed
OUTPUT_TAIL: Final = 2000  # characters of a dead child's output kept for the report
LOAD_LIMIT: Final = 120.0  # seconds a child may take to load the target (a notebook may train)


@dataclass(frozen=True, slots=True)
class Settings:
    """What each child is told, and the limits the parent enforces."""

    target: str
    max_examples: int = 100
    seed: int | None = None
    timeout: float = 5.0
    database: DatabaseSpec = None  # a directory or a Redis URL
    max_memory_mb: int = 4096
    max_seconds: float | None = None
    jobs: int = 1


@dataclass
class _Child:
    """One running property: its process, its event pipe, and what it said so far."""

    prop: Property
    process: subprocess.Popen[bytes]
    events: int  # the read end of the event pipe
    started: float
    last_sign: float  # when the child last showed progress
    buffer: bytes = b""
    output: list[bytes] = field(default_factory=list)
    label: str | None = None
    notes: list[str] = field(default_factory=list)
    result: PropertyResult | None = None
    flag_resets: int = 0
    load_error: str | None = None


class Interrupted(Exception):
    """Ctrl-C stopped the run; `report` holds what had finished."""

    def __init__(self, report: Report) -> None:
        super().__init__("interrupted")
        self.report = report


def _drain(stream: IO[bytes], keep: list[bytes]) -> None:
    """Read a child's output to the end, keeping only the tail (a flood must not fill memory)."""
    for chunk in iter(lambda: stream.read(4096), b""):
        keep.append(chunk)
        while sum(map(len, keep)) > 2 * OUTPUT_TAIL and len(keep) > 1:
            keep.pop(0)


def _start(prop: Property, settings: Settings) -> _Child:
    read_end, write_end = os.pipe()
    process = subprocess.Popen(
        [sys.executable, "-m", "specs.worker", str(write_end)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        pass_fds=(write_end,),
        start_new_session=True,  # Ctrl-C reaches the parent only; it stops the children itself
    )
    os.close(write_end)
    request = {
        "target": settings.target,
        "property": prop.id,
        "max_examples": settings.max_examples,
        "seed": settings.seed,
        "timeout": settings.timeout,
        "database": None if settings.database is None else str(settings.database),
        "max_memory_mb": settings.max_memory_mb,
    }
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write((json.dumps(request) + "\n").encode())
    process.stdin.close()
    now = time.monotonic()
    child = _Child(prop, process, read_end, now, now)
    threading.Thread(target=_drain, args=(process.stdout, child.output), daemon=True).start()
    return child


def _take_events(child: _Child, on_example: Callable[[str], None] | None = None) -> bool:
    """Read what the child wrote; return False at the end of its events."""
    data = os.read(child.events, 65536)
    if not data:
        return False
    child.buffer += data
    *lines, child.buffer = child.buffer.split(b"\n")
    for line in lines:
        event = json.loads(line)
        child.last_sign = time.monotonic()
        if event["event"] == "loaded":
            child.label, child.notes = event["label"], list(event["notes"])
        elif event["event"] == "load-error":
            child.load_error = event["message"]
        elif event["event"] == "example" and on_example is not None:
            on_example(child.prop.id)
        elif event["event"] == "result":
            child.result = PropertyResult(**event["result"])
            child.flag_resets = int(event["flag_resets"])
    return True


def _stop(child: _Child) -> None:
    """End the child (if it still runs) and close its pipe; safe to call twice."""
    if child.process.poll() is None:
        child.process.kill()
    child.process.wait()
    if child.events >= 0:
        os.close(child.events)
        child.events = -1


def _tail(child: _Child) -> str:
    text = b"".join(child.output).decode(errors="replace")[-OUTPUT_TAIL:].strip()
    return f"\nits last output:\n{text}" if text else ""


def _how_it_ended(child: _Child) -> str:
    code = child.process.returncode
    if code is not None and code < 0:
        return f"died with signal {-code} ({signal.Signals(-code).name})"
    return f"exited with status {code}"


def _death(child: _Child) -> PropertyResult:
    """The result for a child that ended without reporting one."""
    message = f"the target process {_how_it_ended(child)} while running {child.prop.id}{_tail(child)}"
    return PropertyResult(child.prop.id, child.prop.tier, "failed", 0, round(time.monotonic() - child.started, 3), message)


def _overrun(child: _Child, why: str, status: Status) -> PropertyResult:
    """Kill a child that overran a limit; the property gets `status` and the reason."""
    _stop(child)
    seconds = round(time.monotonic() - child.started, 3)
    return PropertyResult(child.prop.id, child.prop.tier, status, 0, seconds, why + _tail(child))


def run_isolated(
    properties: tuple[Property, ...],
    settings: Settings,
    on_result: Callable[[PropertyResult], None] | None = None,
    on_example: Callable[[str], None] | None = None,
) -> Report:
    """Run `properties` in child processes; results come back (and are reported) in order.

    Ctrl-C only sets a flag that the loop reads between polls: an exception raised at an
    arbitrary point could leave a lock (say, in tempfile while the JSON report is written)
    held, and the clean-up would then deadlock on it.
    """
    report = Report(target=settings.target, properties=[])
    deadline = None if settings.max_seconds is None else time.monotonic() + settings.max_seconds
    waiting = list(properties)
    running: list[_Child] = []
    done: dict[str, PropertyResult] = {}
    resets = 0
    with _ctrl_c_sets_a_flag() as interrupted:
        try:
            while (waiting or running) and not interrupted.is_set():
                while waiting and len(running) < max(settings.jobs, 1):
                    running.append(_start(waiting.pop(0), settings))
                for child in list(running):
                    finished = _poll(child, settings, deadline, on_example)
                    if finished is None:
                        continue
                    running.remove(child)
                    if child.label is not None and report.target == settings.target:
                        report.target, report.notes = child.label, child.notes
                    resets += child.flag_resets
                    done[child.prop.id] = finished
                    _flush_in_order(properties, done, report, on_result)
                if running:
                    _wait_for_any(running, 0.05)
        finally:
            for child in running:
                _stop(child)
    if interrupted.is_set():
        for prop in properties:
            done.setdefault(prop.id, PropertyResult(prop.id, prop.tier, "skipped", 0, 0.0, "the run was interrupted"))
        _flush_in_order(properties, done, report, on_result)
        raise Interrupted(report)
    note_flag_resets(report, resets)
    return report


@contextmanager
def _ctrl_c_sets_a_flag() -> Iterator[threading.Event]:
    """While inside, SIGINT sets the yielded event instead of raising KeyboardInterrupt."""
    interrupted = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield interrupted  # only the main thread may set handlers; Ctrl-C goes there anyway
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: interrupted.set())
    try:
        yield interrupted
    finally:
        signal.signal(signal.SIGINT, previous)


def _wait_for_any(children: list[_Child], seconds: float) -> None:
    select.select([c.events for c in children], [], [], seconds)


def _poll(
    child: _Child, settings: Settings, deadline: float | None, on_example: Callable[[str], None] | None = None
) -> PropertyResult | None:
    """Advance one child; return its result once it has one (or has died, or overran)."""
    readable, _, _ = select.select([child.events], [], [], 0)
    if readable and not _take_events(child, on_example):
        _stop(child)
        if child.load_error is not None:
            raise TargetLoadError(child.load_error)
        if child.label is None and child.result is None:
            raise TargetLoadError(f"the target process {_how_it_ended(child)} while loading")
        return child.result or _death(child)
    now = time.monotonic()
    if deadline is not None and now > deadline:
        return _overrun(child, f"the run's --max-seconds limit ran out while {child.prop.id} ran", "skipped")
    if child.label is None and now - child.started > LOAD_LIMIT:
        raise TargetLoadError(f"loading the target took longer than {LOAD_LIMIT:g} s")
    limit = settings.timeout * child.prop.time_scale + GRACE
    if child.label is not None and now - child.last_sign > limit:
        why = (f"the target did not finish an example within {limit:g} s and ignored the watchdog "
               "(stuck outside Python?); its process was killed")
        return _overrun(child, why, "failed")
    return None


def _flush_in_order(
    properties: tuple[Property, ...], done: dict[str, PropertyResult], report: Report,
    on_result: Callable[[PropertyResult], None] | None,
) -> None:
    """Move finished results to the report in property order, announcing each once."""
    for prop in properties[len(report.properties):]:
        if prop.id not in done:
            return
        report.properties.append(done[prop.id])
        if on_result is not None:
            on_result(done[prop.id])
