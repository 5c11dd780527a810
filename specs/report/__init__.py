"""Reporting: results and verdicts, the console, JSON, HTML, DOT and Graphviz forms, diagnoses, the gradebook.

May import: specs.properties, specs.target, specs.graphs (the runner fills reports in; nothing here runs one).
"""
