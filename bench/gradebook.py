"""Teacher mode on a generated class: how long a gradebook of 40 student files takes.

    python bench/gradebook.py                   # 40 files, the gradebook's defaults, every core
    python bench/gradebook.py --students 8 --max-examples 5 --jobs 1

Every student's file is called step18.py (in its own folder), as a class hands them in. The
class is the book's step-18 code (tests/fixtures/book_step18.py) copied as learners copy it:
conformant copies with their own demos, and copies with the bugs learners write (an in-place
`+=`, no generation sort, retain_grad ignored, using_config without try/finally, misspelled
names), one that hangs in backward (a hand-written sort), one that crashes, one that does not
load. Prints the wall time, the time per file, the CPU time, and each file's verdict.
"""

from __future__ import annotations

import argparse
import csv
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parent.parent
BOOK: Final = ROOT / "tests" / "fixtures" / "book_step18.py"
DEMO: Final = """

# the learner's own check, as the book prints it
x = Variable(np.array(2.0))
y = add(square(x), square(x))
y.backward()
print(y.data, x.grad)
"""
# (kind, text replaced in the book, replacement): each bug once in the book's code
BUGS: Final[dict[str, tuple[str, str]]] = {
    "in-place +=": ("                    x.grad = x.grad + gx\n", "                    x.grad += gx\n"),
    "no generation sort": ("                funcs.sort(key=lambda x: x.generation)\n", ""),
    "retain_grad ignored": ("            if not retain_grad:\n", "            if False:\n"),
    "using_config without try/finally": (
        "    try:\n        yield\n    finally:\n        setattr(Config, name, old_value)\n",
        "    yield\n    setattr(Config, name, old_value)\n"),
    "misspelled creator": ("        self.creator = func\n", "        self.creater = func\n"),
    "misspelled cleargrad": ("    def cleargrad(self):\n", "    def clear_grad(self):\n"),
    "hang: hand-written sort": (  # swaps equal generations for ever: hangs on a diamond
        "                funcs.sort(key=lambda x: x.generation)\n",
        "                i = len(funcs) - 1\n                while i > 0 and funcs[i - 1].generation >= "
        "funcs[i].generation:\n                    funcs[i - 1], funcs[i] = funcs[i], funcs[i - 1]\n"),
    "crash in forward": ("        return x**2\n", "        import ctypes\n        ctypes.string_at(0)\n        return x**2\n"),
    "does not load": ("class Variable:\n", "class Variable(Funtion):\n"),  # no Variable: refused
}
# how many of each in a class of 40 (the rest are conformant copies)
MIX: Final = {"in-place +=": 5, "no generation sort": 4, "retain_grad ignored": 3,
              "using_config without try/finally": 3, "misspelled creator": 2, "misspelled cleargrad": 2,
              "hang: hand-written sort": 1, "crash in forward": 1, "does not load": 1}


def make_class(directory: Path, students: int) -> dict[str, str]:
    """Write `students` files as directory/studentNN/step18.py; return each file's kind."""
    book = BOOK.read_text()
    kinds = [kind for kind, n in MIX.items() for _ in range(n)]
    kinds = (kinds + ["conformant"] * max(students - len(kinds), 0))[:students]
    if students < len(MIX):  # a small class (a smoke test): a bug, a load failure, a conformant copy, ...
        kinds = ["in-place +=", "does not load", "conformant", "crash in forward", "hang: hand-written sort"][:students]
    made = {}
    for number, kind in enumerate(kinds, start=1):
        source = book
        if kind != "conformant":
            old, new = BUGS[kind]
            assert source.count(old) == 1, kind
            source = source.replace(old, new)
        path = directory / f"student{number:02}" / "step18.py"
        path.parent.mkdir(parents=True)
        demo = DEMO if kind == "conformant" and number % 3 else ""  # some learners leave their demo in
        path.write_text(f"# student {number}\n{source}{demo}")
        made[str(path)] = kind
    return made


def main() -> None:
    """Generate the class, grade it, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--max-examples", type=int, default=None, help="default: the gradebook's own")
    parser.add_argument("--jobs", type=int, default=None, help="default: every core")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gradebook-") as temporary:
        directory = Path(temporary)
        kinds = make_class(directory / "class", args.students)
        command = [sys.executable, "-m", "specs", "check", "class", "--database", "none",
                   "--csv", "gradebook.csv", "--json", "gradebook.json"]
        command += [] if args.max_examples is None else ["--max-examples", str(args.max_examples)]
        command += [] if args.jobs is None else ["--jobs", str(args.jobs)]
        started, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=directory)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if done.returncode not in (0, 1):
            sys.exit(f"the gradebook exited {done.returncode}:\n{done.stdout}{done.stderr}")
        with open(directory / "gradebook.csv", newline="") as stream:
            rows = list(csv.DictReader(stream))
        print(done.stdout.splitlines()[0])
        print(f"{'file':<22}  {'kind':<34}  {'verdict':<15}  likely cause")
        for row in rows:
            name = str(Path(row["target"]).relative_to("class"))
            print(f"{name:<22}  {kinds[str(directory / row['target'])]:<34}  {row['verdict']:<15}  {row['likely cause'][:60]}")
        conformant = sum(row["verdict"] == "conformant" for row in rows)
        print(f"graded {len(rows)} files ({conformant} conformant) in {wall:.1f} s wall clock, "
              f"{wall / max(len(rows), 1):.2f} s per file")
        # on a shared machine the wall clock depends on the neighbours; CPU time does not
        # (a hang's waiting is not CPU: add its --timeout per property on top)
        print(f"CPU time of every process: {cpu:.1f} s, {cpu / max(len(rows), 1):.2f} s per file")


if __name__ == "__main__":
    main()
