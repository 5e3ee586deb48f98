"""Commands: sync (filled in by its issue)."""


def register(cli):
    pass
