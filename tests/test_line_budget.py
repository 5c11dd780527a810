"""refengine stays small enough to read in one sitting: a budget on its code lines."""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import refengine

BUDGET = 200
PACKAGE = Path(refengine.__file__).parent
NOT_CODE = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
            tokenize.ENDMARKER}


def code_lines(source: str) -> int:
    """Count lines holding code: not blank, not only a comment, not part of a docstring."""
    # Docstrings, and bare strings that document an assignment (the `Array` alias), are
    # expression statements holding only a string.
    docstring_lines: set[int] = set()
    for stmt in ast.walk(ast.parse(source)):
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            if isinstance(stmt.value.value, str):
                docstring_lines.update(range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1))
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in NOT_CODE:
            lines.update(range(token.start[0], token.end[0] + 1))
    return len(lines - docstring_lines)


def test_code_line_counter_skips_blanks_comments_and_docstrings() -> None:
    source = '"""Module doc."""\n\n# a comment\ndef f() -> int:\n    """Doc\n    more."""\n    return 1  # trailing\n'
    assert code_lines(source) == 2


def test_refengine_fits_its_line_budget() -> None:
    total = sum(code_lines(path.read_text()) for path in sorted(PACKAGE.glob("*.py")))
    assert 0 < total <= BUDGET, f"refengine has {total} code lines; the budget is {BUDGET}"
