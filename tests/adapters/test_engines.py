"""The real engines' adapters, where the engine is installed; elsewhere skipped, saying why.

The main environment has none of them; `nox -s NAME` builds one that has. Each case pins one
verdict the matrix (docs/conformance.md) reports, so that a change of adapter that turns a
deviation into a pass, or a pass into a failure, shows here.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Final

import pytest

from specs.properties import BY_ID
from specs.run.runner import Options, run_property
from specs.target.adapters.protocol import Engine
from specs.target.adapters.registry import named_engine
from specs.target.loader import TargetLoadError

VERDICTS: Final[tuple[tuple[str, str, str], ...]] = (
    ("dezero", "forward-values-match-numpy", "passed"),
    ("dezero", "backward-on-leaf-seeds-its-grad", "failed"),
    ("dezero-simple", "no-grad-builds-no-graph", "passed"),
    ("dezero-simple", "config-isolated-between-threads", "failed"),
    ("chainer", "gradients-match-finite-differences", "passed"),
    ("chainer", "retain-grad-false-keeps-only-leaf-grads", "passed"),
    ("torch", "gradients-match-finite-differences", "passed"),
    ("torch", "retain-grad-true-keeps-intermediate-grads", "passed"),
    ("torch", "no-grad-builds-no-graph", "passed"),
    ("mygrad", "gradients-match-finite-differences", "passed"),
    ("mygrad", "retain-grad-false-keeps-only-leaf-grads", "failed"),
    ("mygrad", "config-restored-after-exception", "not-applicable"),
    ("micrograd", "forward-values-match-numpy", "passed"),
    ("micrograd", "graph-freed-by-reference-counting", "failed"),
    ("micrograd", "no-grad-builds-no-graph", "not-applicable"),
    ("jax", "gradients-match-finite-differences", "passed"),
    ("jax", "no-grad-builds-no-graph", "not-applicable"),
)


def engine_or_skip(name: str) -> Engine:
    """The named engine, or a skip that says why it cannot be imported here and how to get it."""
    try:
        return named_engine(name)
    except TargetLoadError as error:
        pytest.skip(f"{name}: {error}")


@pytest.mark.parametrize(("name", "prop_id", "status"), VERDICTS, ids=[f"{n}-{p}" for n, p, _ in VERDICTS])
def test_the_engine_gets_the_matrix_verdict(name: str, prop_id: str, status: str) -> None:
    engine = engine_or_skip(name)
    result, _ = run_property(BY_ID[prop_id], engine, Options(max_examples=10, seed=0))
    assert result.status == status, result.message


@pytest.mark.parametrize("name", ["torch", "mygrad", "micrograd", "jax", "chainer", "dezero"])
def test_grads_are_ndarrays_in_the_leaf_dtype(name: str) -> None:
    np = pytest.importorskip("numpy")
    engine = engine_or_skip(name)
    x = engine.variable(np.array([1.5, -2.0], dtype=np.float32))
    y = engine.square(engine.add(x, x))
    engine.backward(y, retain_grad=False)
    grad = engine.grad(x)
    assert isinstance(grad, np.ndarray) and grad.dtype == np.float32
    assert grad.tolist() == [12.0, -16.0]
    assert engine.data(y).dtype == np.float32


def test_torch_frees_a_deep_chain_the_adapter_built() -> None:
    """The adapter reads no `.grad_fn` while building: that made torch free the chain recursively (SIGSEGV).

    Run by the command line, in child processes, so that a regression is a failed property in
    a report, not a crash of this test run.
    """
    engine_or_skip("torch")
    done = subprocess.run([sys.executable, "-m", "specs", "check", "torch", "--only", "deep-graph-backward",
                           "--database", "none"], capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASS  deep-graph-backward" in done.stdout
