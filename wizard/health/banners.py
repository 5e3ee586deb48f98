"""The reconnect banner: a user whose linked account needs reconnecting sees it on every page
(templates/_banners.html, included by base.html), not only on the health page."""
from flask import request
from flask_login import current_user


def banner_context():
    if request.blueprint == "static" or not getattr(current_user, "is_authenticated", False):
        return {"reconnect_accounts": []}
    from wizard.accounts.services import accounts_needing_reconnect

    return {"reconnect_accounts": accounts_needing_reconnect(current_user)}
