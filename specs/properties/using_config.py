"""Core properties of `using_config` itself: unknown names raise; the old value is read on entry."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Final, Literal, TypeAlias

from hypothesis import strategies as st

from specs.properties.base import Property, Violation, trial_maker
from specs.target.adapters.protocol import Engine

UNKNOWN_NAMES: Final = ("enable_backprob", "enable_grad", "train")
Block: TypeAlias = Literal["using_config(True)", "using_config(False)", "no_grad"]
BLOCKS: Final[tuple[Block, ...]] = ("using_config(True)", "using_config(False)", "no_grad")


def check_unknown_name(engine: Engine, name: str) -> None:
    """`with using_config(name, False):` raises AttributeError for a name Config lacks, leaving the flag alone."""
    call = f"with using_config({name!r}, False):\n    pass"
    try:
        with engine.using_config(name, False):
            pass
    except AttributeError:
        pass
    except Exception as error:
        raise Violation(f"using_config({name!r}, False) raised {type(error).__name__}: {error}; expected "
                        "AttributeError (Config has no such name)",
                        f"{call}  # raised {type(error).__name__}; expected AttributeError") from None
    else:
        raise Violation(f"using_config({name!r}, False) was accepted, though Config has no {name!r}: a misspelt "
                        "name must raise AttributeError, not pass silently (the book reads getattr(Config, name))",
                        f"{call}  # expected AttributeError")
    if engine.enable_backprop() is not True:
        raise Violation(f"after using_config({name!r}, False) failed, Config.enable_backprop is "
                        f"{engine.enable_backprop()!r}; the misspelt block must not touch it",
                        "print(Config.enable_backprop)  # expected True")


def _make(engine: Engine, block: Block) -> AbstractContextManager[object]:
    if block == "no_grad":
        return engine.no_grad()
    return engine.using_config("enable_backprop", block == "using_config(True)")


def _call(block: Block) -> str:
    return "no_grad()" if block == "no_grad" else f"using_config('enable_backprop', {block == 'using_config(True)'})"


def check_old_value_on_entry(engine: Engine, example: tuple[bool, Block]) -> None:
    """A block made while the flag was `prior`, entered after it changed, restores the value it found on entry."""
    prior, block = example
    engine.set_enable_backprop(prior)
    try:
        made = _make(engine, block)
        engine.set_enable_backprop(not prior)
        with made:
            pass
        after = engine.enable_backprop()
    finally:
        engine.set_enable_backprop(True)
    if after is not (not prior):
        raise Violation(
            f"a {_call(block)} block made while Config.enable_backprop was {prior} and entered after it was set to "
            f"{not prior} left it {after!r}: the old value is the one found on entry ({not prior}), not when "
            "the block was made",
            f"print(Config.enable_backprop)  # expected {not prior}",
        )


def _entry_code(example: tuple[bool, Block]) -> str:
    prior, block = example
    return (f"Config.enable_backprop = {prior}\nblock = {_call(block)}\n"
            f"Config.enable_backprop = {not prior}  # changed after the block is made, before it is entered\n"
            "with block:\n    pass\n")


_unknown_trial = trial_maker(check_unknown_name, lambda _: "", action=lambda name: f"with using_config({name!r}, False):\n    pass\n")
_entry_trial = trial_maker(check_old_value_on_entry, _entry_code, lambda ex: (frozenset({ex[1]}), 0))
_ENTRIES: Final = tuple((prior, block) for block in BLOCKS for prior in (True, False))

PROPERTIES: Final = (
    Property(
        id="using-config-rejects-unknown-names",
        tier="core",
        summary="using_config(name, value) raises AttributeError for a name Config lacks, as getattr does",
        needs=frozenset({"using_config", "Config"}),
        trials=st.sampled_from(UNKNOWN_NAMES).map(_unknown_trial),
        examples=tuple(_unknown_trial(name) for name in UNKNOWN_NAMES),
        max_examples=len(UNKNOWN_NAMES),
    ),
    Property(
        id="using-config-reads-old-value-on-entry",
        tier="core",
        summary="using_config / no_grad read the value to restore when the block is entered, not when it is made",
        needs=frozenset({"using_config", "no_grad", "Config"}),
        trials=st.sampled_from(_ENTRIES).map(_entry_trial),
        examples=tuple(_entry_trial(entry) for entry in _ENTRIES),
        max_examples=len(_ENTRIES),
    ),
)
