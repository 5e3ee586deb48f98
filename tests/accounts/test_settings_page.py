"""Sync settings ("Настроить..."): defaults, saving, period bounds with their messages, ownership."""
from datetime import date

import pytest

from tests.accounts.helpers import add_account
from wizard.extensions import db
from wizard.models.accounts import AccountSettings


@pytest.fixture
def user(make_user):
    return make_user("anna@example.com")


@pytest.fixture
def account(user):
    return add_account(user, "anna@gmail.com")


def form_data(**overrides):
    data = {"activities_auto": "y", "activities_period": "30", "activities_period_unit": "minutes",
            "activities_sync_from": "2026-01-15", "contacts_auto": "y", "contacts_period": "2",
            "contacts_period_unit": "hours", "target_calendar_id": "primary", "contacts_direction": "two_way",
            "activities_direction": "to_google", "conflict_policy": "crm_wins", "untag_policy": "remove_label",
            "notify_attendees": "none"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_settings_page_shows_documented_fields_in_russian(client, login, user, account):
    login(user)
    client.get("/locale/ru")
    page = client.get(f"/sync/accounts/{account.id}/settings").get_data(as_text=True)
    for label in ("Синхронизировать активности автоматически", "Синхронизировать начиная с",
                  "Синхронизировать контакты автоматически"):
        assert label in page
    assert 'type="date"' in page


def test_saving_settings_stores_minutes_and_choices(client, login, user, account):
    login(user)
    response = client.post(f"/sync/accounts/{account.id}/settings", data=form_data())
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(AccountSettings, account.settings.id)
    assert saved.activities_period_minutes == 30
    assert saved.contacts_period_minutes == 120
    assert saved.activities_sync_from == date(2026, 1, 15)
    assert saved.activities_direction == "to_google"
    assert saved.conflict_policy == "crm_wins"
    assert saved.notify_attendees == "none"
    page = client.get(f"/sync/accounts/{account.id}/settings").get_data(as_text=True)
    assert 'value="2"' in page  # shown back as 2 hours


def test_defaults_never_mail_attendees_and_use_primary_calendar(user, account):
    assert account.settings.notify_attendees == "none"
    assert account.settings.target_calendar_id == "primary"
    assert account.settings.delete_in_google is False and account.settings.delete_in_crm is False


@pytest.mark.parametrize("overrides, field, message", [
    ({"activities_period": "4", "activities_period_unit": "minutes"}, "activities_period",
     "at least 5 minutes"),
    ({"activities_period": "8", "activities_period_unit": "days"}, "activities_period", "at most 7 days"),
    ({"contacts_period": "25", "contacts_period_unit": "hours"}, "contacts_period", "at least once a day"),
    ({"contacts_period": "0"}, "contacts_period", "greater than zero"),
    ({"activities_period": "abc"}, "activities_period", "Not a valid integer"),
    ({"activities_period": ""}, "activities_period", "Enter a period."),
    ({"activities_sync_from": ""}, "activities_sync_from", "Choose a date."),
    ({"target_calendar_id": "someone-elses@group.calendar.google.com"}, "target_calendar_id", "Not a valid choice"),
])
def test_bad_values_are_rejected_with_a_message_and_change_nothing(client, login, user, account, overrides,
                                                                  field, message):
    login(user)
    before = (account.settings.activities_period_minutes, account.settings.contacts_period_minutes)
    response = client.post(f"/sync/accounts/{account.id}/settings", data=form_data(**overrides))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'data-error-for="{field}"' in page
    assert message in page
    db.session.expire_all()
    saved = db.session.get(AccountSettings, account.settings.id)
    assert (saved.activities_period_minutes, saved.contacts_period_minutes) == before


def test_period_messages_are_translated(client, login, user, account):
    login(user)
    client.get("/locale/ru")
    page = client.post(f"/sync/accounts/{account.id}/settings",
                       data=form_data(contacts_period="2", contacts_period_unit="days")).get_data(as_text=True)
    assert "не реже раза в сутки" in page


def test_bounds_are_accepted(client, login, user, account):
    login(user)
    ok = client.post(f"/sync/accounts/{account.id}/settings",
                     data=form_data(activities_period="7", activities_period_unit="days",
                                    contacts_period="1", contacts_period_unit="days"))
    assert ok.status_code == 302
    ok = client.post(f"/sync/accounts/{account.id}/settings",
                     data=form_data(activities_period="5", contacts_period="5", contacts_period_unit="minutes"))
    assert ok.status_code == 302


def test_another_user_cannot_read_or_change_settings(client, login, make_user, account):
    intruder = make_user("mallory@example.com")
    login(intruder)
    assert client.get(f"/sync/accounts/{account.id}/settings").status_code == 404
    assert client.post(f"/sync/accounts/{account.id}/settings", data=form_data(activities_period="10")).status_code == 404
    assert client.post(f"/sync/accounts/{account.id}/unlink").status_code == 404
    assert client.post(f"/sync/accounts/{account.id}/reconnect").status_code == 404
    assert client.get(f"/sync/accounts/{account.id}/health").status_code == 404
    assert client.get(f"/sync/accounts/{account.id}/health/progress").status_code == 404
    assert client.post(f"/sync/accounts/{account.id}/health/sync").status_code == 404
    assert account.email not in client.get("/sync").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(AccountSettings, account.settings.id).activities_period_own is None  # unchanged
    assert account.unlinked_at is None


def test_anonymous_is_sent_to_login(client, account):
    response = client.get(f"/sync/accounts/{account.id}/settings")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_configure_entry_goes_to_the_only_account(client, login, user, account):
    login(user)
    response = client.get("/sync/settings")
    assert response.headers["Location"].endswith(f"/sync/accounts/{account.id}/settings")


def test_configure_entry_lists_several_accounts(client, login, user, account):
    second = add_account(user, "anna.work@gmail.com")
    login(user)
    page = client.get("/sync/settings").get_data(as_text=True)
    assert account.email in page and second.email in page
