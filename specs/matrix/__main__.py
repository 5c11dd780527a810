"""`python -m specs.matrix describe ...` and `... build ...`: see `specs.matrix.build`."""

from __future__ import annotations

from specs.matrix.build import main

if __name__ == "__main__":
    raise SystemExit(main())
