"""A failure one machine finds is replayed by another through the shared Redis database."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Final

from tests.campaign.conftest import ENGINE_NAME, RUN, clean_env, redis_keys

PROPERTY: Final = "forward-values-match-numpy"  # fails on any 3-d square; no famous example has one
# The second machine: the famous examples and the database, never a generated example, so it
# can only report the bug if the first machine's counterexample reached it through Redis.
REPLAY: Final = """
import sys
from hypothesis import Phase, settings
import specs
settings.register_profile("replay-only", phases=[Phase.explicit, Phase.reuse])
settings.load_profile("replay-only")
target, database, json_path, property_id = sys.argv[1:]
specs.check(target, only=(property_id,), database=database).write_json(json_path)
"""


def _machine(name: str, tmp_path: Path, engine: Path) -> Path:
    """A directory of its own (no .hypothesis shared with another run) holding a copy of the engine."""
    home = tmp_path / name
    home.mkdir()
    shutil.copy(engine, home / ENGINE_NAME)
    return home


def _result(path: Path) -> dict[str, Any]:
    properties: list[dict[str, Any]] = json.loads(path.read_text())["properties"]
    assert [p["id"] for p in properties] == [PROPERTY]
    return properties[0]


def _run(home: Path, *argv: str, status: int) -> None:
    """Run Python with `argv` in `home`; it must exit with `status`."""
    done = subprocess.run([sys.executable, *argv], cwd=home, capture_output=True, text=True, timeout=RUN,
                          check=False, env=clean_env())
    assert done.returncode == status, done.stdout + done.stderr


def _find(home: Path, url: str) -> None:
    """Check the engine in `home` as the command line does, against the database at `url`: it fails."""
    _run(home, "-m", "specs", "check", ENGINE_NAME, "--database", url, "--only", PROPERTY, "--max-examples", "1000",
         "--json", "found.json", status=1)


def _replay(home: Path, database: str, engine: str = ENGINE_NAME) -> dict[str, Any]:
    _run(home, "-c", REPLAY, engine, database, "replay.json", PROPERTY, status=0)
    return _result(home / "replay.json")


def test_a_failure_found_on_one_machine_is_replayed_on_another(
    redis_server: str, broken_engine: Path, tmp_path: Path
) -> None:
    """The command line finds and saves it; a replay-only run elsewhere reports the same violation."""
    url = f"{redis_server}/1"
    first = _machine("first", tmp_path, broken_engine)
    _find(first, url)
    original = _result(first / "found.json")
    assert original["status"] == "failed" and "array([[[" in original["counterexample"]

    keys = redis_keys(url)
    assert keys and all(key.startswith(b"gradspec:") for key in keys), keys
    assert any(key.startswith(f"gradspec:{ENGINE_NAME}:{PROPERTY}:".encode()) for key in keys), keys

    second = _machine("second", tmp_path, broken_engine)
    assert not (second / ".hypothesis").exists()
    replayed = _replay(second, url)
    assert replayed["status"] == "failed"
    assert (replayed["message"], replayed["counterexample"]) == (original["message"], original["counterexample"])

    # The control: the same replay-only run against an empty database finds nothing.
    alone = _replay(_machine("alone", tmp_path, broken_engine), f"{redis_server}/2")
    assert alone["status"] == "passed", alone["message"]


def test_failures_of_different_targets_are_kept_apart(redis_server: str, broken_engine: Path, tmp_path: Path) -> None:
    """A conformant engine replaying under its own name never sees (nor deletes) another's failures."""
    url = f"{redis_server}/3"
    first = _machine("first", tmp_path, broken_engine)
    _find(first, url)
    saved = redis_keys(url)

    other = tmp_path / "other"
    other.mkdir()
    (other / "fixed.py").write_text("from refengine import *  # noqa: F403\n")
    assert _replay(other, url, "fixed.py")["status"] == "passed"
    assert redis_keys(url, f"gradspec:{ENGINE_NAME}:*") == saved  # the broken engine's failures are intact
