"""Fixtures for the engine: a user with a linked account (settings, tag mapping) and helpers."""
import pytest

from wizard.extensions import db


@pytest.fixture
def owner(make_user):
    return make_user(email="owner@example.com")


@pytest.fixture
def make_account(owner):
    from wizard.crm import services
    from wizard.models.accounts import AccountSettings, AccountTagMapping, GoogleAccount

    def make(email="owner@gmail.com", tag="Личные контакты", label="CRM contacts", sub=None, **settings):
        account = GoogleAccount(user_id=owner.id, google_sub=sub or email, email=email)
        account.settings = AccountSettings(**settings)
        db.session.add(account)
        db.session.flush()
        if tag:
            tag_row = services.get_or_create_tag(owner.id, tag, commit=False)
            db.session.flush()
            account.tag_mappings.append(AccountTagMapping(tag_id=tag_row.id, google_label=label))
        db.session.commit()
        return account

    return make
