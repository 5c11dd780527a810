"""Fuzz the file and notebook loaders: a target either loads or fails with one clear line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specs.target.loader import TargetLoadError, load_target

ENGINE = "from refengine import Variable, add, square, Config, using_config, no_grad\n"
CELL_TEXTS = st.sampled_from(
    [ENGINE, "", "%matplotlib inline", "%%time\nx = 1", "!ls", "files = !ls", "x = 1\n  %time y = 2",
     "def f(:", "1 / 0", "import numpy as np", "\ufeffx = 1", "x = 1\r\ny = 2\r\n", "# only a comment"]
)
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"])


def _loads_or_says_why(path: Path) -> None:
    try:
        load_target(str(path))
    except TargetLoadError as error:
        assert str(error) and "\n" not in str(error)


FUZZ = settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)


@FUZZ
@given(cells=st.lists(CELL_TEXTS, max_size=5), encoding=ENCODINGS, crlf=st.booleans(), cut=st.integers(0, 400))
def test_notebooks_of_any_shape(tmp_path: Path, cells: list[str], encoding: str, crlf: bool, cut: int) -> None:
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                "cells": [{"cell_type": "code", "source": c, "metadata": {}, "outputs": [],
                           "execution_count": None} for c in cells]}
    text = json.dumps(notebook)
    if crlf:
        text = text.replace("\\n", "\\r\\n")
    data = text.encode(encoding, errors="replace")
    path = tmp_path / "fuzz.ipynb"
    path.write_bytes(data[: len(data) - cut] if cut % 3 == 0 else data)  # sometimes truncated
    _loads_or_says_why(path)


@FUZZ
@given(json_text=st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                              lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                                  st.sampled_from(["cells", "nbformat", "source", "cell_type", "x"]), inner, max_size=3),
                              max_leaves=8))
def test_notebooks_whose_json_is_not_a_notebook(tmp_path: Path, json_text: object) -> None:
    path = tmp_path / "odd.ipynb"
    path.write_text(json.dumps(json_text))
    _loads_or_says_why(path)


@FUZZ
@given(lines=st.lists(CELL_TEXTS, max_size=4), encoding=ENCODINGS, crlf=st.booleans())
def test_python_files_of_any_shape(tmp_path: Path, lines: list[str], encoding: str, crlf: bool) -> None:
    text = "\n".join(lines)
    if crlf:
        text = text.replace("\n", "\r\n")
    path = tmp_path / "fuzz.py"
    path.write_bytes(text.encode(encoding, errors="replace"))
    _loads_or_says_why(path)


@pytest.mark.parametrize("data", [b"", b"\xff\xfe\x00", b"\xef\xbb\xbf" + ENGINE.encode()])
def test_files_with_odd_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "odd.py"
    path.write_bytes(data)
    _loads_or_says_why(path)
