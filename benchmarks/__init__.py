"""Performance harness for moondust (``python -m benchmarks``; figures in docs/benchmarks.md)."""
