"""`syncwizard rotate-key` re-encrypts every stored secret (settings and account tokens), so the old key can be
dropped: afterwards every encrypted value in any table decrypts with the new key alone."""
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import String, Text, select

from tests.accounts.helpers import CLIENT_SECRET, add_account
from wizard.cli import cli
from wizard.extensions import db
from wizard.models.accounts import GoogleAccount
from wizard.settings import values as services

FERNET_PREFIX = "gAAAAA"  # every Fernet token starts with version byte 0x80 + timestamp


def encrypted_values():
    """(table.column, value) for every stored value that is a Fernet token, whatever table holds it."""
    found = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, Text))]
        for row in db.session.execute(select(*columns)) if columns else []:
            for column, value in zip(columns, row):
                if isinstance(value, str) and value.startswith(FERNET_PREFIX):
                    found.append((f"{table.name}.{column.name}", value))
    return found


def test_rotate_key_reencrypts_settings_and_tokens_so_the_old_key_can_go(app, world):
    add_account(world["admin"], "admin@gmail.com")
    before = encrypted_values()
    places = {place for place, _v in before}
    # The client secret and both tokens of both accounts are stored encrypted.
    assert {"system_settings.value"} <= places or any(p.endswith(".value") for p in places), places
    assert sum(p.endswith("access_token_enc") for p, _v in before) == 2
    assert sum(p.endswith("refresh_token_enc") for p, _v in before) == 2

    old_key = app.config["ENCRYPTION_KEYS"]
    new_key = Fernet.generate_key().decode()
    app.config["ENCRYPTION_KEYS"] = f"{new_key},{old_key}"
    result = app.test_cli_runner().invoke(cli, ["rotate-key"])
    assert result.exit_code == 0, result.output
    assert "settings: 1 value(s) re-encrypted" in result.output
    assert "rotate_tokens: 4 value(s) re-encrypted" in result.output

    db.session.expire_all()
    after = encrypted_values()
    assert len(after) == len(before)
    new_only, old_only = Fernet(new_key.encode()), Fernet(old_key.encode())
    for place, value in after:
        new_only.decrypt(value.encode())  # raises InvalidToken if any value was left under the old key
        try:
            old_only.decrypt(value.encode())
        except InvalidToken:
            pass
        else:
            raise AssertionError(f"{place} is still readable with the old key")

    app.config["ENCRYPTION_KEYS"] = new_key  # the old key dropped: the product still reads everything
    assert services.get_setting("GoogleClientSecret") == CLIENT_SECRET
    for account in db.session.scalars(select(GoogleAccount)):
        assert account.access_token == "ya29.test-access"
        assert account.refresh_token == "1//test-refresh"


def test_rotate_key_refuses_when_a_value_cannot_be_read(app, world):
    app.config["ENCRYPTION_KEYS"] = Fernet.generate_key().decode()  # the old key already dropped: too early
    result = app.test_cli_runner().invoke(cli, ["rotate-key"])
    assert result.exit_code == 1
    assert "keep the old key" in result.output
