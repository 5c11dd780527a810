"""The pure model of operation sequences: the book's quirks, and agreement with refengine."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import specs
from specs.graphs.ir import Apply, Backward, ClearGrad, Enter, Leave, MakeLeaf, Program, SetFlag
from specs.graphs.model import Model
from specs.graphs.programs import program_code


def _run(*steps: MakeLeaf | Apply | Backward | ClearGrad | Enter | Leave | SetFlag) -> Model:
    model = Model(Program("float64", (), steps))
    for step in steps:
        model.apply(step)
    return model


def test_a_second_retained_pass_starts_from_the_grads_the_first_left() -> None:
    # t = x^2, y = t^2; two passes with retain_grad=True: y.grad stays 1, t.grad doubles to 4t
    # during the second pass, so x.grad = 2x*2t + 2x*4t = 12 x t, not twice 4 x t.
    model = _run(MakeLeaf((1.5,)), Apply("square", (0,)), Apply("square", (1,)), Backward(2, True), Backward(2, True))
    x, t = Fraction(1.5), Fraction(1.5) ** 2
    assert model.variables[0].grad == [12 * x * t]
    assert model.variables[1].grad == [4 * t] and model.variables[2].grad == [Fraction(1)]


def test_without_retain_grad_only_leaves_keep_grads_and_cleargrad_resets() -> None:
    model = _run(MakeLeaf((3.0,)), Apply("add", (0, 0)), Backward(1, False), Backward(1, False), ClearGrad(0))
    assert model.variables[1].grad is None and model.variables[0].grad is None
    model = _run(MakeLeaf((3.0,)), Apply("add", (0, 0)), Backward(1, False), Backward(1, False))
    assert model.variables[0].grad == [Fraction(4)]


def test_blocks_and_assignments_drive_the_flag_and_creators() -> None:
    model = _run(
        MakeLeaf((1.0,)), Enter("no_grad"), Apply("square", (0,)), Enter("using_config(True)"),
        Apply("square", (0,)), Leave("KeyboardInterrupt"), Leave(None), SetFlag(False), Apply("add", (0, 0)),
    )
    assert [v.inputs is not None for v in model.variables] == [False, False, True, False]
    assert model.flag is False


def test_program_code_names_variables_and_blocks_as_they_are_made() -> None:
    program = Program("float32", (1,), (MakeLeaf((2.0,)), Enter("no_grad"), Apply("square", (0,)),
                                        Leave("ValueError"), Backward(1, True)))
    assert program_code(program) == (
        "v0 = Variable(np.array([2.0], dtype=np.float32))\n"
        "try:\n"
        "    with no_grad():\n"
        "        v1 = square(v0)\n"
        "        raise ValueError('probe')\n"
        "except ValueError:\n"
        "    pass\n"
        "v1.backward(retain_grad=True)\n"
    )


def test_refengine_and_the_books_code_match_the_model(book_path: Path) -> None:
    for target in (None, str(book_path)):
        report = specs.check(target, only=("operation-sequences-match-model",), max_examples=150, database=None)
        assert report.passed, report
