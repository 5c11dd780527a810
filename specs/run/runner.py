"""Run properties against an engine with Hypothesis and turn what happens into results."""

from __future__ import annotations

import contextlib
import dataclasses
import re
import sysconfig
import time
import traceback
import unittest
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import hypothesis
import numpy as np
from hypothesis import HealthCheck, Phase, Verbosity, event, given, seed, settings, target
from hypothesis.control import currently_in_test_context
from hypothesis.database import ExampleDatabase
from hypothesis.errors import Flaky

from specs.graphs.snippets import printed
from specs.properties import PROPERTIES, Property, Trial, Violation
from specs.report.dot import counterexample_dot
from specs.report.report import Report
from specs.report.results import PropertyResult, Status
from specs.run.database import KeyedDatabase
from specs.target.adapters.protocol import Engine, MissingName
from specs.target.engines import evidence_of
from specs.target.probe import Blocked, BlockedRun, blocking_gaps
from specs.target.replay import Replayed, expected_comment, replay, with_got
from specs.target.watchdog import TargetHang, time_limit

SPECS_DIR: Final = Path(__file__).resolve().parents[1]  # specs/, two levels up from specs/run/runner.py
ADAPTERS_DIR: Final = SPECS_DIR / "target" / "adapters"
HYPOTHESIS_DIR = Path(hypothesis.__file__).resolve().parent
# What a trial may raise that the runner reports (KeyboardInterrupt stops the run instead)
_CAUGHT = (Exception, SystemExit, GeneratorExit, TargetHang)
NUMPY_DIR = Path(np.__file__).resolve().parent
STDLIB_DIR = Path(sysconfig.get_paths()["stdlib"]).resolve()


@dataclass(frozen=True, slots=True)
class Options:
    """How hard and how long to look: the runner's knobs, as the CLI spells them."""

    max_examples: int = 100
    seed: int | None = None
    only: tuple[str, ...] = ()
    timeout: float = 5.0
    database: ExampleDatabase | None = None
    on_example: Callable[[], None] | None = None  # called as each example starts (a heartbeat)


@dataclass
class Tally:
    """What the runner learns while Hypothesis calls a property."""

    calls: int = 0  # every call, shrinking included
    calls_to_first_failure: int = 0  # 0 while nothing failed
    last: Trial | None = None  # after a failure: the shrunk example Hypothesis replays last
    flag_resets: int = 0  # examples before which Config.enable_backprop had been left off
    features: Counter[str] = field(default_factory=Counter)  # of the examples counted in `examples`

    @property
    def examples(self) -> int:
        """Examples the verdict rests on: all of them, or those up to the first failure."""
        return self.calls_to_first_failure or self.calls


def selected(only: Sequence[str]) -> tuple[Property, ...]:
    """The properties to run, in report order; `only` (ids) narrows them."""
    if not only:
        return PROPERTIES
    return tuple(p for p in PROPERTIES if p.id in set(only))


def run(engine: Engine, options: Options, on_result: Callable[[PropertyResult], None] | None = None) -> Report:
    """Run the selected properties against `engine`, reporting each result as it is known."""
    report = Report(target=engine.label, properties=[], evidence=evidence_of(engine))
    resets = 0
    for prop in selected(options.only):
        result, tally = run_property(prop, engine, options)
        resets += tally.flag_resets
        report.properties.append(result)
        if on_result is not None:
            on_result(result)
    note_flag_resets(report, resets)
    return report


def note_flag_resets(report: Report, resets: int) -> None:
    """Tell the report how often the suite had to switch graph building back on, if ever."""
    if resets:
        examples = "1 example" if resets == 1 else f"each of {resets} examples"
        # "not True" rather than "False": an engine may leave 'False' (a string) or 0 there
        report.notes.append(f"your code left Config.enable_backprop not True: the suite set it back to True before {examples}")


def _start_fresh(engine: Engine, tally: Tally) -> None:
    """Every example starts with graph building on, whatever the target or a bug left behind."""
    try:
        if engine.enable_backprop() is not True:
            engine.set_enable_backprop(True)
            tally.flag_resets += 1
    except (MissingName, AttributeError):
        pass  # no Config: the properties that need it say so


def run_property(prop: Property, engine: Engine, options: Options) -> tuple[PropertyResult, Tally]:
    """Run one property; never raise for anything the target does."""
    tally = Tally()
    unsupported = engine.unsupported()
    keys = (prop.id, *sorted(prop.needs))  # a whole property, or a name it needs
    reasons = [f"`{key}`: {unsupported[key]}" for key in keys if key in unsupported]
    if reasons:
        message = f"{engine.label} has no counterpart for " + "; ".join(reasons)
        return PropertyResult(prop.id, prop.tier, "not-applicable", 0, 0.0, message), tally
    gaps = blocking_gaps(engine, prop.needs)
    if gaps:
        message = "blocked by a piece of the book's API the target lacks: " + "; ".join(g.message for g in gaps)
        shown = "".join(g.snippet for g in gaps)
        snippet = engine.snippet_header() + shown if shown else None
        return PropertyResult(prop.id, prop.tier, "failed", 0, 0.0, message, snippet), tally
    missing = sorted(prop.needs - engine.names())
    if missing:
        names = ", ".join(f"`{name}`" for name in missing)
        message = f"the target has no {names}, which this property needs"
        return PropertyResult(prop.id, prop.tier, "failed", 0, 0.0, message), tally
    seconds = options.timeout * prop.time_scale

    def body(trial: Trial) -> None:
        tally.calls += 1
        tally.last = trial
        if options.on_example is not None:
            options.on_example()
        searching = currently_in_test_context()  # a famous case runs before Hypothesis's search
        for feature in trial.features if searching else ():
            event(feature)
        if not tally.calls_to_first_failure:
            tally.features.update(trial.features)
        if trial.depth and searching:
            target(float(trial.depth), label="nodes")
        _start_fresh(engine, tally)
        try:
            with time_limit(seconds):
                trial.run(engine)
        except Blocked as blocked:  # the same on every example: nothing to shrink
            tally.calls_to_first_failure = tally.calls_to_first_failure or tally.calls
            raise BlockedRun(blocked) from None
        except BaseException:
            tally.calls_to_first_failure = tally.calls_to_first_failure or tally.calls
            raise

    test = given(prop.trials)(body)
    phases = [phase for phase in settings().phases if phase is not Phase.explain  # the profile's, less these
              and (phase is not Phase.shrink or prop.hypothesis_shrinks)]
    limit = options.max_examples if prop.max_examples is None else min(prop.max_examples, options.max_examples)
    database = KeyedDatabase(options.database, prop.id) if options.database is not None else None
    test = settings(
        max_examples=max(limit, 1),
        deadline=None,
        database=database,
        verbosity=Verbosity.quiet,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        # no explain phase: its notes ("these lines were always and only run by failing test cases")
        # are about the suite's code, never the learner's
        phases=phases,
    )(test)
    if options.seed is not None:
        test = seed(options.seed)(test)
    started = time.perf_counter()
    # The famous cases run first, but one that fails must not stop the search: Hypothesis's
    # failure, shrunk, is usually smaller; the famous one is reported only when the search finds none.
    failure: tuple[BaseException, Trial | None] | None = None
    famous: tuple[BaseException, Trial] | None = None
    try:
        famous = _first_failure(prop.examples if Phase.explicit in phases else (), body)
        test()
    except unittest.SkipTest:
        pass  # a profile with no phase that runs anything (e.g. replay-only, nothing saved): nothing failed
    except _CAUGHT as error:
        failure = (error, tally.last)
    except BlockedRun as run_blocked:  # a missing piece of the API: the same on every example
        failure = (run_blocked.blocked, None)
    failure = failure or famous
    result = _result(prop, engine, failure, seconds, tally)
    elapsed = time.perf_counter() - started
    if failure is None and prop.passed_message is not None:
        result = dataclasses.replace(result, message=prop.passed_message())
    return dataclasses.replace(result, seconds=round(elapsed, 3)), tally


def _first_failure(trials: Sequence[Trial], body: Callable[[Trial], None]) -> tuple[BaseException, Trial] | None:
    """Run the famous trials in order; the first failure and its trial, if any."""
    for trial in trials:
        try:
            body(trial)
        except _CAUGHT as error:
            return error, trial
    return None


def _result(prop: Property, engine: Engine, failure: tuple[BaseException, Trial | None] | None, seconds: float,
            tally: Tally) -> PropertyResult:
    """The property's result: passed, or what failed with its verified snippet and picture."""
    def made(status: Status, message: str, snippet: str | None = None, *, dot: str | None = None,
             replayed: str = "", details: str = "") -> PropertyResult:
        raised_at = "" if failure is None or isinstance(error, Violation) else _raised_at(error)
        return PropertyResult(prop.id, prop.tier, status, tally.examples, 0.0, message, snippet,
                              dict(tally.features), dot, details, replayed, raised_at)

    if failure is None:
        return made("passed", "")
    error, trial = failure
    if isinstance(error, MissingName):
        gap = error.gap.snippet if isinstance(error, Blocked) else ""
        return made("failed", error.report_message(), engine.snippet_header() + gap if gap else None)
    if isinstance(error, TargetHang):
        snippet = _snippet(engine, trial, None)
        message = f"{error} on the example below (a hang? it was not shrunk)"
        dot = counterexample_dot(engine, snippet, message, False, seconds) if snippet else None
        return made("failed", message, snippet, dot=dot,
                    replayed="not replayed: the example hung, so running it again would hang too" if snippet else "")
    if isinstance(error, Flaky):
        snippet = _snippet(engine, trial, None)
        return made("failed", "the target behaved differently on the same example (it failed, then passed when "
                    "run again): does it keep state between calls?", snippet,
                    replayed="not replayed: the target gave different results on the same example" if snippet else "")
    if not isinstance(error, Violation):
        status, message, details = _classify(error)
        if status == "error":
            example = _snippet(engine, trial, None)
            return made("error", message, None, details=details + (f"\n\nThe example:\n{example}" if example else ""))
    if trial is not None and trial.reduce is not None:
        with contextlib.suppress(*_CAUGHT):
            trial, error = trial.reduce(engine, error)
    if isinstance(error, Violation):
        message, check = error.message, error.check
    else:
        message, check = _classify(error)[1], None
    snippet = _snippet(engine, trial, check)
    if not snippet or not snippet.strip() or snippet == engine.snippet_header():
        return made("failed", message)
    verdict, replayed, snippet = _verify(engine, snippet, error, seconds, trial)
    dot = counterexample_dot(engine, snippet, message, True, seconds, replayed)
    return made("failed", message, snippet, dot=dot, replayed=verdict)


def _verify(engine: Engine, snippet: str, error: BaseException, seconds: float,
            trial: Trial | None = None) -> tuple[str, Replayed, str]:
    """Replay the snippet against the target: "reproduced", or what it did instead and the likely reason.

    The snippet comes back with its check's `# expected W, got G` saying what the replay printed.
    """
    replayed = replay(engine, snippet, seconds)
    if replayed.hung:
        return f"not reproduced: it did not finish within {seconds:g} s", replayed, snippet
    shown = with_got(snippet, replayed)
    if isinstance(error, Violation):
        judge = error.reproduces or expected_comment(snippet)
        if _raised_as_said(error.check, replayed):  # the check's own `# raised RecursionError`, raised again
            return "reproduced", replayed, shown
        if judge is None:
            if replayed.raised is None:
                return "replayed: it runs; this check's value was not compared", replayed, shown
        elif judge(replayed):
            return "reproduced", replayed, shown
    elif type(replayed.raised) is type(error):
        return "reproduced", replayed, _mark_raising_line(shown, replayed.raised)
    if replayed.raised is not None:
        did = f"it raised {type(replayed.raised).__name__}: {_first_line(replayed.raised)}"
    elif replayed.printed:
        did = f"it printed {printed(*replayed.printed[-1])}"
    else:
        did = "it ran without an error"
    return f"not reproduced: {did}; {_why_not(engine, trial, error, seconds)}", replayed, shown


_SAID_RAISED: Final = re.compile(r"#\s*raised (?P<name>\w+)\s*$", re.MULTILINE)


def _raised_as_said(check: str, replayed: Replayed) -> bool:
    """Whether a check that says `# raised NAME` on its failing call saw the replay raise NAME there too."""
    said = _SAID_RAISED.search(check)
    return said is not None and replayed.raised is not None and type(replayed.raised).__name__ == said["name"]


def _mark_raising_line(snippet: str, error: BaseException) -> str:
    """The snippet with `# raised TypeError` on the line of it that raised in the replay (unless commented)."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == "<counterexample>"]
    lines = snippet.splitlines(keepends=True)
    if not frames or not frames[-1].lineno or not 0 < frames[-1].lineno <= len(lines):
        return snippet
    index = frames[-1].lineno - 1
    if "#" in lines[index]:
        return snippet
    lines[index] = f"{lines[index].rstrip()}  # raised {type(error).__name__}\n"
    return "".join(lines)


def _why_not(engine: Engine, trial: Trial | None, error: BaseException, seconds: float) -> str:
    """Why a snippet did not show its failure, from running the example itself once more."""
    if trial is None:
        return "the example could not be run again to tell why"
    _start_fresh(engine, Tally())
    try:
        with time_limit(seconds):
            trial.run(engine)
    except _CAUGHT as again:
        if type(again) is not type(error):
            return (f"the example itself raised {type(again).__name__} when run again, not "
                    f"{type(error).__name__}: the target's results depend on what ran before it")
        return ("the example itself still fails when run again, so this code misses part of it: a bug in "
                "the suite's snippet, please report it")
    finally:
        _start_fresh(engine, Tally())
    return ("the example itself passed when run again: the target's results depend on what ran before it "
            "(state kept between calls, such as a counter or a cache)")


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else ""


def _owner(filename: str) -> str:
    """Whose code a traceback frame runs: "suite", "adapter", "library" or "target"."""
    if filename.startswith("<"):
        return "target"  # a notebook cell or exec'd source: the suite never runs code that way
    path = Path(filename).resolve()
    if path.is_relative_to(ADAPTERS_DIR):
        return "adapter"
    if path.is_relative_to(SPECS_DIR) or path.is_relative_to(HYPOTHESIS_DIR):
        return "suite"
    if path.is_relative_to(NUMPY_DIR) or (path.is_relative_to(STDLIB_DIR) and "site-packages" not in path.parts):
        return "library"
    return "target"


def _classify(error: BaseException) -> tuple[Status, str, str]:
    """A failure of the target, or (when it comes from the suite's own code) an error; and the full traceback."""
    frames = traceback.extract_tb(error.__traceback__)
    full = "".join(traceback.format_exception(error)).rstrip()
    for frame in reversed(frames):  # innermost first: whose code raised, skipping numpy and the stdlib
        owner = _owner(frame.filename)
        if owner == "suite":
            return ("error", f"the suite itself failed ({type(error).__name__}: {_first_line(error)}). "
                    "This is a bug in the suite; please report it (the JSON and HTML reports hold the traceback).",
                    full)
        if owner in ("adapter", "target"):
            break
    message = f"the target raised {type(error).__name__}: {_first_line(error)}"
    trace = _target_traceback(error)
    return "failed", message + (f"\n{trace}" if trace else ""), ""


def _raised_at(error: BaseException) -> str:
    """"TypeError at engine.py:33": the exception and the innermost line of the target's code it came through."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if _owner(f.filename) == "target"]
    return f"{type(error).__name__} at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""


def _target_traceback(error: BaseException) -> str:
    """The traceback through the target's own frames only: the part the user can act on.

    Frames of the suite, its adapters and Hypothesis never appear; numpy's or the standard
    library's appear only innermost, where the target's call into them raised.
    """
    frames = traceback.extract_tb(error.__traceback__)
    owners = [_owner(frame.filename) for frame in frames]
    if "target" not in owners:
        return ""
    last = max(i for i, owner in enumerate(owners) if owner == "target")
    kept = [f for f, o in zip(frames, owners) if o == "target"]
    kept += [f for f, o in zip(frames[last + 1 :], owners[last + 1 :]) if o == "library"]
    final = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__  # no notes: Hypothesis's
    lines = traceback.format_list(kept) + [final + "\n"]
    return ("Traceback (most recent call last, from the target's code):\n" + "".join(lines)).rstrip()


def _snippet(engine: Engine, trial: Trial | None, check: str | None) -> str | None:
    """The runnable counterexample: the trial's setup, then the failed check or its next action."""
    if trial is None:
        return None
    tail = trial.action_code() if check is None else check.rstrip("\n") + "\n" if check else ""
    return engine.snippet_header() + trial.setup_code() + tail
