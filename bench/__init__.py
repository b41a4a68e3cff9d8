"""Benchmark of the integration against the cloud simulator (run by `scripts/bench`)."""
