"""Running: the runner, isolated workers, limits, Hypothesis profiles, the example database, progress, grading.

May import: specs.report, specs.properties, specs.target, specs.graphs; nothing above (the CLI, `specs.check`).
"""
