"""The pytest plugin as installed: `pytest --pyargs specs`, Hypothesis's options, profiles, xdist."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from specs.properties import PROPERTIES
from specs.run import profiles
from tests.workplaces.conftest import FAILING, PASSING

SLOW = ("deep-graph-backward", "backward-on-leaf-seeds-its-grad")  # seconds each on the book's engine
OUTCOME = re.compile(r"^(PASSED|FAILED|XFAIL|XPASS|ERROR|SKIPPED)\S* (?:\[\d+\] )?\S*test_property\[([\w-]+)\]",
                     re.M)
VERBOSE = re.compile(r"test_property\[([\w-]+)\] (PASSED|FAILED|BEYOND|XFAIL|ERROR|SKIPPED)")


def _pytest(where: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """Run `pytest --pyargs specs` in `where` (outside this project's configuration), no CI variable."""
    env = {name: value for name, value in os.environ.items() if name not in ("CI", "PYTEST_ADDOPTS")}
    return subprocess.run([sys.executable, "-m", "pytest", "--pyargs", "specs", "-p", "no:cacheprovider", "-rA",
                           *options], cwd=where, capture_output=True, text=True, env=env, timeout=300, check=False)


def _outcomes(output: str) -> dict[str, str]:
    return {property_id: outcome for outcome, property_id in OUTCOME.findall(output)}


@pytest.fixture(scope="module")
def one_process(broken_engine: Path, tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    """The broken engine checked by pytest in one process, derandomized (the ci profile)."""
    return _pytest(tmp_path_factory.mktemp("alone"), *_options(broken_engine))


def _options(target: Path) -> tuple[str, ...]:
    return (f"--specs-target={target}", "--specs-profile=ci", "--specs-max-examples=5",
            "-k", " and ".join(f"not {i}" for i in SLOW))


def test_each_property_is_a_test_and_a_broken_target_fails_it(
    one_process: subprocess.CompletedProcess[str],
) -> None:
    assert one_process.returncode == 1, one_process.stdout
    outcomes = _outcomes(one_process.stdout)
    assert len(outcomes) == len(PROPERTIES) - len(SLOW) - 1  # - 1: the BEYOND one, in no -rA category
    assert outcomes[PASSING] == "PASSED" and outcomes[FAILING] == "FAILED"
    assert "config-isolated-between-threads" not in outcomes  # extended: neither FAILED nor XFAIL
    assert "1 beyond" in one_process.stdout
    assert "y0.backward(retain_grad=True)" in one_process.stdout
    assert "config-isolated-between-threads: while the main thread was inside no_grad()" in one_process.stdout
    assert "threading.Thread" not in one_process.stdout  # without -v, a check beyond the book is one line


def test_the_likely_cause_is_in_the_summary_and_each_snippet_is_printed_once(broken_engine: Path, tmp_path: Path) -> None:
    done = _pytest(tmp_path, f"--specs-target={broken_engine}", "--specs-profile=ci", "--specs-max-examples=5", "-vv",
                   "-k", f"{FAILING} or gradients-match-finite-differences")
    assert done.returncode == 1, done.stdout
    assert "Likely cause: grads are accumulated in place" in done.stdout.split("= likely cause =")[1]
    summary = done.stdout.split("short test summary info")[1]
    assert "Counterexample:" not in summary and done.stdout.count("y0.backward(retain_grad=True)") == 1
    assert f"test_property[{FAILING}] - y0.grad is 2.0, expected 1.0" in summary


def test_an_extended_property_that_differs_is_beyond_the_book(book_path: Path, tmp_path: Path) -> None:
    done = _pytest(tmp_path, f"--specs-target={book_path}", "--specs-profile=ci", "--specs-max-examples=5",
                   "-v", "-k", "config-isolated-between-threads or " + PASSING)
    assert done.returncode == 0, done.stdout
    assert dict(VERBOSE.findall(done.stdout)) == {"config-isolated-between-threads": "BEYOND", PASSING: "PASSED"}
    assert "1 beyond" in done.stdout and "xfail" not in done.stdout.lower() and "FAIL" not in done.stdout
    assert "beyond the book: 1 check differs from refengine (not failures)" in done.stdout
    assert "threading.Thread" in done.stdout  # -v: the snippet of the check beyond the book


def test_xdist_gives_the_same_verdicts_as_one_process(
    broken_engine: Path, one_process: subprocess.CompletedProcess[str], tmp_path: Path
) -> None:
    spread = _pytest(tmp_path, *_options(broken_engine), "-n", "2")
    assert "2 workers" in spread.stdout or "gw1" in spread.stdout, spread.stdout
    assert _outcomes(spread.stdout) == _outcomes(one_process.stdout) and spread.returncode == 1


def test_hypothesis_options_seed_profile_and_statistics_work(tmp_path: Path) -> None:
    done = _pytest(tmp_path, "--hypothesis-seed=3", "--hypothesis-profile=gradspec-quick",
                   "--hypothesis-show-statistics", "-k", PASSING)
    assert done.returncode == 0, done.stdout
    assert "Hypothesis Statistics" in done.stdout and f"test_property[{PASSING}]" in done.stdout
    assert "Events:" in done.stdout and "%, diamond" in done.stdout and "%, add(x, x)" in done.stdout
    assert "Stopped because settings.max_examples=10" in done.stdout  # the quick profile


def test_the_profiles_are_registered_with_their_settings() -> None:
    profiles.register()
    assert settings.get_profile(profiles.profile_name("quick")).max_examples == 10
    assert settings.get_profile(profiles.profile_name("thorough")).max_examples == 1000
    ci = settings.get_profile(profiles.profile_name("ci"))
    assert ci.derandomize and ci.database is None and ci.deadline is None
    with pytest.raises(ValueError, match="must be one of quick, default, thorough, ci"):
        profiles.profile_name("slow")


def test_ci_picks_the_derandomized_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    assert profiles.default_choice() == "ci"
    monkeypatch.delenv("CI")
    assert profiles.default_choice() == "default"


@pytest.mark.parametrize("spread", [[], ["-n", "2"]], ids=["one-process", "xdist"])
def test_a_target_that_does_not_load_is_one_usage_error(tmp_path: Path, spread: list[str]) -> None:
    target = tmp_path / "broken.py"
    target.write_text("from refengine import Config, Function, add, no_grad, square, using_config\n"
                      "class Variable(Funtion):  # the misspelling leaves no Variable: the load is refused\n    pass\n")
    done = _pytest(tmp_path, f"--specs-target={target}", *spread)
    assert done.returncode == 4, done.stdout + done.stderr
    errors = [line for line in (done.stdout + done.stderr).splitlines() if "NameError" in line]
    assert len(errors) == 1 and errors[0].startswith(f"ERROR: --specs-target={target}: "), errors
    assert "`Variable` not defined" in errors[0] and "name 'Funtion' is not defined" in errors[0]
