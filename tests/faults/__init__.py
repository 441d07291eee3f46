"""faults tests (issue 5)."""
