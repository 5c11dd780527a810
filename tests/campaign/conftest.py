"""Servers the campaign tests start themselves: redis-server, and execnet's socket server.

Each is a child process watched through its output: a thread reads every line (so a chatty
server never blocks on a full pipe), and the fixture waits for the line that says the server
is ready, with an overall timeout instead of sleeps.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import pytest
import redis

STARTUP: Final = 30.0  # seconds a server may take to say it is ready (a guard, not a measurement)
RUN: Final = 300.0  # seconds any child process of these tests may take
ENGINE: Final = '''"""refengine, except that square is off by one on 3-d arrays: no famous example has one."""
from refengine import *  # noqa: F403
from refengine import square as _square


def square(x):
    y = _square(x)
    if y.data.ndim == 3:
        y.data = y.data + 1
    return y
'''
ENGINE_NAME: Final = "wrong_in_3d.py"


@dataclass
class Server:
    """A running server process and every line it has printed so far."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)


def clean_env() -> dict[str, str]:
    """This environment without CI (which picks other profiles) or PYTEST_ADDOPTS."""
    return {name: value for name, value in os.environ.items() if name not in ("CI", "PYTEST_ADDOPTS")}


@contextmanager
def serving(argv: Sequence[str], cwd: Path, ready: str) -> Iterator[tuple[Server, re.Match[str]]]:
    """Start `argv` in `cwd`, wait for a line matching `ready`, yield; stop the server at the end."""
    process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=clean_env())
    server, lines = Server(process), queue.Queue[str | None]()
    assert process.stdout is not None
    stdout = process.stdout

    def read() -> None:
        for line in stdout:
            server.lines.append(line)
            lines.put(line)
        lines.put(None)  # the server closed its output: it has ended

    threading.Thread(target=read, daemon=True).start()
    try:
        deadline = time.monotonic() + STARTUP
        while True:
            try:
                line = lines.get(timeout=max(deadline - time.monotonic(), 0.0))
            except queue.Empty:
                pytest.fail(f"{argv[0]} did not say {ready!r} within {STARTUP:g} s:\n{''.join(server.lines)}")
            if line is None:
                pytest.fail(f"{argv[0]} ended before saying {ready!r}:\n{''.join(server.lines)}")
            match = re.search(ready, line)
            if match:
                break
        yield server, match
    finally:
        process.terminate()
        try:
            process.wait(timeout=STARTUP)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def redis_keys(url: str, pattern: str = "*") -> list[bytes]:
    """The keys of the Redis database at `url` that match `pattern`, sorted."""
    with redis.Redis.from_url(url) as client:
        return sorted(key.encode() if isinstance(key, str) else key for key in client.keys(pattern))


def free_port() -> int:
    """A TCP port nothing listens on at the moment (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private redis-server on 127.0.0.1, no persistence; yields its URL without a db number."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not on PATH (apt-get install redis-server)")
    port = free_port()
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    with serving(argv, tmp_path_factory.mktemp("redis"), "Ready to accept connections"):
        yield f"redis://127.0.0.1:{port}"


@contextmanager
def socket_server(cwd: Path) -> Iterator[tuple[Server, int]]:
    """execnet's socket server, standing in for a second machine; yields it and its port.

    It binds port 0 (the OS picks a free one) and prints the address it listens on; `-u`
    makes it print at once rather than when a pipe's buffer fills.
    """
    argv = [sys.executable, "-u", "-m", "execnet.script.socketserver", "127.0.0.1:0"]
    with serving(argv, cwd, r"Entering Accept loop \('127\.0\.0\.1', (\d+)\)") as (server, match):
        yield server, int(match.group(1))


@pytest.fixture
def broken_engine(tmp_path: Path) -> Path:
    """A learner's file: refengine with a square that is wrong on 3-d arrays only."""
    path = tmp_path / "engines" / ENGINE_NAME
    path.parent.mkdir()
    path.write_text(ENGINE)
    return path
