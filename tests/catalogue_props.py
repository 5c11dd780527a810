"""Broken engines for the properties of issue 12, groups 3-10, and other one-line step-18 slips.

Written from how learners mistype step 18: memory during backward, freeing after
retain_grad=True, grads mutated in place, the seed, generation, what Variable accepts,
using_config, recursion. Each is the book's code with one bug, and the property that must catch it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from tests.broken_engine import BrokenEngine

CLEAR_BLOCK: Final = "            if not retain_grad:\n                for y in f.outputs:\n                    y().grad = None\n"
ACCUMULATE: Final = "                if x.grad is None:\n                    x.grad = gx\n                else:\n                    x.grad = x.grad + gx\n"
GENERATION: Final = "            self.generation = max([x.generation for x in inputs])\n"
TYPE_CHECK: Final = "            if not isinstance(data, np.ndarray):\n"
USING_CONFIG: Final = """@contextlib.contextmanager
def using_config(name, value):
    old_value = getattr(Config, name)
    setattr(Config, name, value)
    try:
        yield
    finally:
        setattr(Config, name, old_value)
"""


@dataclass(frozen=True)
class MultiEdit(BrokenEngine):
    """A bug that needs more than one edit: `more` holds the further (old, new) pairs."""

    more: tuple[tuple[str, str], ...] = ()

    def write(self, directory: Path) -> Path:
        """Write the engine with the first edit, then apply the others to the file."""
        path = super().write(directory)
        source = path.read_text()
        for old, new in self.more:
            assert source.count(old) == 1, f"{self.name}: {old!r} must occur once"
            source = source.replace(old, new)
        path.write_text(source)
        return path


MEMORY: Final = (
    BrokenEngine(
        "grads_cleared_after_the_whole_pass",
        CLEAR_BLOCK,
        "        if not retain_grad:\n            for f in seen_set:\n                for y in f.outputs:\n"
        "                    y().grad = None\n",
        "backward-memory-independent-of-depth",
    ),
    MultiEdit(
        "grads_cleared_at_the_end_from_a_list",
        CLEAR_BLOCK,
        "            used.extend(y() for y in f.outputs)\n        if not retain_grad:\n            for y in used:\n"
        "                y.grad = None\n",
        "backward-memory-independent-of-depth",
        more=(("        funcs = []\n", "        funcs = []\n        used = []\n"),),
    ),
    BrokenEngine(
        "gys_kept_on_the_function",  # "for debugging": every intermediate grad lives as long as the graph
        "            gys = [output().grad for output in f.outputs]\n",
        "            f.gys = gys = [output().grad for output in f.outputs]\n",
        "backward-memory-independent-of-depth",
    ),
    BrokenEngine(
        "gxs_kept_on_the_function",
        "            gxs = f.backward(*gys)\n",
        "            f.gxs = gxs = f.backward(*gys)\n",
        "backward-memory-independent-of-depth",
    ),
    BrokenEngine(
        "outputs_kept_alive_when_retaining",  # a cycle Function -> output -> Function, only with retain_grad
        CLEAR_BLOCK,
        CLEAR_BLOCK + "            else:\n                f.kept_outputs = [y() for y in f.outputs]\n",
        "graph-freed-by-reference-counting",
    ),
    BrokenEngine(
        "input_remembers_its_consumer_when_retaining",  # a cycle x -> Function -> inputs -> x
        "                if x.creator is not None:\n                    add_func(x.creator)\n",
        "                if x.creator is not None:\n                    add_func(x.creator)\n"
        "                if retain_grad:\n                    x.consumer = f\n",
        "graph-freed-by-reference-counting",
    ),
)

ALIASING: Final = (
    BrokenEngine(
        "first_grad_copied_later_added_in_place",
        ACCUMULATE,
        "                if x.grad is None:\n                    x.grad = gx.copy()\n                else:\n"
        "                    x.grad += gx\n",
        "handed-out-grads-are-never-mutated",
    ),
    BrokenEngine(
        "grad_accumulated_with_np_add_out",
        "                    x.grad = x.grad + gx\n",
        "                    np.add(x.grad, gx, out=x.grad)\n",
        "handed-out-grads-are-never-mutated",
    ),
    BrokenEngine(
        "square_backward_scales_gy_in_place",
        "        return 2 * x * gy\n",
        "        gy *= 2 * x\n        return gy\n",
        "handed-out-grads-are-never-mutated",
    ),
    BrokenEngine(
        "grads_added_with_out",  # numpy's out= to "save a copy": the handed-out array is the one written
        "                    x.grad = x.grad + gx\n",
        "                    np.add(x.grad, gx, out=x.grad)\n",
        "handed-out-grads-are-never-mutated",  # and not backward-needs-no-recursion: nothing recurses
    ),
    BrokenEngine(
        "leaf_grads_accumulated_in_place",
        "                else:\n                    x.grad = x.grad + gx\n",
        "                elif x.creator is None:\n                    x.grad += gx\n                else:\n"
        "                    x.grad = x.grad + gx\n",
        "handed-out-grads-are-never-mutated",
    ),
    BrokenEngine(
        "cleargrad_zeroes_in_place",
        "    def cleargrad(self):\n        self.grad = None\n",
        "    def cleargrad(self):\n        if self.grad is not None:\n            self.grad *= 0\n",
        "handed-out-grads-are-never-mutated",
    ),
    BrokenEngine(
        "accumulated_into_gx_in_place",
        "                    x.grad = x.grad + gx\n",
        "                    gx += x.grad\n                    x.grad = gx\n",
        "handed-out-grads-are-never-mutated",
    ),
)

SEEDING: Final = (
    BrokenEngine(
        "seed_always_ones",
        "        if self.grad is None:\n            self.grad = np.ones_like(self.data)\n",
        "        self.grad = np.ones_like(self.data)\n",
        "output-grad-set-beforehand-seeds-backward",
    ),
    BrokenEngine(
        "seed_tested_by_truthiness",
        "        if self.grad is None:\n            self.grad = np.ones_like(self.data)\n",
        "        if not self.grad:\n            self.grad = np.ones_like(self.data)\n",
        "output-grad-set-beforehand-seeds-backward",
    ),
    BrokenEngine(
        "backward_starts_with_cleargrad",
        "        if self.grad is None:\n            self.grad = np.ones_like(self.data)\n",
        "        self.cleargrad()\n        if self.grad is None:\n            self.grad = np.ones_like(self.data)\n",
        "output-grad-set-beforehand-seeds-backward",
    ),
)

GENERATIONS: Final = (
    BrokenEngine(
        "function_generation_incremented_too",  # outputs end up at max + 2
        GENERATION,
        "            self.generation = max([x.generation for x in inputs]) + 1\n",
        "generations-follow-the-graph",
    ),
    BrokenEngine(
        "output_generation_plus_two",
        "        self.generation = func.generation + 1\n",
        "        self.generation = func.generation + 2\n",
        "generations-follow-the-graph",
    ),
    MultiEdit(
        "generation_counted_on_the_function",  # outputs right, their creators one too high
        GENERATION,
        "            self.generation = max([x.generation for x in inputs]) + 1\n",
        "generations-follow-the-graph",
        more=(("        self.generation = func.generation + 1\n", "        self.generation = func.generation\n"),),
    ),
    BrokenEngine(
        "generation_from_the_first_input",
        GENERATION,
        "            self.generation = inputs[0].generation\n",
        "generations-follow-the-graph",
    ),
    BrokenEngine(
        "generation_set_under_no_grad",
        "        if Config.enable_backprop:\n" + GENERATION,
        "        self.generation = max([x.generation for x in inputs])\n        for output in outputs:\n"
        "            output.generation = self.generation + 1\n        if Config.enable_backprop:\n",
        "generations-follow-the-graph",
    ),
    BrokenEngine(
        "leaf_generation_one",
        "        self.generation = 0\n",
        "        self.generation = 1\n",
        "generations-follow-the-graph",
    ),
    MultiEdit(
        "generation_is_a_creation_counter",  # still a topological order, so grads stay right
        GENERATION,
        "            Function.count += 1\n            self.generation = Function.count\n",
        "generations-follow-the-graph",
        more=(("class Function:\n    def __call__", "class Function:\n    count = 0\n\n    def __call__"),),
    ),
    BrokenEngine(
        "generation_from_sum",
        GENERATION,
        "            self.generation = sum([x.generation for x in inputs])\n",
        "generations-follow-the-graph",
    ),
)

VARIABLES: Final = (
    BrokenEngine("exact_type_check", TYPE_CHECK, "            if type(data) is not np.ndarray:\n",
                 "variable-accepts-every-ndarray"),
    BrokenEngine(
        "float_dtypes_only",
        TYPE_CHECK,
        "            if not isinstance(data, np.ndarray) or data.dtype not in (np.float32, np.float64):\n",
        "variable-accepts-every-ndarray",
    ),
    BrokenEngine("none_check_by_truthiness", "        if data is not None:\n", "        if data:\n",
                 "variable-accepts-every-ndarray"),
    BrokenEngine(
        "data_converted_to_float64",
        "        self.data = data\n",
        "        self.data = data if data is None else data.astype(np.float64)\n",
        "variable-accepts-every-ndarray",
    ),
    BrokenEngine("empty_arrays_rejected", TYPE_CHECK,
                 "            if not isinstance(data, np.ndarray) or data.size == 0:\n", "variable-accepts-every-ndarray"),
    BrokenEngine(
        "none_rejected",
        "        if data is not None:\n            if not isinstance(data, np.ndarray):\n"
        "                raise TypeError(\"{} is not supported\".format(type(data)))\n",
        "        if not isinstance(data, np.ndarray):\n            raise TypeError(\"{} is not supported\".format(type(data)))\n",
        "variable-rejects-non-ndarray",
    ),
    BrokenEngine(
        "variable_unwraps_a_variable",
        "        if data is not None:\n",
        "        if isinstance(data, Variable):\n            data = data.data\n        if data is not None:\n",
        "variable-rejects-non-ndarray",
    ),
    BrokenEngine(
        "variable_calls_asarray",
        "        if data is not None:\n",
        "        if data is not None:\n            data = np.asarray(data)\n",
        "variable-rejects-non-ndarray",
    ),
    BrokenEngine("rejection_raises_value_error", 'raise TypeError("{}', 'raise ValueError("{}',
                 "variable-rejects-non-ndarray"),
)

CONFIG: Final = (
    BrokenEngine("unknown_name_read_with_a_default", "    old_value = getattr(Config, name)\n",
                 "    old_value = getattr(Config, name, None)\n", "using-config-rejects-unknown-names"),
    MultiEdit(
        "using_config_ignores_the_name",
        "    old_value = getattr(Config, name)\n    setattr(Config, name, value)\n",
        "    old_value = Config.enable_backprop\n    Config.enable_backprop = value\n",
        "using-config-rejects-unknown-names",
        more=(("        setattr(Config, name, old_value)\n", "        Config.enable_backprop = old_value\n"),),
    ),
    BrokenEngine(
        "using_config_class_reads_old_value_when_made",
        USING_CONFIG,
        "class using_config:\n    def __init__(self, name, value):\n        self.name, self.value = name, value\n"
        "        self.old_value = getattr(Config, name)\n\n    def __enter__(self):\n"
        "        setattr(Config, self.name, self.value)\n\n    def __exit__(self, *exc_info):\n"
        "        setattr(Config, self.name, self.old_value)\n",
        "using-config-reads-old-value-on-entry",
    ),
    BrokenEngine(
        "using_config_class_switches_when_made",
        USING_CONFIG,
        "class using_config:\n    def __init__(self, name, value):\n        self.name = name\n"
        "        self.old_value = getattr(Config, name)\n        setattr(Config, name, value)\n\n"
        "    def __enter__(self):\n        return self\n\n    def __exit__(self, *exc_info):\n"
        "        setattr(Config, self.name, self.old_value)\n",
        "using-config-reads-old-value-on-entry",
    ),
    BrokenEngine("restore_to_not_value", "        setattr(Config, name, old_value)\n",
                 "        setattr(Config, name, not value)\n", "config-restored-after-exception"),
    BrokenEngine("no_grad_without_return", '    return using_config("enable_backprop", False)\n',
                 '    using_config("enable_backprop", False)\n', "no-grad-builds-no-graph"),
    BrokenEngine(
        "creator_set_outside_the_flag",  # set_creator dedented out of `if Config.enable_backprop:`
        "        if Config.enable_backprop:\n" + GENERATION + "            for output in outputs:\n"
        "                output.set_creator(self)\n",
        GENERATION.removeprefix("    ") + "        for output in outputs:\n            output.set_creator(self)\n"
        "        if Config.enable_backprop:\n",
        "no-grad-builds-no-graph",  # and not config-restored-after-exception: its using_config restores right
    ),
    BrokenEngine(
        "enable_backprop_copied_once",  # as `from config import enable_backprop` would
        "        if Config.enable_backprop:\n",
        "        if ENABLE_BACKPROP:\n",
        "no-grad-builds-no-graph",
        prelude="ENABLE_BACKPROP = True\n\n\n",
    ),
)

RECURSION: Final = (
    MultiEdit(
        "recursive_topological_sort",  # micrograd's build_topo, in a module-level helper
        "        add_func(self.creator)\n        while funcs:\n            f = funcs.pop()\n",
        "        for f in reversed(topological_order(self.creator)):\n",
        "backward-needs-no-recursion",
        prelude="def topological_order(f):\n    order, seen = [], set()\n\n    def visit(f):\n        if f not in seen:\n"
        "            seen.add(f)\n            for x in f.inputs:\n                if x.creator is not None:\n"
        "                    visit(x.creator)\n            order.append(f)\n\n    visit(f)\n    return order\n\n\n",
        more=(("                if x.creator is not None:\n                    add_func(x.creator)\n", ""),),
    ),
    MultiEdit(
        "recursive_function_collection",
        "                funcs.sort(key=lambda x: x.generation)\n",
        "                for x in f.inputs:\n                    if x.creator is not None:\n"
        "                        add_func(x.creator)\n",
        "backward-needs-no-recursion",
        more=(("        add_func(self.creator)\n",
               "        add_func(self.creator)\n        funcs.sort(key=lambda x: x.generation)\n"),),
    ),
)

SLIPS: Final = (
    BrokenEngine("outputs_cleared_through_a_local_name", "                    y().grad = None\n",
                 "                    y = None\n", "retain-grad-false-keeps-only-leaf-grads"),
    BrokenEngine("functions_sorted_descending", "                funcs.sort(key=lambda x: x.generation)\n",
                 "                funcs.sort(key=lambda x: x.generation, reverse=True)\n",
                 "gradients-match-finite-differences"),
    BrokenEngine("functions_popped_from_the_front", "            f = funcs.pop()\n", "            f = funcs.pop(0)\n",
                 "gradients-match-finite-differences"),
    BrokenEngine("as_array_skipped", "        outputs = [Variable(as_array(y)) for y in ys]\n",
                 "        outputs = [Variable(y) for y in ys]\n", "forward-values-match-numpy"),
    BrokenEngine("retain_grad_defaults_to_true", "    def backward(self, retain_grad=False):\n",
                 "    def backward(self, retain_grad=True):\n", "retain-grad-false-keeps-only-leaf-grads"),
    BrokenEngine("square_backward_reads_the_output", "        x = self.inputs[0].data\n",
                 "        x = self.outputs[0]().data\n", "gradients-match-finite-differences"),
    BrokenEngine(
        "creator_set_before_generation",  # set_creator reads a generation not yet assigned
        GENERATION + "            for output in outputs:\n                output.set_creator(self)\n",
        "            for output in outputs:\n                output.set_creator(self)\n" + GENERATION,
        "forward-values-match-numpy",
    ),
)

PROPS_CATALOGUE: Final = MEMORY + ALIASING + SEEDING + GENERATIONS + VARIABLES + CONFIG + RECURSION + SLIPS
