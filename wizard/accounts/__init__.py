"""Linking Google accounts: the OAuth flow, scope checks, unlink, and each account's sync settings."""
from wizard.accounts import routes  # noqa: F401  (registers the views)
from wizard.accounts.blueprint import bp  # noqa: F401
from wizard.google.tokens import rotate_tokens
from wizard.settings.values import rotatable


def init_app(app):
    rotatable(rotate_tokens)  # `syncwizard rotate-key` re-encrypts the stored OAuth tokens too
