"""Commands: admin (filled in by its issue)."""


def register(cli):
    pass
