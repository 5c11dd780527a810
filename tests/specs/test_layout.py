"""The suite's layout: no import cycles, and each stage imports only the stages its `__init__` names.

The import graph is read from the source (every import: at the top, inside a function, or
under TYPE_CHECKING), so a cycle that only shows at type-checking time fails here too.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping, Set
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STAGES = ("graphs", "target", "properties", "report", "run", "matrix")
MAY_IMPORT = re.compile(r"^May import: (?P<rule>.+)$", re.MULTILINE)


def module_names(package: Path) -> dict[str, Path]:
    """Every module under `package`, by dotted name (a package by its own name)."""
    names = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def imports_of(name: str, path: Path, known: Set[str]) -> Iterator[str]:
    """The modules of `known` that module `name` imports, wherever the import statement is."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package, `level - 1` packages up
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                if f"{base}.{alias.name}" in known:
                    yield f"{base}.{alias.name}"  # a submodule, imported by name
                elif base in known:
                    yield base


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module -> the modules of the same tree it imports."""
    modules = module_names(package)
    return {name: set(imports_of(name, path, modules.keys())) - {name} for name, path in modules.items()}


def cycles(graph: Mapping[str, Set[str]]) -> list[list[str]]:
    """Every strongly connected group of two or more modules, each as a path that closes the loop."""
    found: list[list[str]] = []
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    for start in sorted(graph):  # Tarjan's algorithm, iteratively: no recursion limit to hit
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        while work:
            node, children = work[-1]
            child = next((c for c in children if c not in index or c in stack), None)
            if child is not None and child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                work.append((child, iter(sorted(graph.get(child, ())))))
                continue
            if child is not None:
                low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while stack[-1] != node:
                    group.append(stack.pop())
                group.append(stack.pop())
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def stage_of(module: str) -> str | None:
    """The stage a module belongs to (`specs.report.html` -> "report"); None at the top of `specs`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STAGES else None


def allowed(stage: str) -> set[str]:
    """The stages a stage's `__init__` docstring says it may import (besides itself)."""
    docstring = ast.get_docstring(ast.parse((ROOT / "specs" / stage / "__init__.py").read_text(encoding="utf-8")))
    match = MAY_IMPORT.search(docstring or "")
    assert match, f"specs/{stage}/__init__.py's docstring has no 'May import:' line"
    return {name for name in re.findall(r"specs\.(\w+)", match["rule"]) if name in STAGES}


def test_the_cycle_finder_finds_a_cycle_and_only_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_specs_has_no_import_cycle() -> None:
    graph = import_graph(ROOT / "specs")
    assert len(graph) > 50  # the walk saw the whole suite
    assert cycles(graph) == []


def test_refengine_has_no_import_cycle_and_knows_nothing_of_the_suite() -> None:
    graph = import_graph(ROOT / "refengine")
    assert cycles(graph) == []
    sources = " ".join(path.read_text(encoding="utf-8") for path in (ROOT / "refengine").rglob("*.py"))
    assert not re.search(r"^\s*(from|import) specs\b", sources, flags=re.MULTILINE)


@pytest.mark.parametrize("stage", STAGES)
def test_a_stage_imports_only_the_stages_its_init_names(stage: str) -> None:
    may = allowed(stage) | {stage}
    upward = sorted(
        f"{module} imports {imported}"
        for module, imported_modules in import_graph(ROOT / "specs").items() if stage_of(module) == stage
        for imported in imported_modules if stage_of(imported) not in may
    )
    assert upward == []


def test_the_stages_stand_one_above_the_other() -> None:
    rules = {stage: allowed(stage) for stage in STAGES}
    assert cycles(rules) == []
    assert rules["graphs"] == set()  # the bottom: the model, strategies and oracles know no target


def test_every_module_of_specs_sits_in_a_stage_or_is_an_entry_point() -> None:
    top = {m for m in module_names(ROOT / "specs") if stage_of(m) is None}
    # check() and its re-exports, the CLI, the pytest plugin and the tests `pytest --pyargs specs` collects
    assert top == {"specs", "specs.__main__", "specs.pytest_plugin", "specs.test_conformance"}
