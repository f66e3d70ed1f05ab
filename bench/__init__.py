"""Benchmarks: scripts run by hand on the synthetic data set (`flask bench-data`), not tests."""
