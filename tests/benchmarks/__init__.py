"""Benchmarks, run on demand (``make bench``), never as part of the test suite."""
