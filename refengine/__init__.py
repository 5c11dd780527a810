"""refengine: the executable specification of DeZero step 18 ("memory saving mode").

Swap a step-18 notebook's definitions for `from refengine import *` and it prints the same.
"""

from refengine.config import Config, no_grad, using_config
from refengine.core import Array, Function, Variable, as_array
from refengine.functions import Add, Square, add, square

__all__ = [
    "Add",
    "Array",
    "Config",
    "Function",
    "Square",
    "Variable",
    "add",
    "as_array",
    "no_grad",
    "square",
    "using_config",
]
