"""Named adapters for engines that do not spell the book's API (`python -m specs check torch`).

A name maps to "module:factory"; the module is imported only when the name is asked for, so
an engine's heavy or optional dependencies are needed only by those who check that engine.
"""

from __future__ import annotations

import importlib
from typing import Final, cast

from specs.target.adapters.protocol import Engine

ADAPTERS: Final[dict[str, str]] = {
    "dezero": "specs.target.adapters.dezero_pkg:dezero_engine",
    "dezero-simple": "specs.target.adapters.dezero_pkg:dezero_simple_engine",
    "chainer": "specs.target.adapters.chainer_engine:ChainerEngine",
    "torch": "specs.target.adapters.torch_engine:TorchEngine",
    "mygrad": "specs.target.adapters.mygrad_engine:MygradEngine",
    "micrograd": "specs.target.adapters.micrograd_engine:MicrogradEngine",
    "jax": "specs.target.adapters.jax_engine:JaxEngine",
}


def named_engine(name: str) -> Engine:
    """Build the engine registered as `name` (a key of ADAPTERS)."""
    module_name, _, factory_name = ADAPTERS[name].partition(":")
    factory = getattr(importlib.import_module(module_name), factory_name)
    return cast(Engine, factory())
