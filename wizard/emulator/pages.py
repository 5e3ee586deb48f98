"""Emulated-data page (filled in below)."""
