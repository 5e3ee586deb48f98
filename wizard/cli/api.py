"""Commands: api tokens (filled in by its issue)."""


def register(cli):
    pass
