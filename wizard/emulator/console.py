"""Cloud console imitation (filled in below)."""
