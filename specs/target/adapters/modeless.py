"""A mixin for engines without a graph-building switch (micrograd, jax): the mode's names raise."""

from __future__ import annotations

from contextlib import AbstractContextManager

from specs.target.adapters.protocol import MissingName


class WithoutGradMode:
    """no_grad, using_config and Config for an engine that declares them unsupported."""

    def names(self) -> frozenset[str]:
        """Variable, add and square: all such an engine provides of the book's names."""
        return frozenset({"Variable", "add", "square"})

    def no_grad(self) -> AbstractContextManager[object]:
        """Declared unsupported."""
        raise MissingName("no_grad")

    def using_config(self, name: str, value: bool) -> AbstractContextManager[object]:
        """Declared unsupported."""
        raise MissingName("using_config")

    def enable_backprop(self) -> bool:
        """Declared unsupported."""
        raise MissingName("Config")

    def set_enable_backprop(self, value: bool) -> None:
        """Declared unsupported."""
        raise MissingName("Config")
