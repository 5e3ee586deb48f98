"""Pytest plugin: the Google emulator served over real HTTP (filled in by the emulator issue)."""
