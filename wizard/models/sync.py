"""Models: sync (filled in by its issue)."""
