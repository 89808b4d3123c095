"""Models of committees: filled in by its issue."""
