"""Mutation testing of refengine: mutmut's mutants, the few mutmut cannot make, and the score.

    bash tools/mutation.sh        # the one command: makes the environment, then runs this

Run alone (from anywhere, with the project's test extras and mutmut 3.8.1 installed), this
starts mutmut afresh over `refengine/` with the tests `[tool.mutmut]` in pyproject.toml
selects, the conformance run among them (tests/test_conformance.py), under the Hypothesis
profile "mutation". mutmut only mutates undecorated function bodies, so the code it never
touches (the metaclass property behind `Config.enable_backprop`, the `@contextmanager` behind
`using_config`, module-level tables, `Add.backward`, which has nothing mutmut mutates) gets
the hand-made mutants below, each applied to a copy of the project and run against the same
tests. It prints the score and every survivor, and exits 0 only when each survivor is a known
equivalent mutant.

Survivors and hand mutants are matched by text, never by line number, so edits elsewhere in
refengine do not disturb them; a hand mutant whose text is gone is reported as stale.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROFILE = "mutation"  # the Hypothesis profile tests/conftest.py registers
MUTMUT = shutil.which("mutmut", path=str(Path(sys.executable).parent)) or "mutmut"  # beside this Python


@dataclass(frozen=True)
class Equivalent:
    """A mutant that survives because no program can tell it from the original."""

    function: str  # "refengine.config._flag", "refengine.core.Variable.backward"
    before: str  # the original line, stripped
    after: str  # the mutant's line, stripped
    why: str


EQUIVALENTS: tuple[Equivalent, ...] = (
    Equivalent(
        "refengine.config._flag",
        'known = ", ".join(sorted(_FLAGS))',
        'known = "XX, XX".join(sorted(_FLAGS))',
        "Config has one setting, and joining a one-item list never uses the separator",
    ),
    Equivalent(
        "refengine.core.Function.__call__",
        "if x.generation > generation:",
        "if x.generation >= generation:",
        "replacing the running maximum by an equal value leaves the maximum unchanged",
    ),
    Equivalent(
        "refengine.core.Variable.backward",
        "for generation in range(self.creator.generation, -1, -1):",
        "for generation in range(self.creator.generation, -2, -1):",
        "no function has generation -1, so the extra step finds no stack and does nothing",
    ),
    Equivalent(
        "refengine.core.Variable.backward",
        "f = top.pop(generation, None)",
        "f = top.pop(generation, )",
        "every generation from the top down to 0 has a function waiting (a function of generation "
        "g > 0 has an input of generation g, whose creator has generation g - 1), so the default "
        "is never used",
    ),
)


@dataclass(frozen=True)
class HandMutant:
    """A mutant mutmut cannot make: `before` (exact text, found once in `path`) -> `after`."""

    name: str
    path: str
    before: str
    after: str


HAND_MUTANTS: tuple[HandMutant, ...] = (
    HandMutant("Config.enable_backprop reads a constant", "refengine/config.py",
               "return _enable_backprop.get()", "return True"),
    HandMutant("Config.enable_backprop = v ignores v", "refengine/config.py",
               "_enable_backprop.set(value)", "_enable_backprop.set(True)"),
    HandMutant("graph building starts off", "refengine/config.py",
               'ContextVar("enable_backprop", default=True)', 'ContextVar("enable_backprop", default=False)'),
    HandMutant("using_config changes a flag Config does not read", "refengine/config.py",
               '{"enable_backprop": _enable_backprop}', '{"enable_backprop": ContextVar("enable_backprop", default=True)}'),
    HandMutant("using_config sets the opposite value", "refengine/config.py",
               "    flag.set(value)\n", "    flag.set(not value)\n"),
    HandMutant("using_config restores a constant", "refengine/config.py",
               "old_value = flag.get()", "old_value = True"),
    HandMutant("using_config restores on normal exit only", "refengine/config.py",
               "    try:\n        yield\n    finally:", "    yield\n    if True:"),
    HandMutant("using_config restores after Exception, not BaseException", "refengine/config.py",
               "    finally:", "    except Exception:\n        flag.set(old_value)\n        raise\n    else:"),
    HandMutant("Add.backward drops the second input's grad", "refengine/functions.py",
               "return gy, gy", "return gy, 0 * gy"),
    HandMutant("Add.backward doubles the first input's grad", "refengine/functions.py",
               "return gy, gy", "return gy + gy, gy"),
)


def readable(mutant: str) -> str:
    """refengine.core.xǁVariableǁbackward__mutmut_12 -> refengine.core.Variable.backward."""
    module, _, mangled = mutant.split("__mutmut_")[0].rpartition(".")
    name = mangled[2:] if mangled.startswith("x_") else mangled[1:].replace("ǁ", ".").strip(".")
    return f"{module}.{name}"


def changed_lines(diff: str) -> tuple[str, str]:
    """The (removed, added) lines of a one-mutation diff, each stripped and joined by ' / '."""
    lines = diff.splitlines()
    removed = [line[1:].strip() for line in lines if line.startswith("-") and not line.startswith("---")]
    added = [line[1:].strip() for line in lines if line.startswith("+") and not line.startswith("+++")]
    return " / ".join(removed), " / ".join(added)


def mutmut(*args: str) -> str:
    """Run a mutmut command in the project root and return its output; fail loudly."""
    done = subprocess.run([MUTMUT, *args], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"mutmut {' '.join(args)} exited {done.returncode}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return done.stdout


def run_mutmut() -> dict[str, str]:
    """Run mutmut from scratch and return each mutant's status."""
    shutil.rmtree(ROOT / "mutants", ignore_errors=True)  # cached verdicts would not see test changes
    done = subprocess.run([MUTMUT, "run"], cwd=ROOT, capture_output=True, text=True)
    log = done.stdout.replace("\r", "\n") + done.stderr
    (ROOT / "mutants").mkdir(exist_ok=True)
    (ROOT / "mutants" / "run.log").write_text(log)
    if done.returncode != 0:
        sys.exit(f"mutmut run exited {done.returncode}; the end of mutants/run.log:\n{log[-3000:]}")
    statuses: dict[str, str] = {}
    for line in mutmut("results", "--all", "true").splitlines():
        if match := re.fullmatch(r"\s*(\S+): (.+)", line):
            statuses[match[1]] = match[2]
    if not statuses:
        sys.exit("mutmut made no mutants; see mutants/run.log")
    return statuses


def test_commands(copy: Path) -> tuple[list[str], list[str]]:
    """pytest over the tests mutmut runs, with mutmut's options (from pyproject.toml); and first
    the same over the engine's own tests (tests/test_*.py), which kill most mutants in seconds."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    selection: list[str] = config["pytest_add_cli_args_test_selection"]
    pytest = [sys.executable, "-m", "pytest", "-x", "-q", *config.get("pytest_add_cli_args", [])]
    ignored = {arg.removeprefix("--ignore=") for arg in selection if arg.startswith("--ignore=")}
    own = [str(path.relative_to(copy)) for path in sorted(copy.glob("tests/test_*.py"))]
    return [*pytest, *(path for path in own if path not in ignored)], [*pytest, *selection]


def run_hand_mutants() -> list[tuple[HandMutant, str]]:
    """Apply each hand mutant to a copy of the project, run the tests, return (mutant, status)."""
    results: list[tuple[HandMutant, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp)
        for part in ("refengine", "specs", "tests"):
            shutil.copytree(ROOT / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy2(ROOT / "pyproject.toml", copy / "pyproject.toml")
        quick, full = test_commands(copy)
        clean = subprocess.run(full, cwd=copy, capture_output=True, text=True)
        if clean.returncode != 0:
            sys.exit(f"the tests fail on the unmutated copy:\n{clean.stdout[-3000:]}")
        for mutant in HAND_MUTANTS:
            path = copy / mutant.path
            original = path.read_text()
            if original.count(mutant.before) != 1:
                results.append((mutant, "stale: its text is not in the code exactly once"))
                continue
            path.write_text(original.replace(mutant.before, mutant.after))
            code = subprocess.run(quick, cwd=copy, capture_output=True).returncode
            if code == 0:
                code = subprocess.run(full, cwd=copy, capture_output=True).returncode
            path.write_text(original)
            results.append((mutant, {0: "survived", 1: "killed"}.get(code, f"error (pytest exited {code})")))
    return results


def main() -> int:
    os.environ["GRADSPEC_HYPOTHESIS_PROFILE"] = PROFILE
    started = time.perf_counter()
    print("mutmut run over refengine/ (log: mutants/run.log) ...", flush=True)
    statuses = run_mutmut()
    print(f"hand-made mutants for the code mutmut does not mutate ({len(HAND_MUTANTS)}) ...", flush=True)
    hand = run_hand_mutants()

    detected = {"killed", "timeout"}  # a mutant that makes the tests hang is caught too
    survivors = sorted(name for name, status in statuses.items() if status not in detected)
    unexplained = 0
    print()
    for name in survivors:
        removed, added = changed_lines(mutmut("show", name))
        function = readable(name)
        known = [e for e in EQUIVALENTS if (e.function, e.before, e.after) == (function, removed, added)]
        verdict = f"equivalent: {known[0].why}" if known else "NOT KNOWN TO BE EQUIVALENT"
        unexplained += not known
        print(f"{statuses[name]:9} {name}\n    - {removed}\n    + {added}\n    {verdict}")
    for mutant, status in hand:
        if status != "killed":
            unexplained += 1
            print(f"{status:9} hand mutant {mutant.name!r} in {mutant.path}")

    hand_killed = sum(status == "killed" for _, status in hand)
    mutmut_killed = len(statuses) - len(survivors)
    equivalent = len(survivors) + len(hand) - hand_killed - unexplained
    total = len(statuses) + len(hand)
    print()
    print(f"mutmut:       {mutmut_killed} / {len(statuses)} killed")
    print(f"hand-made:    {hand_killed} / {len(hand)} killed")
    print(f"score:        {mutmut_killed + hand_killed} / {total} killed, {equivalent} equivalent, "
          f"{unexplained} unexplained  ({time.perf_counter() - started:.0f} s)")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
