"""Models: settings (filled in by its issue)."""
