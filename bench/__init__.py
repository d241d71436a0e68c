"""Benchmarks: run as ``python -m bench.<name>``; they measure, they do not assert."""
