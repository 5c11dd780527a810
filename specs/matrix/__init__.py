"""The conformance matrix: every registered engine against every property, as one Markdown and HTML page.

May import: specs.properties, specs.target, specs.graphs (it reads JSON reports, and runs nothing itself).
"""
