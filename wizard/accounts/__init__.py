"""Linking Google accounts: the OAuth flow, scope checks, unlink, and each account's sync settings."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)

from wizard.accounts import routes  # noqa: E402,F401
