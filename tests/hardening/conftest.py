"""Fixtures for the hardening tests: a product with one of every kind of record, and clients signed in as an
administrator and as a user, each request starting without Flask-Login's per-context cache (as in production)."""
import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.accounts.helpers import add_account, configure_google_client
from wizard.api.tokens import create_token
from wizard.crm import services
from wizard.extensions import db
from tests.apps import session_login

PASSWORD = "correct horse battery"


class FreshClient(FlaskClient):
    """The `app` fixture keeps one app context for the whole test and Flask reuses it for requests, so the
    user cached in `g` would leak from one client into another's request; drop it as production would."""

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


def signed_in(app, user, locale=None):
    client = FreshClient(app, app.response_class, use_cookies=True)
    with client.session_transaction() as session:
        session["_user_id"] = session_login(user)
        session["_fresh"] = True
        if locale:
            session["locale"] = locale
    return client


@pytest.fixture
def client(app):
    return FreshClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def people(app, make_user):
    admin = make_user("admin@example.com", role="admin")
    user = make_user("user@example.com")
    return admin, user


@pytest.fixture
def world(app, people):
    """One record of each kind, owned by the user (ids used to fill URL arguments)."""
    admin, user = people
    configure_google_client()
    contact = services.create_contact(user.id, {"first_name": "Ivan", "emails": [{"value": "ivan@example.com"}]})
    tag = services.get_or_create_tag(user.id, "Clients")
    services.tag_contacts(user.id, tag.id, [contact.id])
    activity = services.create_activity(user.id, {"title": "Call", "start_at": "2026-03-10T10:00:00Z"})
    account = add_account(user, "user@gmail.com")
    token_row, token = create_token(user.id, "hardening")
    return {"admin": admin, "user": user, "contact": contact, "tag": tag, "activity": activity,
            "account": account, "token_row": token_row, "token": token}


def row_counts() -> dict:
    """Rows in every table of the product, to prove a rejected request stored nothing."""
    counts = {}
    for table in db.metadata.sorted_tables:
        counts[table.name] = db.session.scalar(select(func.count()).select_from(table))
    return counts
