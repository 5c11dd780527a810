"""Hypothesis settings profiles for conformance runs: quick, default, thorough, and a derandomized ci.

They are registered as `gradspec-quick`, ... so that they never replace a project's own
`default` or `ci` profile; `pytest --specs-profile=quick` (or `--hypothesis-profile=gradspec-quick`)
picks one. Every profile keeps `deadline=None`: the suite's own watchdog bounds an example.
"""

from __future__ import annotations

import os
from typing import Final

from hypothesis import settings

PROFILES: Final = ("quick", "default", "thorough", "ci")


def profile_name(choice: str) -> str:
    """The registered Hypothesis name of one of PROFILES: `gradspec-<choice>`."""
    if choice not in PROFILES:
        raise ValueError(f"profile {choice!r} must be one of {', '.join(PROFILES)}")
    return f"gradspec-{choice}"


def default_choice() -> str:
    """`ci` when the CI environment variable is set (as CI services set it), else `default`."""
    return "ci" if os.environ.get("CI") else "default"


def register() -> None:
    """Register the four profiles with Hypothesis, each on top of Hypothesis's built-in defaults."""
    base = settings.get_profile("default")
    settings.register_profile("gradspec-quick", base, max_examples=10, deadline=None)
    settings.register_profile("gradspec-default", base, max_examples=100, deadline=None)
    settings.register_profile("gradspec-thorough", base, max_examples=1000, deadline=None)
    # CI: the same examples on every run, so a red build always reproduces; no database to carry
    settings.register_profile("gradspec-ci", base, max_examples=100, deadline=None, derandomize=True, database=None,
                              print_blob=True)
