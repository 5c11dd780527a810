"""Run properties in worker processes, so nothing a target does can take the run down.

A worker (`specs.run.worker`) loads a target once and forks a child per property. A target that
calls os._exit, segfaults, exhausts its memory cap, floods stdout or hangs in C code costs the
property it was running (reported as failed, with what happened) and nothing else; every
child starts from the freshly loaded target, so no property sees the global state (numpy's
print options and error state, Config, atexit handlers) another one left. Up to `jobs`
workers run side by side: on one target they share its properties; on several (the
gradebook) each target gets its own workers, and a target that hangs, crashes or does not
load costs only its own results. SIGINT and SIGTERM stop every worker and child.
"""

from __future__ import annotations

import json
import linecache
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final

from specs.properties import Property
from specs.report.report import Report
from specs.report.results import PropertyResult, Status
from specs.run.database import DatabaseSpec
from specs.run.runner import note_flag_resets
from specs.target.loader import TargetLoadError

GRACE: Final = 2.0  # seconds a child may overrun an example's limit before it is killed
OUTPUT_TAIL: Final = 2000  # characters of a dead child's output kept for the report
LOAD_LIMIT: Final = 120.0  # default seconds a worker may take to load the target (a notebook may train)
STARTUP: Final = 60.0  # seconds more a worker may take to start (import the suite) before loading
DUMP_WAIT: Final = 1.0  # seconds to wait for a stuck worker's stack dump
HOME: Final = str(Path(__file__).resolve().parents[2])  # the folder holding this `specs` package
# -P: the current folder is not put first in sys.path, where a `specs` package of its own would
# replace the suite; the suite is imported from HOME, then the worker restores the folder
WORKER_CODE: Final = ("import sys; home = sys.argv.pop(1); sys.path.insert(0, home); "
                      "from specs.run.worker import main; main(home)")
_FRAME: Final = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+)')


@dataclass(frozen=True, slots=True)
class Settings:
    """What each worker is told, and the limits the parent enforces."""

    target: str
    max_examples: int = 100
    seed: int | None = None
    timeout: float = 5.0
    database: DatabaseSpec = None  # a directory or a Redis URL
    max_memory_mb: int = 4096
    max_seconds: float | None = None
    jobs: int = 1
    load_timeout: float = LOAD_LIMIT
    database_key: str | None = None  # the examples' key in the database; default: the target's file name


@dataclass
class Outcome:
    """One target's end: its report, or why it could not be loaded (`load_error`)."""

    report: Report
    load_error: str | None = None


class Interrupted(Exception):
    """Ctrl-C (or SIGTERM) stopped the run; `report` holds what had finished."""

    def __init__(self, report: Report, signum: int = signal.SIGINT, outcomes: list[Outcome] | None = None) -> None:
        super().__init__("interrupted")
        self.report = report
        self.signum = signum  # SIGINT or SIGTERM
        self.outcomes = [Outcome(report)] if outcomes is None else outcomes  # every target's, for the gradebook


@dataclass
class _Running:
    """The property a worker's child is running."""

    prop: Property
    started: float
    last_sign: float  # when the child last showed progress
    pid: int = 0
    result: PropertyResult | None = None
    flag_resets: int = 0
    forced: PropertyResult | None = None  # the result to give once the killed child has ended


@dataclass
class _Worker:
    """A worker process bound to one target, its event pipe, and what it said so far."""

    index: int  # the target's position
    process: subprocess.Popen[bytes]
    events: int  # the read end of the event pipe
    stuck_file: str
    started: float  # when it started, then when it started loading the target
    buffer: bytes = b""
    output: list[bytes] = field(default_factory=list)
    loading: bool = False  # it has started loading the target (its imports are done)
    loaded: bool = False
    running: _Running | None = None


@dataclass
class _Job:
    """One target's progress through the run."""

    settings: Settings
    waiting: list[Property]
    done: dict[str, PropertyResult] = field(default_factory=dict)
    report: Report | None = None
    load_error: str | None = None
    resets: int = 0
    finished: bool = False


def _drain(stream: IO[bytes], keep: list[bytes]) -> None:
    """Read a worker's output to the end, keeping only the tail (a flood must not fill memory)."""
    for chunk in iter(lambda: stream.read(4096), b""):
        keep.append(chunk)
        while sum(map(len, keep)) > 2 * OUTPUT_TAIL and len(keep) > 1:
            keep.pop(0)


def _start(index: int, settings: Settings) -> _Worker:
    read_end, write_end = os.pipe()
    handle, stuck_file = tempfile.mkstemp(prefix="specs-stack-", suffix=".txt")
    os.close(handle)
    process = subprocess.Popen(
        [sys.executable, "-P", "-c", WORKER_CODE, HOME, str(write_end)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        pass_fds=(write_end,),
        start_new_session=True,  # its own process group: Ctrl-C reaches the parent only, killpg ends all
    )
    os.close(write_end)
    request = {
        "target": settings.target,
        "max_examples": settings.max_examples,
        "seed": settings.seed,
        "timeout": settings.timeout,
        "database": None if settings.database is None else str(settings.database),
        "database_key": settings.database_key,
        "max_memory_mb": settings.max_memory_mb,
        "stuck_file": stuck_file,
    }
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write((json.dumps(request) + "\n").encode())
    process.stdin.flush()
    worker = _Worker(index, process, read_end, stuck_file, time.monotonic())
    threading.Thread(target=_drain, args=(process.stdout, worker.output), daemon=True).start()
    return worker


def _ask(worker: _Worker, prop: Property) -> None:
    """Have the worker fork a child for `prop`."""
    worker.output.clear()  # the tail shown for this property starts here
    now = time.monotonic()
    worker.running = _Running(prop, now, now)
    assert worker.process.stdin is not None
    try:
        worker.process.stdin.write((prop.id + "\n").encode())
        worker.process.stdin.flush()
    except OSError:  # the worker died; its end of the pipe is read next
        pass


def _stop(worker: _Worker) -> None:
    """End the worker and everything in its process group; safe to call twice."""
    if worker.process.poll() is None:
        try:
            os.killpg(worker.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            worker.process.kill()
    if worker.running is not None and worker.running.pid:
        try:  # a child that left the group still dies with the run
            os.kill(worker.running.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    worker.process.wait()
    if worker.process.stdin is not None:
        try:
            worker.process.stdin.close()
        except OSError:
            pass
    if worker.events >= 0:
        os.close(worker.events)
        worker.events = -1
    Path(worker.stuck_file).unlink(missing_ok=True)


def _tail(worker: _Worker) -> str:
    text = b"".join(worker.output).decode(errors="replace")[-OUTPUT_TAIL:].strip()
    return f"\nits last output:\n{text}" if text else ""


def _how_it_ended(code: int | None) -> str:
    if code is not None and code < 0:
        return f"died with signal {-code} ({signal.Signals(-code).name})"
    return f"exited with status {code}"


def _result(running: _Running, status: Status, message: str, examples: int = 0) -> PropertyResult:
    seconds = round(time.monotonic() - running.started, 3)
    return PropertyResult(running.prop.id, running.prop.tier, status, examples, seconds, message)


def where_it_was(dump: str, target: str) -> str:
    """From a faulthandler stack dump, the target's innermost line: `slow.py line 12: `train(model)``."""
    frames = [(m["file"], int(m["line"])) for m in _FRAME.finditer(dump)]  # innermost first
    name = Path(target).name
    own = [(f, n) for f, n in frames if f == target or Path(f).name == name or f.startswith(f"<{name}")]
    if not own:
        return f"it was running {frames[0][0]} line {frames[0][1]}" if frames else ""
    file, line = own[0]
    code = linecache.getline(file, line).strip()
    return f"it was running {Path(file).name if not file.startswith('<') else file} line {line}" + (
        f": `{code}`" if code else "")


def _load_overrun(worker: _Worker, settings: Settings) -> str:
    """Dump a worker's stack, kill it, and say where the load was stuck."""
    dump = ""
    try:
        os.kill(worker.process.pid, signal.SIGUSR1)
        until = time.monotonic() + DUMP_WAIT
        while time.monotonic() < until and "line" not in (dump := Path(worker.stuck_file).read_text(errors="replace")):
            time.sleep(0.05)
    except (ProcessLookupError, OSError):
        pass
    _stop(worker)
    where = where_it_was(dump, settings.target)
    return f"loading did not finish within {settings.load_timeout:g} s" + (f"; {where}" if where else "")


class _Pool:
    """The workers of one run and the targets they serve."""

    def __init__(self, jobs: Sequence[Settings], properties: Sequence[Property], slots: int,
                 on_result: Callable[[int, PropertyResult], None] | None,
                 on_example: Callable[[int, str], None] | None,
                 on_target: Callable[[int, Outcome], None] | None) -> None:
        self.jobs = [_Job(s, list(properties)) for s in jobs]
        self.properties = tuple(properties)
        self.slots = max(slots, 1)
        self.workers: list[_Worker] = []
        self.on_result, self.on_example, self.on_target = on_result, on_example, on_target

    def busy(self) -> bool:
        """Whether anything is left to run or running."""
        return bool(self.workers) or any(j.waiting for j in self.jobs)

    def fill(self) -> None:
        """Start workers while there are free slots and targets that need one."""
        while len(self.workers) < self.slots:
            counts = {i: 0 for i in range(len(self.jobs))}
            for worker in self.workers:
                counts[worker.index] += 1
            idle = [i for i, job in enumerate(self.jobs) if job.waiting and job.load_error is None]
            fresh = [i for i in idle if counts[i] == 0]
            # a second worker on a target only when it has more left than its workers run
            more = [i for i in idle if len(self.jobs[i].waiting) > counts[i]]
            choice = fresh[0] if fresh else (more[0] if more else None)
            if choice is None:
                return
            self.workers.append(_start(choice, self.jobs[choice].settings))

    def step(self, seconds: float, deadline: float | None) -> None:
        """Wait up to `seconds` for events, then advance every worker."""
        ready, _, _ = select.select([w.events for w in self.workers], [], [], seconds)
        for worker in list(self.workers):
            if worker not in self.workers:  # retired meanwhile (its target failed to load)
                continue
            if worker.events in ready:
                self._read(worker)
            if worker in self.workers:
                self._check_limits(worker, deadline)
        if deadline is not None and time.monotonic() > deadline:
            for index, job in enumerate(self.jobs):
                if job.report is None and job.load_error is None and not any(w.index == index for w in self.workers):
                    job.report = Report(job.settings.target, [])
                for prop in job.waiting:
                    job.done[prop.id] = PropertyResult(prop.id, prop.tier, "skipped", 0, 0.0,
                                                       "the run's --max-seconds limit ran out before it ran")
                job.waiting.clear()
                self._flush(index)

    def _read(self, worker: _Worker) -> None:
        data = os.read(worker.events, 65536)
        if not data:
            self._died(worker)
            return
        worker.buffer += data
        *lines, worker.buffer = worker.buffer.split(b"\n")
        for line in lines:
            self._event(worker, json.loads(line))

    def _event(self, worker: _Worker, event: dict[str, Any]) -> None:
        job = self.jobs[worker.index]
        kind = event["event"]
        running = worker.running
        if running is not None:
            running.last_sign = time.monotonic()
        if kind == "loading":
            worker.started, worker.loading = time.monotonic(), True
        elif kind == "loaded":
            worker.loaded = True
            if job.report is None:
                evidence = event.get("evidence")  # plain strings only: the target's process sent it
                job.report = Report(str(event["label"]), [], [str(n) for n in event["notes"]],
                                    {str(k): str(v) for k, v in evidence.items()} if isinstance(evidence, dict) else {})
            self._next(worker)
        elif kind == "load-error":
            self._load_failed(worker.index, str(event["message"]))
        elif running is None:
            return
        elif kind == "started":
            running.pid = int(str(event["pid"]))
        elif kind == "example":
            if self.on_example is not None:
                self.on_example(worker.index, running.prop.id)
        elif kind == "result":
            running.result = PropertyResult(**event["result"])
            running.flag_resets = int(str(event["flag_resets"]))
        elif kind == "ended":
            code = int(str(event["status"]))
            result = running.forced or running.result or _result(
                running, "failed", f"the target process {_how_it_ended(code)} while running {running.prop.id}"
                + _tail(worker))
            job.resets += running.flag_resets
            self._finish(worker, result)

    def _finish(self, worker: _Worker, result: PropertyResult) -> None:
        """Record the worker's property result; give it the next property."""
        worker.running = None
        self.jobs[worker.index].done[result.id] = result
        self._flush(worker.index)
        self._next(worker)

    def _next(self, worker: _Worker) -> None:
        job = self.jobs[worker.index]
        if job.waiting:
            _ask(worker, job.waiting.pop(0))
        else:
            self._retire(worker)
            self._flush(worker.index)

    def _retire(self, worker: _Worker) -> None:
        _stop(worker)
        self.workers.remove(worker)

    def _died(self, worker: _Worker) -> None:
        """The worker's pipe closed: it died (or was killed) outside any child."""
        worker.process.wait()
        how = _how_it_ended(worker.process.returncode)
        running = worker.running
        self._retire(worker)
        if not worker.loaded:
            self._load_failed(worker.index, f"the target process {how} while loading{_tail(worker)}")
        elif running is not None:
            job = self.jobs[worker.index]
            job.done[running.prop.id] = running.forced or _result(
                running, "failed", f"the target process {how} while running {running.prop.id}{_tail(worker)}")
            self._flush(worker.index)

    def _load_failed(self, index: int, message: str) -> None:
        job = self.jobs[index]
        if job.load_error is None:
            job.load_error = message
        job.waiting.clear()
        for other in [w for w in self.workers if w.index == index]:
            self._retire(other)
        self._flush(index)

    def _check_limits(self, worker: _Worker, deadline: float | None) -> None:
        job = self.jobs[worker.index]
        settings = job.settings
        now = time.monotonic()
        running = worker.running
        if not worker.loaded and job.report is not None and not job.waiting:
            self._retire(worker)  # another worker loaded the target and ran everything: no need to wait
            self._flush(worker.index)
            return
        if not worker.loaded:
            if deadline is not None and now > deadline:
                self._retire(worker)  # its properties are skipped below, in step()
            elif now - worker.started > settings.load_timeout + (0 if worker.loading else STARTUP):
                self.workers.remove(worker)
                self._load_failed(worker.index, _load_overrun(worker, settings))
            return
        if running is None or running.forced is not None:
            return
        if deadline is not None and now > deadline:
            self._kill_child(worker, _result(
                running, "skipped", f"the run's --max-seconds limit ran out while {running.prop.id} ran"))
            return
        limit = settings.timeout * running.prop.time_scale + GRACE
        if now - running.last_sign > limit:
            why = (f"the target did not finish an example within {limit:g} s and ignored the watchdog "
                   "(stuck outside Python?); its process was killed")
            self._kill_child(worker, _result(running, "failed", why + _tail(worker)))

    def _kill_child(self, worker: _Worker, result: PropertyResult) -> None:
        """Kill the running child; `result` is recorded when the worker reports it ended."""
        assert worker.running is not None
        worker.running.forced = result
        if worker.running.pid:
            try:
                os.kill(worker.running.pid, signal.SIGKILL)
                return
            except ProcessLookupError:
                pass
        self._retire(worker)  # the child's pid is not known yet: the worker goes with it
        self._finish_without_worker(worker.index, result)

    def _finish_without_worker(self, index: int, result: PropertyResult) -> None:
        self.jobs[index].done[result.id] = result
        self._flush(index)

    def _flush(self, index: int) -> None:
        """Move finished results to the target's report in property order, announcing each once."""
        job = self.jobs[index]
        if job.finished:
            return
        if job.load_error is not None:
            if not any(w.index == index for w in self.workers):
                job.finished = True
                report = job.report or Report(job.settings.target, [])
                if self.on_target is not None:
                    self.on_target(index, Outcome(report, job.load_error))
            return
        if job.report is None:
            return
        for prop in self.properties[len(job.report.properties):]:
            if prop.id not in job.done:
                return
            job.report.properties.append(job.done[prop.id])
            if self.on_result is not None:
                self.on_result(index, job.done[prop.id])
        if not job.waiting and not any(w.index == index for w in self.workers):
            job.finished = True
            note_flag_resets(job.report, job.resets)
            if self.on_target is not None:
                self.on_target(index, Outcome(job.report))

    def close(self, why: str) -> list[Outcome]:
        """Stop every worker; what did not finish is skipped with `why`; every target's outcome."""
        for worker in list(self.workers):
            self._retire(worker)
        outcomes = []
        for index, job in enumerate(self.jobs):
            report = job.report or Report(job.settings.target, [])
            if job.load_error is None and not job.finished:
                for prop in self.properties:
                    job.done.setdefault(prop.id, PropertyResult(prop.id, prop.tier, "skipped", 0, 0.0, why))
                if job.report is None:
                    job.report = report
                job.waiting.clear()
                self._flush(index)
            outcomes.append(Outcome(report, job.load_error))
        return outcomes


def run_targets(
    targets: Sequence[Settings],
    properties: Sequence[Property],
    *,
    jobs: int = 1,
    max_seconds: float | None = None,
    on_result: Callable[[int, PropertyResult], None] | None = None,
    on_example: Callable[[int, str], None] | None = None,
    on_target: Callable[[int, Outcome], None] | None = None,
) -> list[Outcome]:
    """Run `properties` on every target, up to `jobs` workers at once; one Outcome per target.

    Results are announced per target in property order (`on_result(index, result)`), and each
    target once it is done (`on_target`). Raises Interrupted (its report: the first target's)
    when SIGINT or SIGTERM arrives; every worker is stopped first. SIGINT and SIGTERM only set
    a flag that the loop reads between polls: an exception raised at an arbitrary point could
    leave a lock (say, in tempfile while the JSON report is written) held.
    """
    pool = _Pool(targets, properties, jobs, on_result, on_example, on_target)
    deadline = None if max_seconds is None else time.monotonic() + max_seconds
    with _signals_set_a_flag() as stopped:
        try:
            while pool.busy() and not stopped:
                pool.fill()
                pool.step(0.05 if pool.workers else 0.0, deadline)
        finally:
            outcomes = pool.close("the run was interrupted")  # stops every worker, whatever happened
    if stopped:
        raise Interrupted(outcomes[0].report, stopped[0], outcomes)
    return outcomes


def run_isolated(
    properties: tuple[Property, ...],
    settings: Settings,
    on_result: Callable[[PropertyResult], None] | None = None,
    on_example: Callable[[str], None] | None = None,
) -> Report:
    """Run `properties` on one target in worker processes; results come back (and are reported) in order.

    Raises TargetLoadError when the target cannot be loaded, Interrupted on Ctrl-C or SIGTERM.
    """
    outcome = run_targets(
        [settings], properties, jobs=settings.jobs, max_seconds=settings.max_seconds,
        on_result=None if on_result is None else (lambda index, result: on_result(result)),
        on_example=None if on_example is None else (lambda index, prop_id: on_example(prop_id)),
    )[0]
    if outcome.load_error is not None:
        raise TargetLoadError(outcome.load_error)
    return outcome.report


@contextmanager
def _signals_set_a_flag() -> Iterator[list[int]]:
    """While inside, SIGINT and SIGTERM append their number to the yielded list instead of acting."""
    stopped: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield stopped  # only the main thread may set handlers; the signals go there anyway
        return
    previous = {signum: signal.signal(signum, lambda number, frame: stopped.append(number))
                for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stopped
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
