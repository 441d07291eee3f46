"""hostile tests (issue 5)."""
