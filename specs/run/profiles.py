"""Hypothesis settings profiles for conformance runs: quick, default, thorough, a derandomized ci,
and campaign, for long runs on many workers and machines (docs/campaigns.md).

They are registered as `gradspec-quick`, ... so that they never replace a project's own
`default` or `ci` profile; `pytest --specs-profile=quick` (or `--hypothesis-profile=gradspec-quick`)
picks one. Every profile keeps `deadline=None`: the suite's own watchdog bounds an example.
"""

from __future__ import annotations

import os
from typing import Final

from hypothesis import settings

PROFILES: Final = ("quick", "default", "thorough", "ci", "campaign")


def profile_name(choice: str) -> str:
    """The registered Hypothesis name of one of PROFILES: `gradspec-<choice>`."""
    if choice not in PROFILES:
        raise ValueError(f"profile {choice!r} must be one of {', '.join(PROFILES)}")
    return f"gradspec-{choice}"


def default_choice() -> str:
    """`ci` when the CI environment variable is set (as CI services set it), else `default`."""
    return "ci" if os.environ.get("CI") else "default"


def register() -> None:
    """Register the five profiles with Hypothesis, each on top of Hypothesis's built-in defaults."""
    base = settings.get_profile("default")
    settings.register_profile("gradspec-quick", base, max_examples=10, deadline=None)
    settings.register_profile("gradspec-default", base, max_examples=100, deadline=None)
    settings.register_profile("gradspec-thorough", base, max_examples=1000, deadline=None)
    # CI: the same examples on every run, so a red build always reproduces; no database to carry
    settings.register_profile("gradspec-ci", base, max_examples=100, deadline=None, derandomize=True, database=None,
                              print_blob=True)
    # Campaign: 100 times the default. At 7-35 ms an example (refengine, one core) a property takes
    # 1-6 minutes and a whole run about 25 CPU-minutes: long enough to get past the small graphs
    # Hypothesis tries first, short enough that every run ends, reports and saves its failures
    # within the hour; a longer campaign repeats runs. Not derandomized, so each worker and each
    # repeat explores different examples. No database here: the suite's own option names it
    # (--specs-database, --database, database=), typically a Redis server all machines share.
    # print_blob as in ci, for @given tests of a project's own under this profile (the suite's
    # reports print a runnable snippet instead).
    settings.register_profile("gradspec-campaign", base, max_examples=10_000, deadline=None, derandomize=False,
                              print_blob=True)
