"""Adapters: the `Engine` protocol, and one small file per engine that drives it through the book's names."""
