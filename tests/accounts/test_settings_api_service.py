"""The settings service the JSON API uses: same rules as the page, partial updates, per-field messages."""
import pytest

from tests.accounts.helpers import add_account
from wizard.accounts import services, settings
from wizard.extensions import db


@pytest.fixture(autouse=True)
def request_context(app):
    with app.test_request_context("/api/v1/accounts"):  # the API calls it inside a request
        yield


@pytest.fixture
def user(make_user):
    return make_user("anna@example.com")


@pytest.fixture
def account(user):
    return add_account(user, "anna@gmail.com")


def test_as_dict_has_documented_fields_and_no_tokens(app, account):
    data = settings.as_dict(account)
    assert data["activities_auto"] is True and data["contacts_period_minutes"] == 60
    assert data["notify_attendees"] == "none" and data["tags"] == []
    shown = services.account_dict(account)
    assert shown["features"] == {"contacts": True, "activities": True, "calendar_list": True}
    assert "token" not in str(shown).lower()


def test_partial_update_saves(app, user, account):
    assert settings.update(account, user, {"contacts_period_minutes": 1440, "conflict_policy": "google_wins"}) == {}
    db.session.expire_all()
    data = settings.as_dict(account)
    assert data["contacts_period_minutes"] == 1440 and data["conflict_policy"] == "google_wins"
    assert data["activities_period_minutes"] == 15  # untouched: the system default (ActivitiesSyncPeriodMinutes)
    assert data["follows_system_defaults"] == ["activities_period_minutes", "delete_in_google", "delete_in_crm"]


def test_an_untouched_setting_keeps_following_the_system_default_and_null_follows_again(app, user, account):
    from wizard.settings.values import set_setting

    assert settings.update(account, user, {"contacts_period_minutes": 90}) == {}
    set_setting("ActivitiesSyncPeriodMinutes", "25")
    set_setting("SyncConflictPolicy", "newest")
    data = settings.as_dict(account)
    assert (data["activities_period_minutes"], data["conflict_policy"]) == (25, "newest")
    assert settings.update(account, user, {"contacts_period_minutes": None}) == {}
    set_setting("ContactsSyncPeriodMinutes", "40")
    assert settings.as_dict(account)["contacts_period_minutes"] == 40


@pytest.mark.parametrize("change, field", [
    ({"contacts_period_minutes": 1441}, "contacts_period_minutes"),
    ({"activities_period_minutes": 4}, "activities_period_minutes"),
    ({"activities_period_minutes": "60"}, "activities_period_minutes"),
    ({"activities_auto": "yes"}, "activities_auto"),
    ({"activities_sync_from": "yesterday"}, "activities_sync_from"),
    ({"conflict_policy": "coin_flip"}, "conflict_policy"),
    ({"tags": [{"tag_id": 999}]}, "tags"),
    ({"surprise": 1}, "surprise"),
])
def test_bad_values_are_refused_per_field(app, user, account, change, field):
    errors = settings.update(account, user, {"contacts_period_minutes": 120, **change})
    assert field in errors and errors[field]
    db.session.expire_all()
    assert settings.as_dict(account)["contacts_period_minutes"] == 60  # nothing saved


def test_tags_by_api(app, user, account, make_user):
    from wizard.crm import services as crm

    tag = crm.create_tag(user.id, "Friends")
    foreign = crm.create_tag(make_user("eve@example.com").id, "Eve")
    assert settings.update(account, user, {"tags": [{"tag_id": foreign.id}]}) == {"tags": ["Unknown personal tag."]}
    assert settings.update(account, user, {"tags": [{"tag_id": tag.id, "google_label": "CRM friends"}]}) == {}
    assert settings.as_dict(account)["tags"] == [{"tag_id": tag.id, "google_label": "CRM friends"}]
