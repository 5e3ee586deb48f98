"""Pytest plugin: Debian chromium driven by Playwright (filled in by the foundation issue)."""
