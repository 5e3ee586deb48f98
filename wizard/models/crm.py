"""Models: crm (filled in by its issue)."""
