"""Models of budgets: filled in by its issue."""
