"""Core properties over random graphs: forward values, gradients, retain_grad, accumulation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, TypeAlias

import numpy as np

from specs.graphs.ir import FloatArray, Graph, features
from specs.graphs.oracle import Adjoints, adjoints, finite_differences, forward_values, mismatches
from specs.graphs.snippets import differing, graph_code, name_of, print_check, short
from specs.graphs.strategies import FAMOUS_GRAPHS, graphs
from specs.properties.base import Property, Violation, build, reading, trial_maker
from specs.target.adapters.protocol import Engine, Handle

GRAPH_NAMES: Final = frozenset({"Variable", "add", "square"})
GraphCheck: TypeAlias = Callable[[Engine, Graph], None]


def check_forward(engine: Engine, graph: Graph) -> None:
    """Every node's data equals numpy's result bit for bit, with the same shape and dtype."""
    handles = build(engine, graph)
    expected = forward_values(graph)
    for index in range(len(graph.leaves), graph.size):
        got, want = engine.data(handles[index]), expected[index]
        if _data_differs(got, want):
            name = name_of(graph, index)
            shown_got, shown_want = differing(got, want)
            raise Violation(
                f"{name}.data is {shown_got} ({got.dtype}), expected {shown_want} ({want.dtype})",
                print_check(f"{name}.data", want, got),
                reading(engine.data, name, lambda data: _data_differs(data, want)),
            )


def _data_differs(got: FloatArray, want: FloatArray) -> bool:
    return got.dtype != want.dtype or got.shape != want.shape or got.tobytes() != want.tobytes()


def _grad_problem(graph: Graph, index: int, got: FloatArray | None, reference: Adjoints, call: str,
                  passes: int = 1, scaled_for: str = "") -> str | None:
    """What is wrong with `got` as value `index`'s adjoint (in its shape and dtype), or None."""
    name = name_of(graph, index)
    want = reference.reference(index, graph.shape).astype(graph.dtype)
    if got is None:
        return f"{name}.grad is None after {call}, expected {short(want)}"
    if got.shape != graph.shape or got.dtype != np.dtype(graph.dtype):
        return f"{name}.grad has shape {got.shape} and dtype {got.dtype}; {name} has {graph.shape} and {graph.dtype}"
    wrong = mismatches(got, index, reference)
    if not wrong:
        return None
    element, value, exact, allowed = wrong[0]
    where = f"[{', '.join(map(str, np.unravel_index(element, graph.shape)))}]" if graph.shape else ""
    hint = ""
    if graph.is_leaf(index):  # the finite-difference gradient of one pass, times the passes made
        estimate = passes * finite_differences(graph, index).reshape(-1)[element]
        scaled_for = scaled_for or (f"{passes} passes" if passes > 1 else "")
        hint = f"; central differences give {estimate:.10g}" + (f" for {scaled_for}" if scaled_for else "")
    return (f"{name}.grad{where} is {value!r}, expected {float(exact)!r} (exact: {exact}; "
            f"allowed error {allowed:.2g}{hint})")


def _check_grad(engine: Engine, graph: Graph, index: int, got: FloatArray | None, reference: Adjoints, call: str,
                passes: int = 1, scaled_for: str = "") -> None:
    """Raise a Violation unless `got` is value `index`'s adjoint, in its shape and dtype."""
    problem = _grad_problem(graph, index, got, reference, call, passes, scaled_for)
    if problem is None:
        return
    name = name_of(graph, index)
    want = reference.reference(index, graph.shape).astype(graph.dtype)
    raise Violation(
        problem,
        f"{call}\n" + print_check(f"{name}.grad", want, got),
        reading(engine.grad, name, lambda grad: _grad_problem(graph, index, grad, reference, call) is not None),
    )


def _leaves_and_output(engine: Engine, graph: Graph) -> list[Handle]:
    """Build the graph and keep only what a learner's nested expression keeps: leaves and output.

    Intermediates then live only through the graph itself, so an engine that holds its
    inputs weakly loses them, as it would in `y = square(square(x))`.
    """
    handles = build(engine, graph)
    return handles[: len(graph.leaves)] + [handles[graph.output]]


def _expect_no_grad(engine: Engine, graph: Graph, index: int, got: FloatArray | None, call: str, why: str) -> None:
    """Raise a Violation unless value `index` has grad None after `call`."""
    if got is not None:
        name = name_of(graph, index)
        raise Violation(f"{name} {why}, yet {name}.grad is {short(got)} after {call}",
                        f"{call}\n" + print_check(f"{name}.grad", None, got),
                        reading(engine.grad, name, lambda grad: grad is not None))


def _expect_adjoints(engine: Engine, graph: Graph, handles: dict[int, Handle], call: str) -> None:
    """Values that reach the output hold their adjoint after `call`; the others hold None."""
    reference = adjoints(graph)
    reached = graph.ancestors()
    for index, handle in handles.items():
        got = engine.grad(handle)
        if index in reached:
            _check_grad(engine, graph, index, got, reference, call)
        else:
            _expect_no_grad(engine, graph, index, got, call, f"does not reach {name_of(graph, graph.output)}")


def check_gradients(engine: Engine, graph: Graph) -> None:
    """Leaf grads after `y.backward()` equal d sum(y) / d leaf; unreached leaves keep None."""
    handles = _leaves_and_output(engine, graph)
    engine.backward(handles[-1], retain_grad=False)
    leaves = dict(enumerate(handles[: len(graph.leaves)]))
    _expect_adjoints(engine, graph, leaves, f"{name_of(graph, graph.output)}.backward()")


def check_retain_false(engine: Engine, graph: Graph) -> None:
    """After `y.backward()` every non-leaf Variable, the output included, has grad None."""
    handles = build(engine, graph)
    call = f"{name_of(graph, graph.output)}.backward()"
    engine.backward(handles[graph.output], retain_grad=False)
    for index in range(len(graph.leaves), graph.size):
        _expect_no_grad(engine, graph, index, engine.grad(handles[index]), call, "is not a leaf")


def check_retain_true(engine: Engine, graph: Graph) -> None:
    """After `y.backward(retain_grad=True)` every ancestor of y holds its adjoint; others None."""
    handles = build(engine, graph)
    engine.backward(handles[graph.output], retain_grad=True)
    call = f"{name_of(graph, graph.output)}.backward(retain_grad=True)"
    _expect_adjoints(engine, graph, dict(enumerate(handles)), call)


def _double(reference: Adjoints) -> Adjoints:
    return Adjoints(
        [[2 * f for f in row] for row in reference.exact], [[2 * t for t in row] for row in reference.tolerance]
    )


def check_accumulation(engine: Engine, graph: Graph) -> None:
    """Two passes give twice the leaf grads; after `cleargrad()` one more pass gives them once."""
    handles = _leaves_and_output(engine, graph)
    output = name_of(graph, graph.output)
    reached = [i for i in range(len(graph.leaves)) if i in graph.ancestors()]
    reference = adjoints(graph)
    engine.backward(handles[-1], retain_grad=False)
    engine.backward(handles[-1], retain_grad=False)
    twice = _double(reference)
    for index in reached:
        _check_grad(engine, graph, index, engine.grad(handles[index]), twice,
                    f"{output}.backward()\n{output}.backward()", passes=2)
    for index in reached:
        engine.cleargrad(handles[index])
    engine.backward(handles[-1], retain_grad=False)
    for index in reached:
        _check_grad(engine, graph, index, engine.grad(handles[index]), reference, _accumulation_calls(graph).rstrip())


def _accumulation_calls(graph: Graph) -> str:
    """Every call the accumulation check makes, in order: shown when one of them raises."""
    output = name_of(graph, graph.output)
    clears = "".join(f"{name_of(graph, i)}.cleargrad()\n" for i in range(len(graph.leaves)) if i in graph.ancestors())
    return f"{output}.backward()\n{output}.backward()\n{clears}{output}.backward()\n"


def _describe(graph: Graph) -> tuple[frozenset[str], int]:
    return features(graph), len(graph.nodes)


def _backward_call(retain_grad: bool) -> Callable[[Graph], str]:
    flag = "retain_grad=True" if retain_grad else ""
    return lambda graph: f"{name_of(graph, graph.output)}.backward({flag})\n"


def _code_keeping_leaves_and_output(graph: Graph) -> str:
    """graph_code, then drop the intermediates, as `_leaves_and_output` does."""
    dropped = [name_of(graph, i) for i in range(len(graph.leaves), graph.size) if i != graph.output]
    return graph_code(graph) + (f"del {', '.join(dropped)}  # only the leaves and the output stay\n" if dropped else "")


def graph_property(
    id: str,
    summary: str,
    check: GraphCheck,
    action: Callable[[Graph], str] = lambda _: "",
    code: Callable[[Graph], str] = graph_code,
) -> Property:
    """A core property that runs `check` on random graphs, the famous ones first."""
    to_trial = trial_maker(check, code, _describe, action)
    return Property(
        id=id,
        tier="core",
        summary=summary,
        needs=GRAPH_NAMES,
        trials=graphs().map(to_trial),
        examples=tuple(to_trial(graph) for graph in FAMOUS_GRAPHS.values()),
    )


PROPERTIES: Final = (
    graph_property("forward-values-match-numpy", "node values equal numpy's, bit for bit", check_forward),
    graph_property(
        "gradients-match-finite-differences",
        "leaf grads equal the exact gradient of sum(y); unreached leaves keep None",
        check_gradients,
        _backward_call(False),
        _code_keeping_leaves_and_output,
    ),
    graph_property(
        "retain-grad-false-keeps-only-leaf-grads",
        "after y.backward() every non-leaf, y included, has grad None",
        check_retain_false,
        _backward_call(False),
    ),
    graph_property(
        "retain-grad-true-keeps-intermediate-grads",
        "after y.backward(retain_grad=True) every ancestor of y holds its adjoint",
        check_retain_true,
        _backward_call(True),
    ),
    graph_property(
        "grads-accumulate-across-backward-calls",
        "two passes give twice the leaf grads; after cleargrad() one pass gives them once",
        check_accumulation,
        _accumulation_calls,
        _code_keeping_leaves_and_output,
    ),
)
