"""The reconnect banner: a user whose linked account needs reconnecting sees it on every page
(templates/_banners.html, included by base.html), not only on the health page. In domain mode an account the
domain's key or delegation stopped is the administrator's to fix: its user reads a plain line, and
administrators see one banner for the whole domain."""
import logging

from flask import request
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from wizard.accounts.domain import domain_broken
from wizard.accounts.services import accounts_needing_reconnect
from wizard.extensions import db
from wizard.settings.values import domain_mode

log = logging.getLogger(__name__)


def banner_context():
    if request.blueprint == "static" or not getattr(current_user, "is_authenticated", False):
        return {"reconnect_accounts": []}

    try:
        admin = getattr(current_user, "is_admin", False)
        broken = domain_broken() if admin else None
        return {"reconnect_accounts": accounts_needing_reconnect(current_user), "domain_broken": broken,
                "domain_mode": admin and domain_mode()}  # the menu's "Users of the domain"
    except SQLAlchemyError:
        # An error page rendered while the database is down must still render.

        db.session.rollback()
        log.warning("reconnect banner skipped: database unavailable")
        return {"reconnect_accounts": []}
