"""Models: accounts (filled in by its issue)."""
