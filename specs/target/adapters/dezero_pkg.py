"""Adapters for the book's own package, dezero 0.0.13: `dezero` (its full core) and
`dezero-simple` (`dezero.core_simple`, the core of steps 23-32).

Neither core has `square`; the adapter supplies it as `pow(x, 2)`, the engine's own Pow. Grads
of the full core are Variables; DezeroStyle unwraps them. dezero 0.0.13 imports only with numpy
< 1.24 (it uses `np.int`) and with matplotlib installed: run it in its nox session.
"""

from __future__ import annotations

from collections.abc import Callable

from specs.target.adapters.dezero_style import DezeroStyle
from specs.target.adapters.importing import import_engine, version_of

INSTALL_HINT = "it needs numpy<1.24 and matplotlib: `nox -s dezero` (or `dezero-simple`) builds such an environment"


def _engine(module_name: str) -> DezeroStyle:
    core = import_engine(module_name, INSTALL_HINT)
    power: Callable[[object, int], object] = core.pow

    def square(x: object) -> object:
        """dezero has no square: x ** 2 through its own Pow."""
        return power(x, 2)

    names = ("Variable", "Function", "add", "Config", "using_config", "no_grad")
    namespace = {name: getattr(core, name) for name in names} | {"square": square}
    import_line = (f"from {module_name} import Variable, add, pow, Config, using_config, no_grad\n"
                   "square = lambda x: pow(x, 2)  # dezero has no square; the adapter uses its Pow")
    return DezeroStyle(namespace, f"{module_name} (dezero {version_of('dezero')})", import_line)


def dezero_engine() -> DezeroStyle:
    """dezero's full core (`dezero.core`), as `import dezero` loads it."""
    return _engine("dezero.core")


def dezero_simple_engine() -> DezeroStyle:
    """dezero's simple core (`dezero.core_simple`), the book's steps 23-32."""
    return _engine("dezero.core_simple")
