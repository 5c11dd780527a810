"""Likely causes: the bugs learners write at step 18, recognised from a report's failures.

Each pattern reads the failures' signatures (which properties failed, with what message, and
which passed) and the evidence the targeted experiments gathered right after loading
(`specs.target.evidence`: what `Variable(None)`, `square` inside `no_grad()`, ... did) and, when
they confirm it, says the cause once, with the step-18 fix, and claims every failure it explains.
A crash is named only from the exception the target raised or an experiment that shows it.
Failures no pattern fits get no cause: a diagnosis is never a guess.
Extended properties (where the book itself differs) never trigger a diagnosis; a pattern may
still claim one as a consequence of the same bug.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Final, TypeAlias

from specs.report.results import PropertyResult, Results


GRADS: Final = "gradients-match-finite-differences"
RETAIN_FALSE: Final = "retain-grad-false-keeps-only-leaf-grads"
RETAIN_TRUE: Final = "retain-grad-true-keeps-intermediate-grads"
ACCUMULATE: Final = "grads-accumulate-across-backward-calls"
NO_GRAD: Final = "no-grad-builds-no-graph"
RESTORED: Final = "config-restored-after-exception"
REJECTS: Final = "variable-rejects-non-ndarray"
SEQUENCES: Final = "operation-sequences-match-model"
FREED: Final = "graph-freed-by-reference-counting"
FORWARD: Final = "forward-values-match-numpy"
DEEP: Final = "deep-graph-backward"
SEEDED: Final = "output-grad-set-beforehand-seeds-backward"
HANDED_OUT: Final = "handed-out-grads-are-never-mutated"
GENERATIONS: Final = "generations-follow-the-graph"
SMALL: Final = "small-graphs-match-exact-gradients"
RECURSION: Final = "backward-needs-no-recursion"
DEPTH_MEMORY: Final = "backward-memory-independent-of-depth"
READS_OLD: Final = "using-config-reads-old-value-on-entry"
CHAIN: Final = "after backward over the chain"  # the recursion and deep-graph properties' wrong-grad message

# The book's step-18 names: a missing or misspelled one is a cause of its own.
BOOK_NAMES: Final = frozenset({
    "Variable", "Function", "add", "square", "Config", "using_config", "no_grad", "as_array", "data", "grad",
    "creator", "generation", "cleargrad", "backward", "set_creator", "inputs", "outputs", "forward",
    "enable_backprop", "retain_grad",
})
_VALUE: Final = re.compile(r"^(?P<name>[xy]\d+)\.grad(?:\[[\d, ]+\])? is (?P<got>\S+?), expected (?P<want>\S+?)[ ,;(]")
_MISSING: Final = (
    re.compile(r"the target has no `(?P<name>\w+)`"),
    re.compile(r"`[\w.]+` has no (?:parameter )?`(?P<name>\w+)`"),  # the probe's "`Variable` has no `creator`"
    re.compile(r"the target's (?!NoneType)\w+ object has no attribute '(?P<name>\w+)'"),  # None: an op returned it
    re.compile(r"^the target raised AttributeError: (?:type object )?'(?!NoneType)\w+'(?: object)? has no attribute "
               r"'(?P<name>\w+)'"),
    re.compile(r"^the target raised NameError: name '(?P<name>\w+)' is not defined"),
)
_SPELLED: Final = re.compile(r"has no (?:parameter )?`(?P<name>\w+)`; it has `(?P<other>\w+)`")  # the loader's API probe
_NO_SELF: Final = re.compile(r"^the target raised TypeError: (?:\w+\.)?(?P<name>\w+)\(\) takes 0 positional arguments "
                             r"but 1 was given")
_AMBIGUOUS: Final = "The truth value of an array with more than one element is ambiguous"
_FLAG_AFTER_BLOCKS: Final = re.compile(r"after the blocks, Config\.enable_backprop is (True|False); it was")
_FLAG_AFTER_NO_GRAD: Final = re.compile(r"after leaving \d+ no_grad\(\) block\(s\), Config\.enable_backprop is")
_GAINED_DIMENSION: Final = re.compile(r"\.data is array\(\[[^\[\],]*\]\) \(\w+\), expected array\([^\[]")
_GRAD_GAINED_DIMENSION: Final = re.compile(r"\.grad has shape \(1,\) and dtype \w+; \w+ has \(\) and")
_DTYPES: Final = re.compile(r"\((?P<got>float\d+)\), expected .* \((?P<want>float\d+)\)")
_GRAD_DTYPE: Final = re.compile(r"\.grad has shape (\(.*?\)) and dtype (\w+); \w+ has \1 and (?!\2\b)")
_RESTORED_TO_TRUE: Final = "after the blocks, Config.enable_backprop is True; it was False"
_BASE_EXCEPTIONS: Final = re.compile(r"KeyboardInterrupt|SystemExit|GeneratorExit|ProbeError")


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """One likely cause: a line saying it, the step-18 fix, and the failed properties it explains."""

    id: str  # the pattern, kebab-case: the same for every target it fits (a class summary counts them)
    cause: str
    fix: str
    property_ids: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        """The JSON report's form: {"id", "cause", "fix", "properties"}."""
        return {"id": self.id, "cause": self.cause, "fix": self.fix, "properties": list(self.property_ids)}


@dataclass(frozen=True, slots=True)
class Failures:
    """A report seen by the patterns: failures by property id, and which properties passed."""

    failed: dict[str, PropertyResult]
    passed: frozenset[str]
    notes: tuple[str, ...] = ()
    evidence: Mapping[str, str] = field(default_factory=dict)  # the targeted experiments' outcomes
    target: str = ""

    def message(self, property_id: str) -> str:
        """The failure message of `property_id`, or "" when it did not fail."""
        result = self.failed.get(property_id)
        return "" if result is None else result.message

    def snippet(self, property_id: str) -> str:
        """The counterexample of `property_id`, or "" when it has none."""
        result = self.failed.get(property_id)
        return "" if result is None or result.counterexample is None else result.counterexample

    def wrong_values(self, *ids: str) -> tuple[str, ...]:
        """Those of `ids` that failed on a wrong grad value (not an exception, not a missing grad)."""
        return tuple(i for i in ids if _VALUE.match(self.message(i)))

    def mentions(self, property_id: str, text: str) -> tuple[str, ...]:
        """`(property_id,)` when it failed with `text` in its message, else ()."""
        return (property_id,) if text in self.message(property_id) else ()

    def saying(self, pattern: str, *, core_only: bool = False) -> tuple[str, ...]:
        """The failures whose message matches `pattern` anywhere (with `core_only`, no extended property)."""
        return tuple(i for i, r in self.failed.items() if re.search(pattern, r.message)
                     and not (core_only and r.tier == "extended"))

    def shown(self, key: str) -> str:
        """What the experiment `key` showed ("" when it did not run)."""
        return self.evidence.get(key, "")

    def raised(self, pattern: str) -> tuple[str, ...]:
        """The failures whose message says the target raised something matching `pattern`."""
        return tuple(i for i, r in self.failed.items() if r.message.startswith("the target raised")
                     and re.search(pattern, r.message))


Match: TypeAlias = Iterator[Diagnosis]
Pattern: TypeAlias = Callable[[Failures], Match]


def _ratio(message: str) -> float | None:
    """got / expected of a wrong-grad message, when both are finite and expected is not 0."""
    match = _VALUE.match(message)
    if match is None:
        return None
    try:
        got, want = float(match["got"].removeprefix("np.float64(").rstrip(")")), float(match["want"])
    except ValueError:
        return None
    return got / want if want else None


def missing_names(f: Failures) -> Match:
    """A book name the target lacks or spells differently (`creater`, `clear_grad`, `using_conifg`)."""
    by_name: dict[str, list[str]] = {}
    # an attribute the classes' code does assign is not missing: it was read before it was set
    assigned = {name for owner in ("variable", "function") for name in f.shown(f"{owner}-attributes").split(", ")}
    for property_id, result in f.failed.items():
        for index, pattern in enumerate(_MISSING):
            match = pattern.search(result.message)
            if match is not None and match["name"] in BOOK_NAMES and not (index in (2, 3) and match["name"] in assigned):
                by_name.setdefault(match["name"], []).append(property_id)
                break
    spelled = {m["name"]: m["other"] for note in f.notes for m in _SPELLED.finditer(note)}
    for name, ids in by_name.items():
        if name in spelled:  # the loader's probe found the near miss
            yield Diagnosis("missing-name", f"the engine spells `{name}` as `{spelled[name]}`",
                            f"rename `{spelled[name]}` to `{name}` everywhere (the book's spelling)", tuple(ids))
            continue
        yield Diagnosis("missing-name", f"the engine has no `{name}`: a step-18 name missing or spelled differently",
                        f"define `{name}` with the book's spelling (and use that spelling everywhere it is called)",
                        tuple(ids))


def method_without_self(f: Failures) -> Match:
    """`def cleargrad():` (no `self`): every call on a Variable raises TypeError."""
    by_name: dict[str, list[str]] = {}
    for property_id, result in f.failed.items():
        match = _NO_SELF.match(result.message)
        if match is not None:
            by_name.setdefault(match["name"], []).append(property_id)
    for name, ids in by_name.items():
        yield Diagnosis("method-without-self",
                        f"`{name}` is defined without `self`, so calling `x.{name}()` raises TypeError",
                        f"write `def {name}(self):` (for cleargrad: `self.grad = None`)", tuple(ids))


def compared_with_none(f: Failures) -> Match:
    """`x.grad == None` or `data != None` on an array: elementwise, so `if` raises on arrays."""
    ids = f.saying(re.escape(_AMBIGUOUS))  # "the target raised ..." or "Variable(...) raised ..."
    if ids:
        yield Diagnosis("compared-with-none",
                        "an array is compared with `== None` or `!= None`, which compares element by element, "
                        "so `if` raises ValueError on arrays of more than one element",
                        "test for None with `is None` / `is not None` (`if x.grad is None:`, "
                        "`if data is not None:`)", ids)


def grads_accumulated_in_place(f: Failures) -> Match:
    """`x.grad += gx`: the first grad is the very array of `gy`, so adding in place changes both."""
    message = f.message(RETAIN_TRUE)
    match = _VALUE.match(message)
    if match is None or not match["name"].startswith("y") or RETAIN_FALSE in f.failed or not f.wrong_values(GRADS):
        return
    ratio = _ratio(message)
    if ratio is not None and ratio <= 1:  # in place only ever adds to a grad already handed out
        return
    ids = (*f.wrong_values(GRADS, RETAIN_TRUE, ACCUMULATE, SEEDED, SMALL), *f.mentions(HANDED_OUT, "changed in place"),
           *f.mentions(SEQUENCES, ".grad"), *f.mentions(RECURSION, CHAIN), *f.mentions(DEEP, CHAIN))
    yield Diagnosis("grad-accumulated-in-place",
                    "grads are accumulated in place (`x.grad += gx`): the first grad a Variable gets is the very "
                    "array of its output's grad, so adding to it changes that grad too",
                    "accumulate into a new array: `x.grad = x.grad + gx` (as step 18 does)", ids)


def functions_out_of_order(f: Failures) -> Match:
    """No sort by generation (or generations set wrong): a function runs before all its output grads arrive."""
    retain = f.message(RETAIN_FALSE)
    if not (f.wrong_values(GRADS) and "is not a leaf, yet" in retain):
        return
    if any((r := _ratio(f.message(i))) is not None and r > 1 for i in f.wrong_values(GRADS)):
        return  # out of order only ever leaves a grad short
    ids = (*f.wrong_values(GRADS, RETAIN_TRUE, ACCUMULATE, SEEDED, SMALL), RETAIN_FALSE, *f.mentions(SEQUENCES, ".grad"),
           *f.mentions(GENERATIONS, ".generation is "))
    yield Diagnosis("functions-out-of-order",
                    "functions run in the wrong order: a function ran before every grad of its output had "
                    "arrived (no sort by generation, or `generation` not set as the book sets it)",
                    "set `self.generation = max(x.generation for x in inputs)` in `Function.__call__`, "
                    "`self.generation = func.generation + 1` in `set_creator`, and take the function of the "
                    "highest generation first (`funcs.sort(key=lambda x: x.generation)` then `funcs.pop()`)", ids)


def grad_overwritten(f: Failures) -> Match:
    """`x.grad = gx` without adding: a Variable used twice keeps only the last grad it got."""
    if not f.wrong_values(GRADS) or RETAIN_FALSE in f.failed:
        return
    ratios = [_ratio(f.message(i)) for i in f.wrong_values(GRADS, RETAIN_TRUE, ACCUMULATE)]
    if not all(r is not None and 0 < r < 1 for r in ratios):
        return  # overwriting only ever loses contributions
    twice = _ratio(f.message(ACCUMULATE))
    if twice is None or twice >= 0.5:
        return  # and never adds across passes: two give what one gave, less than half of twice the grad
    ids = (*f.wrong_values(GRADS, RETAIN_TRUE, ACCUMULATE, SEEDED, SMALL), *f.mentions(SEQUENCES, ".grad"),
           *f.mentions(RECURSION, CHAIN), *f.mentions(DEEP, CHAIN))
    yield Diagnosis("grad-overwritten", "grads are overwritten, not added: a Variable used more than once "
                    "(`add(x, x)`, a diamond) keeps only the last grad it got",
                    "add to a grad already there: `if x.grad is None: x.grad = gx` `else: x.grad = x.grad + gx`", ids)


def retain_grad_ignored(f: Failures) -> Match:
    """`retain_grad=False` keeps intermediate grads: they are never cleared, and a second pass reuses them."""
    if "is not a leaf, yet" not in f.message(RETAIN_FALSE) or GRADS in f.failed or RETAIN_TRUE in f.failed:
        return
    ids = (RETAIN_FALSE, *f.wrong_values(ACCUMULATE), *f.mentions(SEQUENCES, ".grad"),
           *f.mentions(DEPTH_MEMORY, "grads of the intermediates are kept"))
    yield Diagnosis("retain-grad-ignored",
                    "`retain_grad` is ignored: intermediate grads are kept after `backward()`, and the next "
                    "pass starts from them",
                    "end each step of the backward loop with `if not retain_grad: for y in f.outputs: "
                    "y().grad = None`", ids)


def cleargrad_does_not_reset(f: Failures) -> Match:
    """`cleargrad` that leaves `self.grad` as it is (`grad = None`, `pass`): the third pass adds to two."""
    message = f.message(ACCUMULATE)
    if "cleargrad()" not in f.snippet(ACCUMULATE) or _ratio(message) != 3.0 or GRADS in f.failed:
        return
    ids = (ACCUMULATE, *f.mentions(SEQUENCES, ".grad"))
    yield Diagnosis("cleargrad-does-not-reset",
                    "`cleargrad()` does not reset the grad: after it, the next `backward()` adds to the old grad",
                    "write `def cleargrad(self): self.grad = None` (with `self.`)", ids)


def outputs_held_strongly(f: Failures) -> Match:
    """`self.outputs = outputs`: Variable -> Function -> Variable is a reference cycle."""
    if "reference cycle" not in f.message(FREED) or f.shown("function-outputs") == "weak references":
        return  # weak outputs: the cycle runs elsewhere (a recursive helper, another attribute), not named here
    ids = (FREED, *(i for i in (DEEP,) if "did not free it" in f.message(i)))
    yield Diagnosis("outputs-held-strongly",
                    "each Function holds its outputs strongly, so a Variable and its creator form a reference "
                    "cycle that reference counting never frees",
                    "keep weak references: `self.outputs = [weakref.ref(output) for output in outputs]`, and read "
                    "grads with `output().grad`", ids)


def restore_without_finally(f: Failures) -> Match:
    """`using_config` that restores after `yield` without `try/finally` (or only on `Exception`)."""
    message = f.message(RESTORED)
    only_exception = bool(_BASE_EXCEPTIONS.search(f.snippet(RESTORED) + f.message(SEQUENCES)))
    # "True; it was False" is a constant restore, unless only a KeyboardInterrupt-like exit shows it
    if not _FLAG_AFTER_BLOCKS.search(message) or NO_GRAD in f.failed or (
            _RESTORED_TO_TRUE in message and not _BASE_EXCEPTIONS.search(f.snippet(RESTORED))):
        return
    ids = (RESTORED, *(i for i in (SEQUENCES,) if "Config.enable_backprop is" in f.message(i)))
    how = ("restores the flag only when an `Exception` leaves the block (not on KeyboardInterrupt, SystemExit, ...)"
           if only_exception else "does not restore the flag when an exception leaves the block")
    yield Diagnosis("using-config-without-finally", f"`using_config` {how}",
                    "restore in `finally`: `try: yield` then `finally: setattr(Config, name, old_value)`", ids)


def flag_not_restored(f: Failures) -> Match:
    """`no_grad` / `using_config` that leaves `Config.enable_backprop` changed after a normal exit."""
    left_changed = _FLAG_AFTER_NO_GRAD.search(f.message(NO_GRAD))
    constant = _RESTORED_TO_TRUE in f.message(RESTORED) and not _BASE_EXCEPTIONS.search(f.snippet(RESTORED))
    if not (left_changed or constant):
        return
    ids = (*f.mentions(NO_GRAD, "Config.enable_backprop is"), *f.mentions(RESTORED, "Config.enable_backprop is"),
           *f.mentions(SEQUENCES, "Config.enable_backprop is"),
           *(f.mentions(READS_OLD, "left it True") if constant else ()))  # a constant True is no old value
    yield Diagnosis("flag-not-restored", "`Config.enable_backprop` is not put back as it was before the `with` "
                    "block (left changed, or set to a constant instead of the saved value)",
                    "save `old_value = getattr(Config, name)` before `setattr`, and restore it in `finally` "
                    "(`no_grad()` returns `using_config('enable_backprop', False)`)", ids)


def as_array_changes_values(f: Failures) -> Match:
    """`as_array` that wraps a scalar as `np.array([x])` or converts to another dtype."""
    message = f.message(FORWARD)
    dtype = _DTYPES.search(message)
    grads = (GRADS, RETAIN_TRUE, ACCUMULATE, SEEDED, SMALL)
    if _GAINED_DIMENSION.search(message):
        ids = (FORWARD, *(i for i in grads if _GRAD_GAINED_DIMENSION.search(f.message(i))),
               *(i for i in (RECURSION, DEEP) if re.search(r"grad is array\(\[[^\[\],]*\]\) " + CHAIN, f.message(i))))
        yield Diagnosis("as-array-adds-a-dimension",
                        "the outputs' data gain a dimension: `as_array` wraps a numpy scalar as `np.array([x])`",
                        "write `as_array` as the book does: `if np.isscalar(x): return np.array(x)` then `return x`",
                        ids)
    elif dtype is not None and dtype["got"] != dtype["want"]:
        ids = (FORWARD, *(i for i in grads if _GRAD_DTYPE.search(f.message(i))),
               *(f.mentions(NO_GRAD, "dtype=") if f.mentions(NO_GRAD, "inside no_grad(), ") else ()))
        yield Diagnosis("dtype-changed", f"the outputs' data are {dtype['got']} where numpy gives {dtype['want']}: "
                        "`as_array` (or `forward`) converts the dtype",
                        "keep numpy's result as it is: `np.array(x)` only for a numpy scalar, with no `dtype=` "
                        "and no `float(...)`", ids)


def variable_accepts_non_arrays(f: Failures) -> Match:
    """`Variable(1.0)` accepted: no `isinstance(data, np.ndarray)` check, or one that lets floats through."""
    if " was accepted; " not in f.message(REJECTS):  # the property's word for it: not a crash, not None refused
        return
    yield Diagnosis("variable-accepts-non-arrays",
                    "`Variable` accepts data that is not an ndarray (a float, a list, ...)",
                    "in `Variable.__init__`: `if data is not None and not isinstance(data, np.ndarray): "
                    "raise TypeError(f'{type(data)} is not supported')`", (REJECTS,))


_NAME_ERROR: Final = re.compile(r"NameError: name '(?P<name>\w+)' is not defined")
_FRAME: Final = re.compile(r'^  File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<function>\S+)$', re.M)
_NONE: Final = r"NoneType"  # what using an op's None as a Variable raises


def _where(message: str) -> str:
    """Where the target's traceback in `message` raised: "line 31, in `__init__`" (a notebook: its cell too)."""
    frames = list(_FRAME.finditer(message))
    if not frames:
        return ""
    last = frames[-1]
    cell = last["file"].partition(".ipynb ")[2]
    return f"{cell + ', ' if cell else ''}line {last['line']}, in `{last['function']}`"


def name_not_defined(f: Failures) -> Match:
    """A NameError at call time for a name that is not one of the book's: `np` never imported, or imported by a
    cell that raised first."""
    by_name: dict[str, list[str]] = {}
    for property_id, result in f.failed.items():
        match = _NAME_ERROR.search(result.message)
        if match is not None and match["name"] not in BOOK_NAMES:
            by_name.setdefault(match["name"], []).append(property_id)
    for name, ids in by_name.items():
        where = next((w for i in ids if (w := _where(f.message(i)))), "")
        used = f" ({where})" if where else ""
        failed_first = f.shown(f"load-failure-binds:{name}")
        notebook = f.target.endswith(".ipynb")
        code = ("import numpy as np" if name == "np" else f"import {name}" if name in sys.stdlib_module_names
                else None)
        importing = f"`{code}`" if code else f"what defines `{name}`"
        if failed_first:
            yield Diagnosis("name-not-defined", f"`{name}` is not defined when your code runs{used}: {failed_first}, "
                            f"before `{name}` was defined",
                            f"a cell stops at its first error: put {importing} in a cell of its own that runs, or "
                            "fix what fails in that cell" if notebook else
                            f"put {importing} on a line of its own, or fix what fails in that statement",
                            tuple(ids))
            continue
        where_to = "in the first cell (and run it)" if notebook else "at the top of the file"
        fix = (f"add `import numpy as np` {where_to}" if name == "np" else
               f"add `import {name}` {where_to}" if name in sys.stdlib_module_names else  # weakref, contextlib
               f"define or import `{name}` {where_to}, before the code that uses it (check its spelling)")
        yield Diagnosis("name-not-defined", f"`{name}` is not defined when your code runs{used}"
                        + (": numpy is not imported as `np`" if name == "np" else ""), fix, tuple(ids))


def function_run_twice(f: Failures) -> Match:
    """No `seen_set` in `add_func`: a function reached through two outputs is queued, and run, twice."""
    runs = re.fullmatch(r"ran (\d+) times?", f.shown("shared-function-runs"))
    if runs is None or int(runs[1]) < 2:
        return
    ids = (*f.wrong_values(GRADS, RETAIN_TRUE, ACCUMULATE, SEEDED, SMALL), *f.raised(r"TypeError: .*NoneType"),
           *f.mentions(SEQUENCES, ".grad"), *f.mentions(SMALL, ".grad"))
    if ids:
        yield Diagnosis("function-run-twice",
                        f"a function reached twice runs twice: in `y0 = square(x); add(y0, y0).backward()`, "
                        f"square's backward ran {runs[1]} times (no `seen_set` in `add_func`), so its input gets "
                        "its grad twice, or the second run finds the output's grad already cleared (None)",
                        "queue a function once: `if f not in seen_set: funcs.append(f); seen_set.add(f)` "
                        "(then sort by generation)", ids)


def recursive_backward(f: Failures) -> Match:
    """A recursive topological sort or backward: a chain deeper than the recursion limit raises RecursionError."""
    if "RecursionError" not in f.message(RECURSION):
        return
    yield Diagnosis("recursive-backward",
                    "`backward` walks the graph recursively (a recursive topological sort or a function calling "
                    "itself): a chain deeper than Python's recursion limit (1,000) raises RecursionError",
                    "walk the graph with a loop, as step 18 does: `funcs = []`, `add_func(self.creator)`, then "
                    "`while funcs: f = funcs.pop()` ... `add_func(x.creator)` for each input",
                    (RECURSION, *f.mentions(DEEP, "RecursionError")))


def without_as_array(f: Failures) -> Match:
    """`Variable(y)` in `Function.__call__`: on 0-d data a forward returns a numpy scalar, which `Variable` refuses."""
    scalar, array = f.shown("function-scalar-forward"), f.shown("function-0d-forward")
    refused = f.shown("variable-numpy-scalar")
    if not (scalar.startswith("raised ") and array == "returned a Variable" and refused == scalar):
        return  # the experiment: a 0-d array goes through Function.__call__, the same value as a numpy scalar fails
    error = scalar.removeprefix("raised ")
    ids = f.saying(re.escape(error), core_only=True)
    if not ids:
        return
    defined = f.shown("as-array") == "defined"
    yield Diagnosis("function-call-without-as-array",
                    "`Function.__call__` does not wrap outputs with `as_array`: on 0-d data `forward` returns a numpy "
                    f"scalar (`np.float64`), not an ndarray, and your `Variable` refuses it ({error})",
                    "in `Function.__call__`: `outputs = [Variable(as_array(y)) for y in ys]`" + (
                        "" if defined else ", with the book's `def as_array(x): if np.isscalar(x): return "
                        "np.array(x)` then `return x`"), ids)


def returns_none(f: Failures) -> Match:
    """An op, or `Function.__call__`, that returns None: always (no `return`), or only inside `no_grad()` (the
    `return` indented under `if Config.enable_backprop:`)."""
    ops = [op for op in ("square", "add") if f.shown(op) == "returned None"]
    in_no_grad = [op for op in ("square", "add") if f.shown(f"{op}-no-grad") == "returned None"
                  and f.shown(op) == "returned a Variable"]
    # an extended property only when the adapter's words say an op's None was used (the book's own leaf
    # backward raises a NoneType error too)
    ids = (*f.saying(_NONE, core_only=True), *f.saying(r"the target's NoneType object"))
    if not ids or not (ops or in_no_grad):
        return
    if ops:
        if f.shown("function-0d-forward") == "returned None":
            yield Diagnosis("op-returns-none", "`Function.__call__` returns None: it never returns its outputs",
                            "end `Function.__call__` with `return outputs if len(outputs) > 1 else outputs[0]`", ids)
            return
        names = " and ".join(f"`{op}`" for op in ops)
        yield Diagnosis("op-returns-none", f"{names} {'returns' if len(ops) == 1 else 'return'} None, not a "
                        "Variable (`Function.__call__` itself returns one): a `return` is missing",
                        "return it: " + ", ".join("`def square(x): return Square()(x)`" if op == "square" else
                                                  "`def add(x0, x1): return Add()(x0, x1)`" for op in ops), ids)
        return
    line = f.shown("return-under-backprop-if")
    if f.shown("function-no-grad") == "returned None":
        how = (f": its `return` ({line}) is indented under `if Config.enable_backprop:`" if line else "")
        yield Diagnosis("returns-none-under-no-grad", "`Function.__call__` returns None inside `no_grad()` (when "
                        f"`Config.enable_backprop` is False){how}",
                        "dedent the `return` out of the `if Config.enable_backprop:` block, so that it runs in both "
                        "modes: `return outputs if len(outputs) > 1 else outputs[0]`", ids)
        return
    names = " and ".join(f"`{op}`" for op in in_no_grad)
    yield Diagnosis("returns-none-under-no-grad", f"{names} {'returns' if len(in_no_grad) == 1 else 'return'} None "
                    "inside `no_grad()` (when `Config.enable_backprop` is False)",
                    "return the output in both modes: the `return` must not depend on `Config.enable_backprop`", ids)


def variable_rejects_none(f: Failures) -> Match:
    """`Variable(None)` raises: the type check runs even when there is no data."""
    ids = f.saying(r"Variable\(None\) raised (?!NameError)")  # the property's words: unambiguous on their own
    shown = f.shown("variable-none")
    if not ids or shown == "accepted":
        return
    raised = shown or re.sub(r"^Variable\(None\) (raised [^;]*);.*", r"\1", f.message(ids[0]), flags=re.S)
    yield Diagnosis("variable-rejects-none", f"`Variable` rejects `None`: `Variable(None)` {raised}, but step 18 "
                    "accepts None (a Variable with no data yet)",
                    "check the type only when there is data: `if data is not None:` then `if not isinstance(data, "
                    "np.ndarray): raise TypeError(...)`", ids)


def function_redefined_after_ops(f: Failures) -> Match:
    """A notebook that defined `Function` again after `Add`/`Square`: they keep the old one, which ignores no_grad."""
    stale = f.shown("stale-function")
    if not stale or f.shown("function-no-grad") != "returned a Variable with no creator":
        return
    ops = [op for op in ("square", "add") if f.shown(f"{op}-no-grad") == "returned a Variable with a creator"]
    ids = f.saying(r"no_grad|creator", core_only=True)
    if not ops or not ids:
        return
    classes = " and ".join(f"`{name}`" for name in stale.split(", "))
    yield Diagnosis("function-redefined-after-ops",
                    f"{classes} {'was' if ',' not in stale else 'were'} made from an older `Function`: the notebook "
                    f"defines `Function` again after {'it' if ',' not in stale else 'them'}, so `no_grad()` does "
                    f"nothing for {' and '.join(f'`{op}`' for op in ops)}",
                    f"run the cells that define {classes} again after the new `Function` (a class keeps the "
                    "`Function` it was made from), or keep one `Function` above them and Restart & Run All", ids)


def graph_built_under_no_grad(f: Failures) -> Match:
    """`no_grad()` that records the graph all the same: the flag stays True inside it, or `Function.__call__` never
    reads it (`if True:`, or a copy of the flag taken once)."""
    flag = f.shown("no-grad-flag")
    ids = f.saying(r"no_grad|creator", core_only=True)
    if f.shown("function-no-grad") != "returned a Variable with a creator" or flag not in ("True", "False") or not ids:
        return
    if flag == "True":
        yield Diagnosis("no-grad-leaves-backprop-on", "`no_grad()` leaves `Config.enable_backprop` True, so the graph "
                        "is recorded inside it as outside", "`def no_grad(): return using_config('enable_backprop', "
                        "False)`", ids)
        return
    yield Diagnosis("function-ignores-no-grad", "`Function.__call__` records the graph inside `no_grad()` too: it "
                    "does not check `Config.enable_backprop` when it is called",
                    "record the graph only `if Config.enable_backprop:` (the generation, `set_creator`, `inputs`, "
                    "`outputs`), reading `Config.enable_backprop` itself at each call, not a copy", ids)


def call_returns_a_list(f: Failures) -> Match:
    """`return outputs` for one output too: `square(x)` gives `[y]`, which the book's code never indexes."""
    kinds = {f.shown(key) for key in ("function-0d-forward", "square", "add")} & {"returned a list", "returned a tuple"}
    ids = f.saying(r"returned a (list|tuple), not a Variable")
    if not kinds or not ids:
        return
    kind = min(kinds).removeprefix("returned a ")
    yield Diagnosis("call-returns-a-list", f"`Function.__call__` returns a {kind} even for one output, so `square(x)` "
                    f"and `add(x0, x1)` give `[y]`, not the Variable `y`",
                    "end `Function.__call__` with `return outputs if len(outputs) > 1 else outputs[0]`", ids)


def context_manager_decorator_missing(f: Failures) -> Match:
    """A generator function without `@contextlib.contextmanager`: the probe read it from the code."""
    names = [name for name in ("using_config", "no_grad") if any(
        note.startswith(f"`{name}` returned a generator, not a context manager") for note in f.notes)]
    ids = f.saying(r"returned a generator, not a context manager")
    if not names or not ids:
        return
    name = names[0]
    call = "using_config(...)" if name == "using_config" else "no_grad()"
    also = ", and so does `with no_grad():`, which returns it" if len(names) > 1 else ""
    yield Diagnosis("contextmanager-missing", f"`{name}` has no `@contextlib.contextmanager` above it: it is a plain "
                    f"generator, so `with {call}:` raises TypeError{also}",
                    f"put `@contextlib.contextmanager` on the line above `def {name}(...)` (and `import contextlib`)",
                    ids)


def no_grad_returns_none(f: Failures) -> Match:
    """`def no_grad(): using_config(...)` without `return`: `with no_grad():` gets None."""
    ids = f.saying(r"`no_grad` returned a NoneType, not a context manager")
    if not ids or f.shown("no-grad-flag") != "no_grad() returned a NoneType, not a context manager":
        return
    yield Diagnosis("no-grad-returns-none", "`no_grad()` returns None, not a context manager: its `return` is missing",
                    "`def no_grad(): return using_config('enable_backprop', False)`", ids)


# Most specific first: a failure is explained by the first pattern that claims it.
PATTERNS: Final[tuple[Pattern, ...]] = (
    missing_names, name_not_defined, without_as_array, returns_none, call_returns_a_list,
    context_manager_decorator_missing, no_grad_returns_none, variable_rejects_none, function_redefined_after_ops,
    method_without_self, compared_with_none, grads_accumulated_in_place, functions_out_of_order, grad_overwritten,
    retain_grad_ignored, cleargrad_does_not_reset, outputs_held_strongly, restore_without_finally,
    flag_not_restored, graph_built_under_no_grad, as_array_changes_values, variable_accepts_non_arrays,
    function_run_twice, recursive_backward,
)


def diagnose(report: Results) -> list[Diagnosis]:
    """The likely causes of `report`'s failures, each once, with the failures it explains."""
    failed = {r.id: r for r in report.properties if r.status == "failed"}
    if not any(r.tier != "extended" for r in failed.values()):
        return []
    failures = Failures(failed, frozenset(r.id for r in report.properties if r.status == "passed"), tuple(report.notes),
                        report.evidence, report.target)
    claimed: set[str] = set()
    found: list[Diagnosis] = []
    for pattern in PATTERNS:
        for diagnosis in pattern(failures):
            ids = tuple(i for i in dict.fromkeys(diagnosis.property_ids) if i not in claimed)
            if any(failed[i].tier != "extended" for i in ids):
                claimed.update(ids)
                found.append(Diagnosis(diagnosis.id, diagnosis.cause, diagnosis.fix, ids))
    return found


def render_causes(report: Results) -> str:
    """The console lines: "Likely cause: ...", its fix, and the failures it explains; "" when none."""
    return "".join(f"Likely cause: {d.cause}\n  fix: {d.fix}\n  explains: {', '.join(d.property_ids)}\n"
                   for d in diagnose(report))


def render_causes_html(report: Results) -> str:
    """The likely causes as HTML paragraphs, for the HTML and Jupyter reports; "" when none."""
    return "".join(f'<p class="cause"><b>Likely cause:</b> {escape(d.cause)}<br>fix: {escape(d.fix)}<br>'
                   f'<small>explains: {escape(", ".join(d.property_ids))}</small></p>' for d in diagnose(report))
