"""Config: the global switch for graph building, kept per thread and per asyncio task.

The book keeps `Config.enable_backprop` as a plain class attribute, shared by every thread.
Here the value lives in a `ContextVar`, as PyTorch's grad mode is thread-local: `no_grad()` in
one thread or task never switches graph building off in another. A metaclass property keeps
the book's spelling, so `Config.enable_backprop` reads and `Config.enable_backprop = False`
assignments work unchanged.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Final, Literal, TypeAlias

# Every new thread starts from an empty context, so it sees the default (True).
_enable_backprop: Final[ContextVar[bool]] = ContextVar("enable_backprop", default=True)

ConfigName: TypeAlias = Literal["enable_backprop"]
_FLAGS: Final[dict[str, ContextVar[bool]]] = {"enable_backprop": _enable_backprop}


class _ConfigMeta(type):
    """Metaclass that turns `Config.enable_backprop` into a per-context value."""

    @property
    def enable_backprop(cls) -> bool:
        """Whether functions record the graph (inputs, outputs, creator) for backward."""
        return _enable_backprop.get()

    @enable_backprop.setter
    def enable_backprop(cls, value: bool) -> None:
        _enable_backprop.set(value)


class Config(metaclass=_ConfigMeta):
    """Engine switches; `Config.enable_backprop` is True unless switched off."""


def _flag(name: str) -> ContextVar[bool]:
    """Return the variable behind a config name, or raise naming the unknown name."""
    try:
        return _FLAGS[name]
    except KeyError:
        known = ", ".join(sorted(_FLAGS))
        raise AttributeError(f"Config has no setting {name!r} (known: {known})") from None


def using_config(name: ConfigName, value: bool) -> contextlib.AbstractContextManager[None]:
    """Set a config value inside a `with` block and restore the old one on every exit."""
    return _config_block(_flag(name), value)  # validate now, not at __enter__


@contextlib.contextmanager
def _config_block(flag: ContextVar[bool], value: bool) -> Iterator[None]:
    old_value = flag.get()
    flag.set(value)
    try:
        yield
    finally:  # also runs for BaseException: KeyboardInterrupt, SystemExit, GeneratorExit
        flag.set(old_value)


def no_grad() -> contextlib.AbstractContextManager[None]:
    """Switch graph building off inside a `with` block: `using_config("enable_backprop", False)`."""
    return using_config("enable_backprop", False)
