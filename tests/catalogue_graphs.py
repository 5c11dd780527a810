"""Broken engines for the order of the backward pass and the magnitude of gradients.

Written apart from `tests.catalogue`, each one plausible single bug in the book's step-18
code, with the property that must catch it: mostly `small-graphs-match-exact-gradients`,
which tries every small graph and so catches them whatever Hypothesis draws.
"""

from __future__ import annotations

from typing import Final

from tests.catalogue import BrokenEngine

EXHAUSTIVE: Final = "small-graphs-match-exact-gradients"
GRADIENTS: Final = "gradients-match-finite-differences"
_SORTED_APPEND: Final = (
    "                funcs.append(f)\n                seen_set.add(f)\n                funcs.sort(key=lambda x: x.generation)\n"
)

GRAPH_BUGS: Final[tuple[BrokenEngine, ...]] = (
    # order of the backward pass
    BrokenEngine(
        "insert_at_bottom",  # a queue instead of a stack sorted by generation
        _SORTED_APPEND,
        "                funcs.insert(0, f)\n                seen_set.add(f)\n",
        EXHAUSTIVE,
    ),
    BrokenEngine(
        "swap_with_last_only",  # one step of insertion sort: right for two generations, not three
        _SORTED_APPEND,
        "                funcs.append(f)\n                seen_set.add(f)\n"
        "                if len(funcs) > 1 and funcs[-2].generation > f.generation:\n"
        "                    funcs[-1], funcs[-2] = funcs[-2], funcs[-1]\n",
        EXHAUSTIVE,
    ),
    BrokenEngine(
        "sort_only_when_two_pending",
        "                funcs.sort(key=lambda x: x.generation)\n",
        "                if len(funcs) == 2:\n                    funcs.sort(key=lambda x: x.generation)\n",
        EXHAUSTIVE,
    ),
    BrokenEngine(
        "sort_reversed",
        "                funcs.sort(key=lambda x: x.generation)\n",
        "                funcs.sort(key=lambda x: x.generation, reverse=True)\n",
        EXHAUSTIVE,
    ),
    BrokenEngine(
        "sort_by_first_input_generation",
        "                funcs.sort(key=lambda x: x.generation)\n",
        "                funcs.sort(key=lambda x: x.inputs[0].generation)\n",
        EXHAUSTIVE,
    ),
    BrokenEngine(
        "pop_lowest_generation",
        "            f = funcs.pop()\n",
        "            f = funcs.pop(0)\n",
        EXHAUSTIVE,
    ),
    BrokenEngine(
        "heap_with_the_wrong_sign",  # heapq pops the smallest: the generation needed negating
        _SORTED_APPEND + "\n        add_func(self.creator)\n        while funcs:\n            f = funcs.pop()\n",
        "                heapq.heappush(funcs, (f.generation, id(f), f))\n                seen_set.add(f)\n"
        "\n        add_func(self.creator)\n        while funcs:\n            f = heapq.heappop(funcs)[2]\n",
        EXHAUSTIVE,
        prelude="import heapq\n\n\n",
    ),
    BrokenEngine(
        "generation_not_incremented",  # every function gets generation 0: the sort does nothing
        "        self.generation = func.generation + 1\n",
        "        self.generation = func.generation\n",
        EXHAUSTIVE,
    ),
    BrokenEngine(
        "generation_from_first_input",
        "            self.generation = max([x.generation for x in inputs])\n",
        "            self.generation = inputs[0].generation\n",
        EXHAUSTIVE,
    ),
    # gradient magnitudes and values
    BrokenEngine(
        "square_backward_clipped",
        "        return 2 * x * gy\n",
        "        return np.clip(2 * x * gy, -1e6, 1e6)\n",
        GRADIENTS,
    ),
    BrokenEngine(
        "square_backward_x_in_float32",
        "        return 2 * x * gy\n",
        "        return 2 * x.astype(np.float32) * gy\n",
        GRADIENTS,
    ),
    BrokenEngine(
        "square_backward_abs",
        "        return 2 * x * gy\n",
        "        return 2 * np.abs(x) * gy\n",
        GRADIENTS,
    ),
    BrokenEngine(
        "square_backward_rounded",
        "        return 2 * x * gy\n",
        "        return np.round(2 * x * gy, 6)\n",
        GRADIENTS,
    ),
    BrokenEngine(
        "seed_always_float64",
        "            self.grad = np.ones_like(self.data)\n",
        "            self.grad = np.ones(self.data.shape)\n",
        GRADIENTS,
    ),
    BrokenEngine(
        "accumulated_grad_in_float32",
        "                    x.grad = x.grad + gx\n",
        "                    x.grad = (x.grad + gx).astype(np.float32)\n",
        GRADIENTS,
    ),
)
