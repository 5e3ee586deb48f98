"""Fixtures of the setup area: a logged-in administrator, and a valid-looking Google client."""
import pytest

CLIENT_ID = "123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com"
CLIENT_SECRET = "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"


@pytest.fixture
def admin(make_user):
    return make_user("admin@example.com", role="admin")


@pytest.fixture
def admin_client(client, admin, login):
    login(admin)
    return client
