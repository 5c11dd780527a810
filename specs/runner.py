"""Run properties against an engine with Hypothesis and turn what happens into results."""

from __future__ import annotations

import time
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Verbosity, event, example, given, seed, settings, target
from hypothesis.database import ExampleDatabase
from hypothesis.errors import Flaky

from specs.adapters.protocol import Engine, MissingName
from specs.database import KeyedDatabase
from specs.dot import counterexample_dot
from specs.properties import PROPERTIES, Property, Trial, Violation
from specs.report import PropertyResult, Report, Status
from specs.watchdog import TargetHang, time_limit

SPECS_DIR = Path(__file__).resolve().parent
ADAPTERS_DIR = SPECS_DIR / "adapters"


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
    report = Report(target=engine.label, properties=[])
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
        report.notes.append(
            f"Config.enable_backprop was off before {resets} example(s) (left so by the target or an "
            "earlier example); the suite set it back to True each time"
        )


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
        for feature in trial.features:
            event(feature)
        if not tally.calls_to_first_failure:
            tally.features.update(trial.features)
        if trial.depth:
            target(float(trial.depth), label="nodes")
        _start_fresh(engine, tally)
        try:
            with time_limit(seconds):
                trial.run(engine)
        except BaseException:
            tally.calls_to_first_failure = tally.calls_to_first_failure or tally.calls
            raise

    test = given(prop.trials)(body)
    for trial in reversed(prop.examples):
        test = example(trial)(test)
    limit = options.max_examples if prop.max_examples is None else min(prop.max_examples, options.max_examples)
    database = KeyedDatabase(options.database, prop.id) if options.database is not None else None
    test = settings(
        max_examples=max(limit, 1),
        deadline=None,
        database=database,
        verbosity=Verbosity.quiet,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
    )(test)
    if options.seed is not None:
        test = seed(options.seed)(test)
    started = time.perf_counter()
    status: Status = "passed"
    message, snippet, replay = "", None, True
    try:
        test()
    except Violation as violation:
        status, message, snippet = "failed", violation.message, _snippet(engine, tally.last, violation.check)
    except TargetHang as hang:
        status, message, replay = "failed", f"{hang} on the example below (a hang? it was not shrunk)", False
        snippet = _snippet(engine, tally.last, None)
    except MissingName as missing_name:
        status, message = "failed", f"{missing_name}, which this property needs"
    except Flaky as flaky:
        status, message = "failed", f"the target behaved differently on the same example: {flaky}"
        snippet = _snippet(engine, tally.last, None)
    except (Exception, SystemExit, GeneratorExit) as error:
        status, message = _classify(error)
        snippet = _snippet(engine, tally.last, None)
    elapsed = time.perf_counter() - started
    if status == "passed" and prop.passed_message is not None:
        message = prop.passed_message()
    dot = counterexample_dot(engine, snippet, message, replay, seconds) if status == "failed" and snippet else None
    result = PropertyResult(prop.id, prop.tier, status, tally.examples, round(elapsed, 3), message, snippet,
                            dict(tally.features), dot)
    return result, tally


def _classify(error: BaseException) -> tuple[Status, str]:
    """A failure of the target, or (when it comes from the suite's own code) an error."""
    frames = traceback.extract_tb(error.__traceback__)
    where = Path(frames[-1].filename).resolve() if frames else SPECS_DIR
    own_code = where.is_relative_to(SPECS_DIR) and not where.is_relative_to(ADAPTERS_DIR)
    if own_code:
        text = "".join(traceback.format_exception(error)).rstrip()
        return "error", f"the suite itself failed (please report it): {type(error).__name__}: {error}\n{text}"
    return "failed", f"the target raised {type(error).__name__}: {error}\n{_target_traceback(error)}"


def _target_traceback(error: BaseException) -> str:
    """The traceback from the suite's last call into the target: the part the user can act on."""
    frames = traceback.extract_tb(error.__traceback__)
    suite = [i for i, frame in enumerate(frames) if Path(frame.filename).resolve().is_relative_to(SPECS_DIR)]
    start = suite[-1] + 1 if suite and suite[-1] + 1 < len(frames) else 0
    lines = traceback.format_list(frames[start:]) + traceback.format_exception_only(error)
    return ("Traceback (most recent call last, from the target's code):\n" + "".join(lines)).rstrip()


def _snippet(engine: Engine, trial: Trial | None, check: str | None) -> str | None:
    """The runnable counterexample: the trial's setup, then the failed check or its next action."""
    if trial is None:
        return None
    tail = trial.action_code() if check is None else check + "\n" if check else ""
    return engine.snippet_header() + trial.setup_code() + tail
