"""Benchmarks: ``make bench`` (or ``python -m bench [NAME...]``) prints figures per core."""
