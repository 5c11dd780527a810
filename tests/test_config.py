"""Semantics point 5: Config, using_config and no_grad."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from types import ModuleType
from typing import TypeVar

import numpy as np
import pytest

from refengine import Config, Variable, no_grad, square, using_config

T = TypeVar("T")


@pytest.mark.parametrize("prior", [True, False])
@pytest.mark.parametrize(
    "exc_type", [ValueError, KeyboardInterrupt, SystemExit, GeneratorExit, BaseException]
)
def test_using_config_restores_the_prior_value_when_the_block_raises(
    prior: bool, exc_type: type[BaseException]
) -> None:
    Config.enable_backprop = prior
    raised = exc_type("inside")
    with pytest.raises(exc_type) as caught:
        with using_config("enable_backprop", not prior):
            assert Config.enable_backprop is (not prior)
            raise raised
    assert caught.value is raised  # the exception passes through unchanged
    assert Config.enable_backprop is prior


def test_using_config_restores_on_normal_exit() -> None:
    with using_config("enable_backprop", False):
        assert Config.enable_backprop is False
    assert Config.enable_backprop is True


def test_nesting_restores_each_level() -> None:
    def nest(depth: int) -> None:
        if depth == 0:
            return
        before = Config.enable_backprop
        with using_config("enable_backprop", depth % 2 == 0):
            assert Config.enable_backprop is (depth % 2 == 0)
            nest(depth - 1)
            assert Config.enable_backprop is (depth % 2 == 0)
        assert Config.enable_backprop is before

    nest(60)
    assert Config.enable_backprop is True


def test_unknown_name_raises_at_the_call_naming_it_and_changes_nothing() -> None:
    with pytest.raises(AttributeError, match="'enable_backprob'"):
        using_config("enable_backprob", False)  # type: ignore[arg-type]
    assert Config.enable_backprop is True


def test_unknown_name_error_lists_the_known_names() -> None:
    with pytest.raises(AttributeError, match=r"\(known: enable_backprop\)$"):
        using_config("enable_backprob", False)  # type: ignore[arg-type]


def test_no_grad_switches_off_and_restores() -> None:
    with no_grad():
        assert Config.enable_backprop is False
        with no_grad():
            assert square(Variable(np.array(2.0))).creator is None
        assert Config.enable_backprop is False
    assert Config.enable_backprop is True


def _in_new_thread(work: Callable[[], T]) -> T:
    """Run `work` in a fresh thread and return what it returned."""
    results: list[T] = []
    thread = threading.Thread(target=lambda: results.append(work()))
    thread.start()
    thread.join()
    return results[0]


def test_no_grad_in_one_thread_leaves_another_building_graphs() -> None:
    with no_grad():
        assert _in_new_thread(lambda: square(Variable(np.array(2.0))).creator is not None)
    Config.enable_backprop = False
    assert _in_new_thread(lambda: Config.enable_backprop) is True


def test_the_books_config_leaks_across_threads(book: ModuleType) -> None:
    with book.no_grad():
        assert _in_new_thread(lambda: book.square(book.Variable(np.array(2.0))).creator is None)


def test_a_thread_switching_off_leaves_the_caller_on() -> None:
    def work() -> None:
        Config.enable_backprop = False

    _in_new_thread(work)
    assert Config.enable_backprop is True


def test_no_grad_in_one_asyncio_task_leaves_others_building_graphs() -> None:
    async def without_grad(entered: asyncio.Event, release: asyncio.Event) -> bool:
        with no_grad():
            entered.set()
            await release.wait()  # the other task runs while this one is inside no_grad()
            return Config.enable_backprop

    async def with_grad(entered: asyncio.Event, release: asyncio.Event) -> bool:
        await entered.wait()
        built = square(Variable(np.array(2.0))).creator is not None
        release.set()
        return built

    async def main() -> list[bool]:
        entered, release = asyncio.Event(), asyncio.Event()
        return list(await asyncio.gather(without_grad(entered, release), with_grad(entered, release)))

    assert asyncio.run(main()) == [False, True]
