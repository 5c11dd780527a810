"""Counterexample pictures: DOT drawn as DeZero step 26 draws graphs, the wrong value in red."""

from __future__ import annotations

import gc
import re
import subprocess
from pathlib import Path

import pytest

import refengine
from specs.__main__ import main
from specs.report.dot import graph_dot, snippet_values
from specs.report.graphviz import inline_svg, render_svg
from specs.report.report import Report
from specs.target.adapters.dezero_style import DezeroStyle
from specs.target.replay import observe
from tests.workplaces.conftest import FAILING, PASSING, QUICK, needs_dot

SNIPPET = """import numpy as np
x0 = Variable(np.array([2.0, -0.5], dtype=np.float32))
y0 = square(x0)
y1 = add(y0, x0)
del y0
y1.backward()
print(repr(x0.grad))  # expected array([5., 0.], dtype=float32), got array([4., 1.], dtype=float32)
"""


def _node(dot: str, name: str) -> str:
    """The DOT line of the variable labelled `name`."""
    [line] = [line for line in dot.splitlines() if re.match(rf'v\d+ \[label="{name}\\n', line)]
    return line


def test_the_snippet_is_read_as_a_graph_of_variables_and_functions() -> None:
    values = snippet_values(SNIPPET)
    assert [(v.name, v.op, v.inputs) for v in values] == [
        ("x0", None, ()), ("y0", "square", (0,)), ("y1", "add", (1, 0))]
    assert values[2].shape == (2,) and values[2].dtype == "float32"


def test_variables_are_ellipses_functions_boxes_and_the_wrong_grad_is_red() -> None:
    dot = graph_dot(SNIPPET, "x0.grad[0] is 4.0, expected 5.0", seen={})
    assert dot is not None and dot.startswith("digraph g {")
    assert "shape=box" not in _node(dot, "x0") and "color=orange" in _node(dot, "y1")
    assert 'label="Square", shape=box' in dot and 'label="Add", shape=box' in dot
    assert "color=red" in _node(dot, "x0") and "grad is wrong: expected array([5., 0.], dtype=float32)" in dot
    assert "color=red" not in _node(dot, "y1")
    assert "(deleted by the snippet)" in _node(dot, "y0")
    assert dot.count("->") == 5  # x0 -> Square -> y0; y0, x0 -> Add -> y1


def test_labels_carry_name_shape_dtype_value_and_grad_as_the_target_left_them() -> None:
    engine = DezeroStyle(vars(refengine), "refengine")
    seen = observe(engine, SNIPPET, {"x0", "y0", "y1"}, seconds=5.0)
    assert set(seen) == {"x0", "y1"}  # y0 was deleted by the snippet
    dot = graph_dot(SNIPPET, "x0.grad[0] is 4.0, expected 5.0", seen)
    assert dot is not None
    assert "x0\\n(2,) float32\\ndata [ 2. , -0.5]\\ngrad [5., 0.]" in _node(dot, "x0")
    assert "grad None" in _node(dot, "y1")  # retain_grad=False cleared it


def test_replaying_a_snippet_puts_back_the_collector_and_the_flag() -> None:
    engine = DezeroStyle(vars(refengine), "refengine")
    snippet = ("import gc\ngc.disable()\nConfig.enable_backprop = False\n"
               "x0 = Variable(np.array(1.0))\nraise ValueError\n")
    seen = observe(engine, "import numpy as np\n" + snippet, {"x0"}, seconds=5.0)
    assert seen["x0"].data == "1" and gc.isenabled() and refengine.Config.enable_backprop is True


def test_a_snippet_without_variables_has_no_picture() -> None:
    assert graph_dot("Variable(1.0)  # should raise TypeError\n", "Variable(1.0) was accepted", {}) is None


def test_the_runner_draws_failing_graph_properties_only(failing_report: Report) -> None:
    by_id = {r.id: r for r in failing_report.properties}
    assert by_id[PASSING].dot is None
    dot = by_id[FAILING].dot
    assert dot is not None and "y0.grad is 2.0, expected 1.0" in dot
    assert "color=red" in _node(dot, "y0") and "grad is wrong: expected 1.0" in dot


def test_dot_dir_writes_a_file_per_failing_property(broken_engine: Path, tmp_path: Path) -> None:
    pictures = tmp_path / "pictures"
    argv = ["check", str(broken_engine), "--only", FAILING, "--only", PASSING, "--dot", str(pictures), *QUICK]
    assert main(argv) == 1
    dot = (pictures / f"{FAILING}.dot").read_text()
    assert dot.startswith("digraph g {") and not (pictures / f"{PASSING}.dot").exists()


def test_dot_dir_needs_an_existing_parent(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--dot", "/no/such/dir/pictures", *QUICK])
    assert exit_info.value.code == 2 and "--dot /no/such/dir/pictures: no directory" in capsys.readouterr().err


@needs_dot
def test_graphviz_renders_the_dot_and_the_svg_inlines_without_namespace_urls(failing_report: Report) -> None:
    [dot] = [r.dot for r in failing_report.properties if r.dot is not None]
    checked = subprocess.run(["dot", "-Tcanon"], input=dot, capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    svg = render_svg(dot)
    assert svg is not None and "<ellipse" in svg and "<polygon" in svg
    element = inline_svg(svg)
    assert element.startswith("<svg") and "http" not in element and "#ff8a80" in element
