"""A step-18 notebook that swaps its definitions for `from refengine import *` prints the same."""

from __future__ import annotations

import contextlib
import io
from types import ModuleType

import refengine

# The step-18 experiments, written the way a learner types them into a notebook.
STEP_18_SESSION = """
import numpy as np

x0 = Variable(np.array(1.0))
x1 = Variable(np.array(1.0))
t = add(x0, x1)
y = add(x0, t)
y.backward()
print(y.grad, t.grad)
print(x0.grad, x1.grad)

for i in range(10):
    x = Variable(np.random.randn(10000))
    y = square(square(square(x)))

with using_config('enable_backprop', False):
    x = Variable(np.array(2.0))
    y = square(x)
    print(y.data, y.creator)

with no_grad():
    x = Variable(np.array(2.0))
    y = square(x)
    print(y.data, y.creator, Config.enable_backprop)
print(Config.enable_backprop)

x = Variable(np.array(3.0))
y = add(square(x), square(x))
y.backward(retain_grad=True)
print(y.grad, x.grad, y.generation)
"""

EXPECTED = """None None
2.0 1.0
4.0 None
4.0 None False
True
1.0 12.0 2
"""


def _run_session(names: dict[str, object]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(STEP_18_SESSION, dict(names))
    return out.getvalue()


def test_star_import_exports_exactly_the_step_18_api() -> None:
    assert set(refengine.__all__) == {
        "Variable", "Function", "Add", "Square", "add", "square", "as_array", "Config",
        "using_config", "no_grad", "Array",
    }


def test_refengine_prints_what_the_book_prints(book: ModuleType) -> None:
    star: dict[str, object] = {}
    exec("from refengine import *", star)
    assert _run_session(star) == EXPECTED
    assert _run_session(vars(book)) == EXPECTED
