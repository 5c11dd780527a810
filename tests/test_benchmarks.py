"""The benchmark scripts run, on tiny sizes, and the checks they make on the way hold.

No time is asserted (the scripts print tables, and this machine's speed is nobody's business
here): what is checked is that each script still runs against the current engine and that
the correctness lines it prints, the engines' grads agreeing and the memory minimums, say so.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ("--engines", "refengine", "book")


def bench(script: str, *args: str) -> str:
    """Run `bench/<script>.py` with `args`; return what it printed, failing on a non-zero exit."""
    done = subprocess.run([sys.executable, str(ROOT / "bench" / f"{script}.py"), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def row(output: str, name: str) -> list[str]:
    """The cells of the table row that starts with `name` (split on runs of two or more spaces)."""
    for line in output.splitlines():
        if line.startswith(name + "  "):
            return [cell for cell in line.split("  ") if cell.strip()]
    pytest.fail(f"no row {name!r} in:\n{output}")


def test_scalar_dag_engines_and_the_numpy_floor_agree_on_every_leaf_grad() -> None:
    output = bench("scalar_dag", "--nodes", "300", "--repeat", "1", *ENGINES, "two-objects")
    assert "leaf grads: all 3 engines agree" in output
    assert row(output, "numpy floor")[0] == "numpy floor"
    assert row(output, "book")[4].strip() == "1.00"  # the ratio column is against the book


def test_backward_graphs_prints_an_exponent_per_engine_and_kind() -> None:
    output = bench("backward_graphs", "--kinds", "chain", "wide", "--sizes", "200", "400", "--repeat", "1", *ENGINES)
    exponents = output.split("scaling exponent", 1)[1]
    for engine in ("refengine", "book"):
        assert exponents.count(engine) == 2, output


def test_large_arrays_grads_match_the_closed_form() -> None:
    output = bench("large_arrays", "--shape", "30", "30", "--repeat", "1", *ENGINES)
    assert "grad differs" not in output
    assert row(output, "numpy floor")[4].strip() == "1.00"


def test_memory_meets_the_minimum_under_no_grad() -> None:
    output = bench("memory", "--shape", "1000", "1000", "--chain", "3", "10", *ENGINES)
    cells = row(output, "refengine")
    assert [cell.strip() for cell in cells[1:3]] == ["3.00 / 2.00", "3.00 / 2.00"], output


def test_deep_chain_grad_is_exact() -> None:
    output = bench("deep_chain", "--nodes", "3000", "--engines", "refengine", "--no-trace")
    assert row(output, "refengine")[4].strip() == "yes"


def test_suite_throughput_counts_the_examples_of_every_property() -> None:
    output = bench("suite_throughput", "--max-examples", "3", "--jobs", "2", "--repeat", "1")
    _, _, examples, *_ = row(output, "2")
    assert int(examples.replace(",", "")) >= 14  # at least one example for each of the 14 properties


def test_gradebook_grades_a_generated_class_with_a_row_per_file() -> None:
    output = bench("gradebook", "--students", "3", "--max-examples", "3", "--jobs", "1")
    cells = {name: [c.strip() for c in row(output, name)[1:3]] for name in ("student01/step18.py",
                                                                             "student02/step18.py",
                                                                             "student03/step18.py")}
    assert cells == {"student01/step18.py": ["in-place +=", "NOT conformant"],
                     "student02/step18.py": ["does not load", "NOT loaded"],
                     "student03/step18.py": ["conformant", "conformant"]}
    assert "graded 3 files (1 conformant) in" in output and "CPU time of every process" in output
