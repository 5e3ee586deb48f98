"""The documented procedure never says to pick a tag: a newly linked account syncs every personal tag of its
user (each to a Google label of the same name) until the user chooses tags one by one; a contacts sync that
can send nothing is never shown as plain success."""
import re

import pytest

from tests.accounts.helpers import add_account
from wizard.crm import services as crm
from wizard.extensions import db
from wizard.models.accounts import GoogleAccount
from wizard.settings.values import set_setting


@pytest.fixture
def user(make_user):
    return make_user("anna@example.com")


def linked():
    db.session.expire_all()
    return db.session.scalars(db.select(GoogleAccount)).one()


def labels(account):
    return sorted(m.google_label for m in account.tag_mappings)


def settings_form(**overrides):
    data = {"activities_auto": "y", "activities_period": "30", "activities_period_unit": "minutes",
            "activities_sync_from": "2026-01-15", "contacts_auto": "y", "contacts_period": "2",
            "contacts_period_unit": "hours", "target_calendar_id": "primary", "contacts_direction": "two_way",
            "activities_direction": "two_way", "conflict_policy": "ask", "untag_policy": "remove_label",
            "notify_attendees": "none"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_new_link_maps_the_tags_put_on_contacts_before(web, login, user):
    crm.get_or_create_tag(user.id, "Личные контакты")
    crm.get_or_create_tag(user.id, "Public", personal=False)
    login(user)
    web.link()
    account = linked()
    assert account.settings.sync_all_personal_tags is True
    assert labels(account) == ["Личные контакты"]  # the public tag never syncs


def test_a_tag_created_after_linking_is_taken_too(web, login, user):
    login(user)
    web.link()
    crm.get_or_create_tag(user.id, "Семья")
    assert labels(linked()) == ["Семья"]


def test_new_account_periods_come_from_the_system_settings(web, login, user):
    set_setting("ActivitiesSyncPeriodMinutes", 15)
    set_setting("ContactsSyncPeriodMinutes", 45)
    login(user)
    web.link()
    assert (linked().settings.activities_period_minutes, linked().settings.contacts_period_minutes) == (15, 45)


def test_the_settings_page_shows_the_choice_and_choosing_tags_ends_it(client, login, user):
    work, family = crm.get_or_create_tag(user.id, "Work"), crm.get_or_create_tag(user.id, "Family")
    account = add_account(user, "anna@gmail.com")
    account.settings.sync_all_personal_tags = True
    db.session.commit()
    login(user)
    page = client.get(f"/sync/accounts/{account.id}/settings").get_data(as_text=True)
    box = re.search(r'<input[^>]*id="sync_all_personal_tags"[^>]*>', page).group(0)
    assert "checked" in box
    assert re.search(rf'<input[^>]*id="tag_{work.id}"[^>]*checked[^>]*disabled', page)  # shown as synced
    response = client.post(f"/sync/accounts/{account.id}/settings",
                           data=settings_form(**{f"tag_{work.id}": "y", f"label_{work.id}": "Работа"}))
    assert response.status_code == 302
    account = linked()
    assert account.settings.sync_all_personal_tags is False and labels(account) == ["Работа"]
    crm.get_or_create_tag(user.id, "Later")
    assert labels(linked()) == ["Работа"]  # chosen one by one: a new tag is not added
    client.post(f"/sync/accounts/{account.id}/settings",
                data=settings_form(sync_all_personal_tags="y", **{f"label_{family.id}": "Семья", f"label_{work.id}": "Работа"}))
    assert labels(linked()) == ["Later", "Работа", "Семья"]


def test_no_tag_chosen_is_a_warning_with_the_fix_on_both_pages(client, login, user):
    account = add_account(user, "anna@gmail.com")
    login(user)
    client.get("/locale/ru")
    settings_page = client.get(f"/sync/accounts/{account.id}/settings").get_data(as_text=True)
    assert 'id="no-tag-warning"' in settings_page and "Не выбран ни один личный тег" in settings_page
    health = client.get(f"/sync/accounts/{account.id}/health").get_data(as_text=True)
    assert 'id="no-tag-warning"' in health
    assert f'/sync/accounts/{account.id}/settings#tag-choice' in health
    crm.get_or_create_tag(user.id, "Личные контакты")
    client.post(f"/sync/accounts/{account.id}/settings", data=settings_form(sync_all_personal_tags="y"))
    assert 'id="no-tag-warning"' not in client.get(f"/sync/accounts/{account.id}/health").get_data(as_text=True)


def test_contacts_only_from_google_need_no_tag(client, login, user):
    account = add_account(user, "anna@gmail.com")
    account.settings.contacts_direction = "from_google"
    db.session.commit()
    login(user)
    assert 'id="no-tag-warning"' not in client.get(f"/sync/accounts/{account.id}/health").get_data(as_text=True)


def test_configure_in_the_crm_actions_menu_opens_the_settings_entry(client, login, user):
    add_account(user, "anna@gmail.com")
    login(user)
    page = client.get("/contacts").get_data(as_text=True)
    assert 'href="/sync/settings" id="crm-configure-sync"' in page


def test_linking_starts_the_first_sync_and_says_what_next(web, login, user):
    from wizard.models.sync import RunStatus, SyncRun

    login(user)
    web.link()
    runs = db.session.scalars(db.select(SyncRun)).all()
    assert sorted(r.object for r in runs) == ["activities", "contacts"]
    assert all(r.status == RunStatus.QUEUED for r in runs)
    assert 'id="what-next"' in web.client.get("/sync").get_data(as_text=True)
