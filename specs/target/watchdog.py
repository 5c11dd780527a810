"""A per-example time limit that interrupts a target stuck in a Python loop."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class TargetHang(BaseException):
    """Raised inside a target that overran its time limit.

    A BaseException, so that neither the target's `except Exception` nor Hypothesis (which
    would shrink it, paying the time limit for every attempt) holds it up.
    """


def available() -> bool:
    """Whether the watchdog can work here: it needs SIGALRM and the main thread."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TargetHang in this thread if the block runs longer than `seconds`.

    The alarm repeats every 0.2 s after the first, in case the target swallows one.
    Without SIGALRM or off the main thread the block simply runs unguarded.
    """
    if seconds <= 0 or not available():
        yield
        return

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        raise TargetHang(f"the target did not finish within {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.2)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
