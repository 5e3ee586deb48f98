"""Settings that depend on Google: the calendar list (for the target calendar) and tag → label mapping."""
import pytest

from tests.accounts.test_settings_page import form_data
from wizard.google import scopes
from wizard.extensions import db
from wizard.models.accounts import AccountSettings, AccountTagMapping, GoogleAccount


@pytest.fixture
def user(make_user):
    return make_user("anna@example.com")


def linked(web, login, user, **kwargs):
    login(user)
    web.link(**kwargs)
    return db.session.scalars(db.select(GoogleAccount)).one()


def test_target_calendar_is_chosen_from_the_accounts_calendar_list(web, login, user, google):
    google.control("POST", "/calendars", json={"email": "anna@gmail.com", "id": "team@group.calendar.google.com",
                                               "summary": "Team meetings"})
    account = linked(web, login, user)
    page = web.client.get(f"/sync/accounts/{account.id}/settings").get_data(as_text=True)
    assert "Team meetings" in page
    assert '<option selected value="primary">' in page or 'value="primary" selected' in page
    response = web.client.post(f"/sync/accounts/{account.id}/settings",
                                   data=form_data(target_calendar_id="team@group.calendar.google.com"))
    assert response.status_code == 302
    saved = db.session.get(AccountSettings, account.settings.id)
    db.session.refresh(saved)
    assert (saved.target_calendar_id, saved.target_calendar_name) == ("team@group.calendar.google.com",
                                                                     "Team meetings")


def test_without_calendar_list_access_only_primary_is_offered(web, login, user):
    account = linked(web, login, user, untick=(scopes.CALENDAR_LIST,))
    page = web.client.get(f"/sync/accounts/{account.id}/settings").get_data(as_text=True)
    assert "Google did not list your calendars" in page
    assert web.client.post(f"/sync/accounts/{account.id}/settings",
                               data=form_data(target_calendar_id="team@group.calendar.google.com")).status_code == 422


def test_personal_tags_map_to_google_labels(web, login, user, make_user):
    from wizard.crm import services as crm

    personal = crm.create_tag(user.id, "Личные контакты")
    clients = crm.create_tag(user.id, "Clients")
    public = crm.create_tag(user.id, "Everyone", personal=False)
    foreign = crm.create_tag(make_user("eve@example.com").id, "Eve's tag")
    account = linked(web, login, user)
    page = web.client.get(f"/sync/accounts/{account.id}/settings").get_data(as_text=True)
    assert "Личные контакты" in page and "Clients" in page
    assert "Everyone" not in page and "Eve&#39;s tag" not in page

    data = form_data(**{f"tag_{personal.id}": "y", f"label_{personal.id}": "CRM: personal",
                        f"tag_{public.id}": "y", f"tag_{foreign.id}": "y"})
    assert web.client.post(f"/sync/accounts/{account.id}/settings", data=data).status_code == 302
    mappings = db.session.scalars(db.select(AccountTagMapping)).all()
    assert [(m.tag_id, m.google_label) for m in mappings] == [(personal.id, "CRM: personal")]

    # Untick it, tick the other one with the default label (the tag's name).
    data = form_data(**{f"tag_{clients.id}": "y", f"label_{clients.id}": ""})
    assert web.client.post(f"/sync/accounts/{account.id}/settings", data=data).status_code == 302
    db.session.expire_all()
    mappings = db.session.scalars(db.select(AccountTagMapping)).all()
    assert [(m.tag_id, m.google_label) for m in mappings] == [(clients.id, "Clients")]


def test_too_long_label_is_rejected(web, login, user):
    from wizard.crm import services as crm

    tag = crm.create_tag(user.id, "Friends")
    account = linked(web, login, user)
    response = web.client.post(f"/sync/accounts/{account.id}/settings",
                                   data=form_data(**{f"tag_{tag.id}": "y", f"label_{tag.id}": "x" * 256}))
    assert response.status_code == 422
    assert "at most 255 characters" in response.get_data(as_text=True)
    db.session.expire_all()  # nothing changed: the mapping made at linking (every personal tag) stays as it was
    assert [m.google_label for m in db.session.scalars(db.select(AccountTagMapping))] == ["Friends"]
