"""The graphs side: the DAG and program model, strategies, the reference model, exact oracles, snippets.

May import: nothing else of specs (and never a target: the oracle and strategies know no engine).
"""
