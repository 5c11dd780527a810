"""Programs as a learner writes them, and the post-pass's smaller programs."""

from __future__ import annotations

from hypothesis import given, settings

from specs.graphs.ir import Apply, Backward, ClearGrad, Enter, Leave, MakeLeaf, Program
from specs.graphs.programs import program_code, smaller, valid
from specs.graphs.strategies import PLAIN_VALUES, programs

PROGRAM = Program("float64", (), (MakeLeaf((1.5,)), Enter("no_grad"), MakeLeaf((2.0,)), Apply("add", (0, 1)),
                                  Leave("ValueError"), Apply("square", (0,)), Enter("using_config(True)"),
                                  Backward(3, True), ClearGrad(1)))


def test_blocks_print_as_with_statements_and_try_except() -> None:
    assert program_code(PROGRAM, 8, "print(v0.grad)") == (
        "v0 = Variable(np.array(1.5))\n"
        "try:\n"
        "    with no_grad():\n"
        "        v1 = Variable(np.array(2.0))\n"
        "        v2 = add(v0, v1)\n"
        "        raise ValueError('probe')\n"
        "except ValueError:\n"
        "    pass\n"
        "v3 = square(v0)\n"
        "with using_config('enable_backprop', True):\n"
        "    v3.backward(retain_grad=True)\n"
        "    print(v0.grad)\n"
    )


def test_a_block_left_by_an_exception_last_keeps_it_for_the_check() -> None:
    code = program_code(PROGRAM, 5, "print(caught)")
    assert "caught = None\ntry:\n" in code and "except ValueError as error:\n    caught = error\nprint(caught)\n" in code
    assert program_code(PROGRAM, 2).endswith("with no_grad():\n    pass\n")  # never a `with` without a body


def test_every_smaller_program_is_valid_and_deleting_a_variable_takes_its_users() -> None:
    candidates = list(smaller(PROGRAM))
    assert candidates and all(valid(c) for c in candidates)
    without_square = [c for c in candidates if Apply("square", (0,)) not in c.steps and len(c.steps) == 7]
    assert without_square and all(not isinstance(s, Backward) for s in without_square[0].steps)
    assert any(len(c.steps) < len(PROGRAM.steps) for c in candidates)


@settings(max_examples=50, deadline=None)
@given(programs(max_steps=12))
def test_drawn_programs_are_valid_and_hold_plain_values(program: Program) -> None:
    assert valid(program)
    assert all(v in PLAIN_VALUES for s in program.steps if isinstance(s, MakeLeaf) for v in s.values)
    compile(program_code(program), "<program>", "exec")
    for candidate in smaller(program):
        assert valid(candidate)
        compile(program_code(candidate), "<candidate>", "exec")
