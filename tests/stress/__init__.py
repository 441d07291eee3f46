"""stress tests (issue 5)."""
