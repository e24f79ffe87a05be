"""Benchmarks for the equality-model engine (speed measurements, never timed unit tests)."""
