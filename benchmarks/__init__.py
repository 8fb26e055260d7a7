"""Benchmarks, each side by side with its baseline in the same run; `make bench` runs them all."""
