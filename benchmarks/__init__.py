"""Performance benchmarks; see README.md."""
