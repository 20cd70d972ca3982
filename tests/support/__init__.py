"""Helpers the tests (and benchmarks) share: databases, builders, harnesses, the CLI."""
