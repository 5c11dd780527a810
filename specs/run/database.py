"""Hypothesis's example database: a directory or a shared Redis server, keys kept apart per property.

A database is named by a directory path, or by a Redis URL (`redis://host:port/db`,
`rediss://...`, `unix:///path/to/socket`) that several machines share in a long campaign
(docs/campaigns.md). Every key starts with `<target>:<property id>:` (in Redis, after
`gradspec:`), where `<target>` is the target's file name (machines keep the file in different
directories) or its module name, or the key a caller gives (the gradebook gives a hash of each
file's content, since every student's file has the same name): Hypothesis deletes a saved
example that no longer fails, so a conformant engine replaying another engine's failures would
erase them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path, PurePath
from typing import Final, TypeAlias
from urllib.parse import urlsplit

from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase

DEFAULT_PATH = Path(".hypothesis") / "specs"
DatabaseSpec: TypeAlias = "str | Path | None"  # a directory, a Redis URL, or None for no database
REDIS_SCHEMES: Final = ("redis", "rediss", "unix")
KEY_PREFIX: Final = "gradspec"
CONNECT_TIMEOUT: Final = 10.0  # seconds to reach the server: an unreachable host fails, never hangs
_URL: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


class DatabaseError(Exception):
    """The database cannot be opened; the message is one line naming it and saying why."""


class KeyedDatabase(ExampleDatabase):
    """Store every key of one property under its own prefix in a shared database.

    The suite builds each property's Hypothesis test from the same function, so Hypothesis's
    own keys (a digest of the test's source) would mix the properties' failing examples.
    """

    def __init__(self, inner: ExampleDatabase, prefix: str) -> None:
        super().__init__()
        self.inner = inner
        self.prefix = prefix.encode() + b":"

    def save(self, key: bytes, value: bytes) -> None:
        """Save `value` under this property's `key`."""
        self.inner.save(self.prefix + key, value)

    def fetch(self, key: bytes) -> Iterable[bytes]:
        """Fetch this property's values for `key`."""
        return self.inner.fetch(self.prefix + key)

    def delete(self, key: bytes, value: bytes) -> None:
        """Delete `value` from this property's `key`."""
        self.inner.delete(self.prefix + key, value)

    def move(self, src: bytes, dest: bytes, value: bytes) -> None:
        """Move `value` between two of this property's keys."""
        self.inner.move(self.prefix + src, self.prefix + dest, value)


def is_url(spec: DatabaseSpec) -> bool:
    """Whether `spec` is a URL (`scheme://...`) rather than a directory."""
    return isinstance(spec, str) and _URL.match(spec) is not None


def target_name(target: str) -> str:
    """The name a target's failures are shared under: a file's name, else the module name or label."""
    path = PurePath(target)
    return path.name if path.suffix in (".py", ".ipynb") or len(path.parts) > 1 else target


def check_directory(path: Path) -> None:
    """Make sure the directory database `path` can be used: create it if missing, and see it writable.

    Hypothesis writes there only when an example fails, and then silently ignores an error:
    a path that cannot hold the examples is said once, before the run. Raises DatabaseError.
    """
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseError(f"database {path}: cannot create the directory ({error.strerror or error})") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise DatabaseError(f"database {path}: the directory is not writable")


def open_database(spec: DatabaseSpec, *, target: str) -> ExampleDatabase | None:
    """The database `spec` names for `target` (see target_name), or none when `spec` is None.

    A Redis server is pinged here, so that a wrong URL fails before the run, not in its middle.
    Raises DatabaseError when the URL is not a Redis one, the `redis` package is missing, or
    the server cannot be reached.
    """
    if spec is None:
        return None
    if not is_url(spec):
        # keyed by target as in Redis: a conformant engine run in the same directory would
        # otherwise replay a broken one's failures, see them pass, and delete them
        return KeyedDatabase(DirectoryBasedExampleDatabase(str(spec)), target_name(target))
    url = str(spec)
    shown = redacted(url)
    if urlsplit(url).scheme.lower() not in REDIS_SCHEMES:
        raise DatabaseError(f"database {shown}: a URL must start with {', '.join(s + '://' for s in REDIS_SCHEMES)}")
    try:
        import redis
        from hypothesis.extra.redis import RedisExampleDatabase
    except ImportError:
        raise DatabaseError(f'database {shown} needs the redis package: pip install "gradspec[campaign]"') from None
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT)
        client.ping()
    except (ValueError, redis.RedisError) as error:
        raise DatabaseError(f"database {shown}: {' '.join(str(error).split())}") from None
    prefix = f"{KEY_PREFIX}:{target_name(target)}:".encode()
    return RedisExampleDatabase(client, key_prefix=prefix)


def redacted(url: str) -> str:
    """`url` with its password, if any, replaced by `***`, fit for a message or a log."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = f"{parts.username}:" if parts.username else ":"
    return parts._replace(netloc=f"{user}***@{parts.netloc.rpartition('@')[2]}").geturl()
