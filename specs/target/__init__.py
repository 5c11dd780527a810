"""The target side: load a file, notebook or module, probe its API, drive it through an adapter, replay snippets on it;
expand teacher mode's folders and globs into targets.

May import: specs.graphs (the array type and graphs an adapter builds), nothing above.
"""
