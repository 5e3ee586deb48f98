"""Linking Google accounts: the OAuth flow, scope checks, unlink, and each account's sync settings."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)

from wizard.accounts import routes  # noqa: E402,F401


def init_app(app):
    from wizard.google.tokens import rotate_tokens
    from wizard.settings.values import rotatable

    rotatable(rotate_tokens)  # `syncwizard rotate-key` re-encrypts the stored OAuth tokens too
