"""Benchmarks over synthetic knowledge bases (see bench/generate.py)."""
