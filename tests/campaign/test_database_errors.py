"""A database that cannot be opened is a usage error, said up front in one line that names it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

import specs
from specs.__main__ import EXIT_USAGE, main
from specs.run import profiles
from specs.run.database import DatabaseError, open_database, target_name
from tests.campaign.conftest import RUN, clean_env, free_port


@pytest.fixture
def unreachable() -> str:
    """A Redis URL where nothing listens."""
    return f"redis://127.0.0.1:{free_port()}/0"


def _check(database: str, capsys: pytest.CaptureFixture[str]) -> str:
    """Run `python -m specs check --database DATABASE` here; it must exit 2 and print nothing to stdout."""
    status = main(["check", "--database", database, "--max-examples", "1", "--only", "variable-rejects-non-ndarray"])
    out, err = capsys.readouterr()
    assert status == EXIT_USAGE and out == "", out
    assert err.count("\n") == 1, err
    return err


def test_an_unreachable_server_exits_2_naming_the_url(unreachable: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert unreachable in _check(unreachable, capsys)


@pytest.mark.parametrize(("url", "reason"), [
    ("redis://127.0.0.1:notaport/0", "notaport"),
    ("http://127.0.0.1/0", "must start with redis://, rediss://, unix://"),
    ("unix:///nonexistent/redis.sock", "No such file"),
])
def test_a_bad_url_exits_2_naming_it(url: str, reason: str, capsys: pytest.CaptureFixture[str]) -> None:
    err = _check(url, capsys)
    assert url in err and reason in err


def test_a_password_never_reaches_the_message(unreachable: str, capsys: pytest.CaptureFixture[str]) -> None:
    err = _check(unreachable.replace("//", "//:hunter2@"), capsys)
    assert "hunter2" not in err and ":***@127.0.0.1" in err


def test_a_missing_redis_package_names_the_extra(
    unreachable: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)  # `import redis` raises ImportError
    monkeypatch.setitem(sys.modules, "hypothesis.extra.redis", None)
    assert 'pip install "gradspec[campaign]"' in _check(unreachable, capsys)
    with pytest.raises(DatabaseError, match=r'needs the redis package: pip install "gradspec\[campaign\]"'):
        specs.check(database=unreachable)
    assert open_database("a/directory", target="refengine") is not None  # directories need no redis


def test_the_pytest_plugin_refuses_an_unreachable_server(unreachable: str, tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "pytest", "--pyargs", "specs", "-p", "no:cacheprovider",
            f"--specs-database={unreachable}"]
    done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=RUN, check=False,
                          env=clean_env())
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    assert f"--specs-database: database {unreachable}" in done.stderr


@pytest.mark.parametrize(("target", "name"), [
    ("refengine", "refengine"), ("mypackage.core", "mypackage.core"), ("/home/ada/step18.py", "step18.py"),
    ("notebooks/step18.ipynb", "step18.ipynb"), ("engines/step18", "step18"),
])
def test_failures_are_shared_under_the_file_name_or_module_name(target: str, name: str) -> None:
    assert target_name(target) == name


def test_the_campaign_profile() -> None:
    profiles.register()
    campaign = settings.get_profile(profiles.profile_name("campaign"))
    assert campaign.max_examples == 10_000 and campaign.deadline is None
    assert not campaign.derandomize and campaign.print_blob
