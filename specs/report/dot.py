"""Counterexample graphs drawn the way DeZero step 26 draws graphs: Graphviz DOT.

Variables are orange ellipses (name, shape, dtype, value, grad), functions light-blue boxes,
edges run from inputs to a function and from a function to its output. The value the failure
is about is highlighted in red, with what was expected. The graph is read from the snippet
itself (`x0 = Variable(...)`, `y0 = add(x0, x1)`, `y1 = square(y0)`), so every property that
prints such a snippet gets a picture; values and grads are the target's own (see `specs.target.replay`).
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass
from typing import Final

import numpy as np

from specs.target.adapters.protocol import Engine
from specs.target.replay import Replayed, Seen, observe

OPS: Final = {"add": "Add", "square": "Square"}
FONT: Final = 'fontname="Helvetica,Arial,sans-serif"'
WRONG: Final = 'color=red, fillcolor="#ff8a80", penwidth=3'
_MENTION: Final = re.compile(r"\b([A-Za-z_]\w*)(?:\.(grad|data|creator))?\b")


@dataclass(frozen=True, slots=True)
class Value:
    """A Variable the snippet makes: a leaf (`op` None) or a function's output."""

    name: str
    op: str | None
    inputs: tuple[int, ...]  # positions of earlier Values
    shape: tuple[int, ...] | None = None  # read from a leaf's literal, or carried from the inputs
    dtype: str | None = None


def snippet_values(snippet: str) -> list[Value]:
    """Every `name = Variable(...)`, `name = add(a, b)`, `name = square(a)` in the snippet, in order."""
    try:
        tree = ast.parse(snippet)
    except SyntaxError:
        return []
    assigns = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Assign)),
                     key=lambda n: (n.lineno, n.col_offset))
    values: list[Value] = []
    latest: dict[str, int] = {}
    for assign in assigns:
        call, target = assign.value, assign.targets[0]
        if len(assign.targets) != 1 or not isinstance(target, ast.Name) or not isinstance(call, ast.Call):
            continue
        function = call.func.id if isinstance(call.func, ast.Name) else ""
        if function == "Variable" and len(call.args) == 1:
            shape, dtype = _literal_layout(call.args[0])
            value = Value(target.id, None, (), shape, dtype)
        elif function in OPS and all(isinstance(a, ast.Name) and a.id in latest for a in call.args) and call.args:
            inputs = tuple(latest[a.id] for a in call.args if isinstance(a, ast.Name))
            first = values[inputs[0]]
            value = Value(target.id, function, inputs, first.shape, first.dtype)
        else:
            continue
        latest[target.id] = len(values)
        values.append(value)
    return values


def _literal_layout(node: ast.expr) -> tuple[tuple[int, ...] | None, str | None]:
    """The shape and dtype of `np.array(<literal>[, dtype=np.float32])`, when it is one."""
    if not (isinstance(node, ast.Call) and node.args):
        return None, None
    try:
        values = ast.literal_eval(node.args[0])
        dtypes = [k.value.attr for k in node.keywords if k.arg == "dtype" and isinstance(k.value, ast.Attribute)]
        array = np.array(values, dtype=dtypes[0] if dtypes else None)
    except (ValueError, TypeError, SyntaxError):
        return None, None
    return tuple(array.shape), str(array.dtype)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _expected(snippet: str, name: str, attr: str, message: str) -> str | None:
    """What the failing check expected of `name.attr`: the snippet's `# expected ...` comment."""
    for line in snippet.splitlines():
        if f"{name}.{attr}" in line and "# expected " in line:
            return line.split("# expected ", 1)[1].split(", got ")[0].strip()
    found = re.search(r"expected ([^;(]+)", message)
    return found.group(1).strip().rstrip(",") if found else None


def _blame(message: str, names: set[str]) -> tuple[str, str] | set[str]:
    """What the message blames: (name, "grad"/"data") for one wrong value, else the names and
    `name.creator`s it mentions (a leaked or wrongly recorded object)."""
    mentions = [(m.group(1), m.group(2)) for m in _MENTION.finditer(message.splitlines()[0] if message else "")]
    for name, attr in mentions:
        if name in names and attr in ("grad", "data"):
            return name, attr
    return {name if attr is None else f"{name}.{attr}" for name, attr in mentions if name in names}


def graph_dot(snippet: str, message: str, seen: dict[str, Seen] | None) -> str | None:
    """The DOT source of the snippet's graph, or None when it makes no Variable.

    `seen` holds what the target left in each Variable; None when the snippet was not run again.
    """
    values = snippet_values(snippet)
    if not values:
        return None
    last = {v.name: i for i, v in enumerate(values)}
    blamed = _blame(message, set(last))
    deleted = _deleted(snippet)
    title = textwrap.fill(message.splitlines()[0] if message else "counterexample", 72)
    lines = ["digraph g {", f"label={_quote(title)}; labelloc=t; fontsize=12; {FONT}", f"node [{FONT}]"]
    for i, value in enumerate(values):
        current = last[value.name] == i
        state = seen.get(value.name) if seen is not None and current else None
        label = [value.name] + _layout(value, state)
        if not current:
            label.append("(reassigned later)")
        elif value.name in deleted:
            label.append("(deleted by the snippet)")
        elif state is not None:
            label += [f"data {state.data}", f"grad {state.grad}"]
        wrong = current and (value.name in blamed if isinstance(blamed, set) else blamed[0] == value.name)
        if wrong and isinstance(blamed, tuple):
            expected = _expected(snippet, value.name, blamed[1], message)
            label.append(f"{blamed[1]} is wrong" + (f": expected {expected}" if expected else ""))
        colors = WRONG if wrong else "color=orange"
        lines.append(f"v{i} [label={_quote(chr(10).join(label))}, style=filled, {colors}]")
        if value.op is not None:
            lines.extend(_function(i, value, state, isinstance(blamed, set) and f"{value.name}.creator" in blamed))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _layout(value: Value, state: Seen | None) -> list[str]:
    """The label's `shape dtype` line: the target's own when seen, else the snippet's."""
    shape, dtype = (state.shape, state.dtype) if state is not None else (value.shape, value.dtype)
    return [] if shape is None else [f"{shape} {dtype}"]


def _deleted(snippet: str) -> set[str]:
    """The names the snippet deletes (`del y0, y1`)."""
    tree = ast.parse(snippet)
    return {t.id for node in ast.walk(tree) if isinstance(node, ast.Delete) for t in node.targets
            if isinstance(t, ast.Name)}


def _function(i: int, value: Value, state: Seen | None, wrong: bool) -> list[str]:
    """The box of the function that made value `i`, and its edges."""
    assert value.op is not None
    label, fill = OPS[value.op], "style=filled"
    if state is not None and not state.recorded:
        label, fill = f"{label}\n(no creator recorded)", 'style="filled,dashed"'
    colors = WRONG if wrong else "color=lightblue"
    edges = [f"v{j} -> f{i}" for j in value.inputs]
    return [f"f{i} [label={_quote(label)}, shape=box, {fill}, {colors}]", *edges, f"f{i} -> v{i}"]


def counterexample_dot(engine: Engine, snippet: str, message: str, replay: bool, seconds: float,
                       replayed: Replayed | None = None) -> str | None:
    """Draw a failing property's counterexample; `replay` runs the snippet (unless `replayed` did) for the target's values.

    Never raises: a picture that cannot be made is simply missing.
    """
    try:
        values = snippet_values(snippet)
        if not values:
            return None
        seen = observe(engine, snippet, {v.name for v in values}, seconds, replayed) if replay else None
        return graph_dot(snippet, message, seen)
    except Exception:
        return None
