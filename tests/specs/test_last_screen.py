"""The contract of the console: the last screen of `gradspec check` on a learner's own file.

A terminal shows the end of the output, so that is what a learner reads. Each file in
tests/fixtures/last_screen/ is a whole step-18 engine written as learners write it (scripts and
notebooks, Japanese, Korean, Chinese and English comments) with one classic mistake, or none. The
real command line checks a copy of it, and only the last 25 lines of what it prints are read:

- the last line is the verdict, and it is right;
- a buggy engine gets exactly one likely cause there, and that cause (its line and its fix) says
  the words a learner recognises for that mistake; no other cause is named;
- a crash is shown once: no traceback is printed twice anywhere in the output;
- a correct engine's output has no traceback and no likely cause at all.

One row of SCREENS per fixture says what its last screen must say.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

CORPUS = FIXTURES / "last_screen"
LAST = 25  # lines: about one terminal screen
# One process per check (--jobs 1): pytest-xdist already runs the checks side by side.
COMMAND = ("-m", "specs", "check", "--max-examples", "20", "--seed", "0", "--database", "none", "--jobs", "1")
TIMEOUT = 600  # seconds for one check; generous, for a machine busy with other work


@dataclass(frozen=True)
class Screen:
    """What the last screen says of one fixture: its verdict and, for a buggy one, its one cause."""

    mistake: str  # the one mistake the file makes ("" for a correct engine)
    words: tuple[str, ...] = ()  # regexes, each found in the cause (its line and its fix)
    forbidden: tuple[str, ...] = ()  # phrases that name a wrong cause, nowhere in the last screen

    @property
    def conformant(self) -> bool:
        """A file without a mistake is conformant."""
        return not self.mistake


def _ok() -> Screen:
    return Screen("")


_NOT_NDARRAY = "accepts data that is not an ndarray"

SCREENS: dict[str, Screen] = {
    # correct engines: a demo that raises, a failing %matplotlib cell, a nested specs.check(globals())
    "en_correct_demo_raises.py": _ok(),
    "ko_correct_matplotlib.ipynb": _ok(),
    "ja_correct_specs_check.ipynb": _ok(),
    # one mistake each
    "ja_no_numpy_import.py": Screen("no `import numpy as np`", (r"import numpy",), (_NOT_NDARRAY,)),
    "en_no_as_array.ipynb": Screen("`Function.__call__` makes `Variable(y)` without `as_array`", (r"as_array",),
                                   (_NOT_NDARRAY,)),
    "ko_return_inside_if.py": Screen("`return` indented inside `if Config.enable_backprop:`", (r"None", r"return"),
                                     ("has no `creator`", "has no `generation`")),
    "zh_variable_rejects_none.py": Screen("`Variable(None)` raises TypeError", (r"None",), (_NOT_NDARRAY,)),
    "ja_function_redefined.ipynb": Screen("`Function` redefined after `Add`/`Square` subclassed the old one",
                                          (r"Function", r"Add|Square|add|square")),
    "en_grad_inplace.py": Screen("`x.grad += gx`", (r"[Ii]n place",)),
    "ko_grad_overwrite.ipynb": Screen("`x.grad = gx` (overwrites)", (r"overwrit",)),
    "zh_no_generation_sort.py": Screen("no sort by generation", (r"generation",)),
    "ko_generation_plus_one.py": Screen("`self.generation += 1` in `set_creator`", (r"generation",)),
    "zh_no_seen_set.py": Screen("no `seen_set`: a function reached twice runs twice", (r"seen_set|twice",)),
    "ja_retain_grad_ignored.py": Screen("`retain_grad` never clears intermediate grads", (r"retain_grad",)),
    "en_cleargrad_no_self.py": Screen("`def cleargrad():` without `self`", (r"cleargrad", r"self")),
    "zh_strong_outputs.ipynb": Screen("`self.outputs = outputs` (no weakref)", (r"weakref|reference cycle",)),
    "zh_using_config_no_finally.py": Screen("`using_config` without try/finally", (r"finally",)),
    "en_config_typo_in_finally.py": Screen("`setattr(Cofig, ...)` in `using_config`'s finally", (r"Cofig",)),
    "ja_using_config_no_decorator.py": Screen("`using_config` without `@contextlib.contextmanager`",
                                              (r"contextmanager",)),
    "en_grad_eq_none.py": Screen("`if x.grad == None:`", (r"is None|== None",)),
    "ja_as_array_wraps_list.py": Screen("`as_array` returns `np.array([x])`", (r"as_array",)),
    "ko_function_ignores_config.py": Screen("`Function` never reads `Config.enable_backprop`",
                                            (r"enable_backprop",), ("finally",)),
    "en_recursive_backward.py": Screen("a recursive topological sort in `backward`", (r"recurs",)),
    "ko_creater_typo.ipynb": Screen("`creater` for `creator`, everywhere", (r"creater",)),
}


@dataclass(frozen=True)
class Output:
    """What one run of the command line printed (stdout and stderr as a terminal interleaves them)."""

    text: str
    code: int

    @property
    def last_screen(self) -> list[str]:
        """The last LAST lines, trailing blank lines left out."""
        return self.text.rstrip().splitlines()[-LAST:]

    def causes(self) -> list[str]:
        """Each "Likely cause" of the last screen, with its fix line: what a learner acts on."""
        lines = self.last_screen
        return [line + "\n" + "".join(n for n in lines[i + 1:i + 2] if n.strip().startswith("fix"))
                for i, line in enumerate(lines) if "Likely cause" in line]

    def tracebacks(self) -> list[str]:
        """Every traceback of the whole output: its header, its indented frames, its exception line."""
        found = []
        lines = self.text.splitlines()
        for i, line in enumerate(lines):
            if "Traceback (most recent call last" in line:  # also "..., from the target's code)"
                margin = len(line) - len(line.lstrip())
                block = [line.strip()]
                for after in lines[i + 1:]:
                    block.append(after.strip())
                    if len(after) - len(after.lstrip()) <= margin and after.strip():
                        break  # the exception line closes the traceback
                found.append("\n".join(block))
        return found


def _check(name: str, tmp_path: Path) -> Output:
    """Run `python -m specs check` on a copy of the fixture, from the copy's folder, as a learner would."""
    shutil.copy(CORPUS / name, tmp_path / name)
    done = subprocess.run([sys.executable, *COMMAND[:3], name, *COMMAND[3:]], cwd=tmp_path, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=TIMEOUT, check=False)
    return Output(done.stdout, done.returncode)


def test_every_fixture_has_one_row() -> None:
    """A fixture without a row would never be checked; a row without a fixture checks nothing."""
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(SCREENS)
    assert sum(name.endswith(".ipynb") for name in SCREENS) >= 6


_CRASH = """Traceback (most recent call last, from the target's code):
  File "a.py", line 3, in f
    return x ** 2
NameError: name 'np' is not defined
"""


def test_the_reader_finds_causes_with_their_fix_and_repeated_tracebacks() -> None:
    """The reader of the output itself: a cause with its fix, a traceback counted each time it is printed."""
    text = "\n".join(["checking a.py", _CRASH, "--- p (failed)", _CRASH, "Likely cause: `np` is not defined",
                      "  fix: add `import numpy as np`", "  explains: p, q", "a.py: NOT conformant (1 failed)"])
    out = Output(text, 1)
    assert out.causes() == ["Likely cause: `np` is not defined\n  fix: add `import numpy as np`"]
    crashes = out.tracebacks()
    assert len(crashes) == 2 and len(set(crashes)) == 1 and crashes[0].endswith("NameError: name 'np' is not defined")
    assert "return x ** 2" in crashes[0] and "--- p" not in crashes[0]
    assert out.last_screen[-1] == "a.py: NOT conformant (1 failed)"
    assert len(Output("\n".join(str(i) for i in range(100)), 0).last_screen) == LAST


@pytest.mark.parametrize("name", sorted(SCREENS))
def test_the_last_screen(name: str, tmp_path: Path) -> None:
    """Verdict last and right; one cause in the learner's words, no wrong one; each crash shown once."""
    screen, out = SCREENS[name], _check(name, tmp_path)
    last = out.last_screen
    tail = "\n".join(last)
    verdict = re.compile(rf"^{re.escape(name)}: {'conformant' if screen.conformant else 'NOT conformant'}\b")
    assert last and verdict.match(last[-1]), f"the last line is not the verdict:\n{tail}"
    assert out.code == (0 if screen.conformant else 1), tail
    repeated = [t for t, n in Counter(out.tracebacks()).items() if n > 1]
    assert not repeated, f"{len(repeated)} traceback(s) printed more than once, the first:\n{repeated[0]}"
    causes = out.causes()
    if screen.conformant:
        assert "Traceback" not in out.text, f"a correct engine's output has a traceback:\n{out.text[-3000:]}"
        assert not causes, tail
        return
    assert len(causes) == 1, f"{len(causes)} likely causes in the last {LAST} lines, expected 1:\n{tail}"
    missing = [w for w in screen.words if not re.search(w, causes[0])]
    assert not missing, f"the cause does not say {missing} ({screen.mistake}):\n{tail}"
    wrong = [phrase for phrase in screen.forbidden if phrase in tail]
    assert not wrong, f"a wrong cause is named ({wrong}):\n{tail}"
