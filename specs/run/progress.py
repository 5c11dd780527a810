"""Progress of a long run: a status line on a terminal, plain lines everywhere else.

On a terminal (stdout a TTY, `CI` unset, `TERM` not `dumb`) one line at the bottom is redrawn
in place: properties done of all, examples so far, elapsed seconds. Results are printed above
it as they finish. Anywhere else (a pipe, a log file, CI) only the result lines are printed,
one per property, exactly as without progress.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Final, TextIO

from specs.report.console import result_line

from specs.report.results import PropertyResult

TICK: Final = 0.25  # seconds between redraws of the status line


def wants_live(stream: TextIO) -> bool:
    """Whether to draw a live status line on `stream`: a terminal, outside CI."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        return False
    return tty and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"


class Progress:
    """Counts finished properties and examples; draws them on a terminal, stays quiet elsewhere."""

    def __init__(self, total: int, stream: TextIO | None = None, live: bool | None = None) -> None:
        self.total = total
        self.stream = sys.stdout if stream is None else stream
        self.live = wants_live(self.stream) if live is None else live
        self.done = 0
        self.finished_examples = 0  # the examples finished properties' verdicts rest on
        self.running: dict[str, int] = {}  # heartbeats (examples started) of running properties
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self._shown = False
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        if self.live:
            self._ticker = threading.Thread(target=self._tick, name="specs-progress", daemon=True)
            self._ticker.start()

    def status(self) -> str:
        """The status line's text."""
        running = f"property {min(self.done + 1, self.total)} of {self.total}"
        elapsed = time.monotonic() - self.started
        return f"{running}, {self.examples} examples so far, {elapsed:.1f} s elapsed"

    @property
    def examples(self) -> int:
        """Examples so far: those of finished properties, and those started by running ones."""
        return self.finished_examples + sum(self.running.values())

    def example(self, property_id: str = "") -> None:
        """An example has started (the runner's heartbeat); `property_id` when several run at once."""
        with self._lock:
            self.running[property_id] = self.running.get(property_id, 0) + 1

    def result(self, result: PropertyResult) -> None:
        """Print a property's result line and count it as done."""
        with self._lock:
            self.done += 1
            # The heartbeats count every example run, shrinking included, and a failed property's
            # result only those up to its first failure: the larger one keeps the count from going down.
            ran = self.running.pop(result.id, 0) + self.running.pop("", 0)
            self.finished_examples += max(result.examples, ran)
            self._clear()
            self.stream.write(result_line(result) + "\n")
            self._draw()
            self.stream.flush()

    def close(self) -> None:
        """Stop redrawing and remove the status line."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        with self._lock:
            self._clear()
            self.stream.flush()

    def _tick(self) -> None:
        while not self._stop.wait(TICK):
            with self._lock:
                self._draw()
                self.stream.flush()

    def _draw(self) -> None:
        if self.live and not self._stop.is_set() and self.done < self.total:
            self.stream.write("\r\x1b[2K" + self.status())
            self._shown = True

    def _clear(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[2K")
            self._shown = False
