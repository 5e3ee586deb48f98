"""Secrets never reach the logs: real flows (password login, the client secret saved on its settings card and
from the command line, linking an account and refreshing its token against the emulator, API calls with a
token) run with every logger at DEBUG, and no secret appears in anything a handler received.

The capturing handler is added after the app is built, as a deployment's logging configuration may be: the
masking must not depend on which handlers existed when the app started."""
import logging

import pytest

from tests.accounts.conftest import google, web  # noqa: F401  (fixtures: the emulator and a user's browser)
from tests.accounts.helpers import CLIENT_SECRET
from tests.hardening.conftest import PASSWORD, signed_in
from wizard.settings.values import oauth_client
from wizard.google.tokens import get_oauth_session
from wizard.api.tokens import create_token
from wizard.cli import cli
from wizard.extensions import db
from wizard.models.accounts import GoogleAccount

NEW_SECRET = "GOCSPX-rotated-secret-ABCDEFGHIJ0123"
CLI_SECRET = "GOCSPX-from-the-shell-9876543210zz"


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines = []

    def emit(self, record):
        if record.threadName.startswith("google-emulator") or record.name.startswith("wizard.emulator"):
            return  # the emulator plays Google; what it logs is Google's side, not the product's
        self.lines.append(self.format(record))


@pytest.fixture
def captured():
    handler = Capture()
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in ("", "werkzeug", "urllib3", "authlib", "wizard")}
    # Only this handler: pytest's own capture handlers were on the root when the app was built and so carry
    # the filter, which masks records in place before later handlers see them; a deployment may have none.
    others = list(root.handlers)
    for other in others:
        root.removeHandler(other)
    root.addHandler(handler)
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    for other in others:
        root.addHandler(other)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def assert_no_secret(lines, secrets):
    text = "\n".join(lines)
    leaked = [s for s in secrets if s and s in text]
    assert not leaked, [line for line in lines if any(s in line for s in leaked)][:5]


def test_login_settings_oauth_refresh_and_api_log_no_secret(app, make_user, client, login, web, captured):
    admin = make_user("admin@example.com", role="admin")
    user = make_user("anna@example.com")

    # Password login, including a failed attempt (the typed password must not be echoed either).
    assert client.post("/login", data={"email": user.email, "password": PASSWORD + "-typo"}).status_code == 200
    login(user)

    # The client secret saved on its settings card and from the command line.
    card = signed_in(app, admin).post("/admin/settings/GoogleClientSecret", data={"value": NEW_SECRET})
    assert card.status_code == 302
    result = app.test_cli_runner().invoke(cli, ["settings", "set", "GoogleClientSecret"], input=CLI_SECRET + "\n")
    assert result.exit_code == 0, result.output
    assert CLI_SECRET not in result.output
    # Back to the secret the emulator knows, then link an account (authorization code exchanged for tokens).
    result = app.test_cli_runner().invoke(cli, ["settings", "set", "GoogleClientSecret"], input=CLIENT_SECRET + "\n")
    assert result.exit_code == 0, result.output
    answer = web.link()
    assert answer.status_code in (200, 302)
    account = db.session.scalars(db.select(GoogleAccount)).one()
    first_access, refresh = account.access_token, account.refresh_token

    # Force a refresh against the emulator and use the new token.
    account.token_expires_at = account.token_expires_at.replace(year=2000)
    db.session.commit()
    session = get_oauth_session(account, oauth_client())
    assert session.get(app.config["GOOGLE_USERINFO_URL"], timeout=10).status_code == 200
    db.session.expire_all()
    account = db.session.get(GoogleAccount, account.id)
    assert account.access_token != first_access

    # The JSON API with a personal token.
    _row, api_token = create_token(user.id)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {api_token}"}).status_code == 200

    assert len(captured.lines) > 5, "the flows must actually log at DEBUG for this test to mean anything"
    assert_no_secret(captured.lines, [PASSWORD, NEW_SECRET, CLI_SECRET, CLIENT_SECRET, first_access, refresh,
                                      account.access_token, api_token])


def test_a_secret_logged_by_mistake_is_masked_by_any_handler(app, captured):
    logging.getLogger("wizard.somewhere").warning("token refresh failed: refresh_token=%s client_secret=%s",
                                                  "1//0gSECRETREFRESH", CLIENT_SECRET)
    logging.getLogger("wizard.somewhere").info("calling Google with Authorization: Bearer ya29.a0SECRETACCESS")
    # Libraries' loggers outside the product's namespace (what authlib or rq's job logger might print).
    logging.getLogger("authlib.integrations.requests_client").debug("refresh: %s", {"access_token": "ya29.LIBLEAK"})
    logging.getLogger("rq.job").info("job args: client_secret=%s", "GOCSPX-rqleak0123456789")
    logging.getLogger("urllib3.connectionpool").debug('"POST /token?code=4/0AfJohXleak HTTP/1.1" 200')
    assert_no_secret(captured.lines, ["1//0gSECRETREFRESH", CLIENT_SECRET, "ya29.a0SECRETACCESS", "ya29.LIBLEAK",
                                      "GOCSPX-rqleak0123456789", "4/0AfJohXleak"])
    assert len(captured.lines) == 5
    assert any("***" in line for line in captured.lines)
