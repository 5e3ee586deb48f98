"""Fixtures shared by the CRM and API tests."""
import pytest

from tests.apps import session_login


@pytest.fixture
def alice(make_user):
    return make_user("alice@example.com", timezone="Europe/Moscow")


@pytest.fixture
def bob(make_user):
    return make_user("bob@example.com")


@pytest.fixture
def login_as(client):
    """Sign a user in by the session Flask-Login reads (the login page is the foundation's to test)."""

    def do(user, locale=None):
        with client.session_transaction() as session:
            session["_user_id"] = session_login(user)
            session["_fresh"] = True
            if locale:
                session["locale"] = locale
        return client

    return do
