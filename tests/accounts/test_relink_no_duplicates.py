"""The most frequent complaint about every peer: duplicates after reconnecting. Link through the real OAuth
flow, sync three tagged contacts to Google, unlink (revoked at Google), link again, sync again: still three
contacts on each side, the same pairs, the same account row."""
import pytest
import requests

from wizard.extensions import db
from wizard.models.accounts import GoogleAccount
from wizard.models.sync import Pair, RunStatus


@pytest.fixture
def user(make_user):
    return make_user("olga@example.com")


def google_contacts(emulator, email):
    token = emulator.token(email, ["https://www.googleapis.com/auth/contacts"])
    body = requests.get(emulator.url + "/v1/people/me/connections", timeout=10,
                        headers={"Authorization": f"Bearer {token}"},
                        params={"personFields": "names,memberships", "pageSize": 1000}).json()
    return sorted(p["names"][0]["displayName"] for p in body.get("connections", []) if p.get("names"))


def sync_contacts(account_id):
    from wizard.engine import run_sync

    run = run_sync(account_id, "contacts")
    assert run.status == RunStatus.SUCCEEDED, (run.status, run.outcome_text())
    return run


def test_unlink_and_relink_creates_no_duplicates(web, login, user, google):
    from wizard.crm import services as crm

    login(user)
    web.link("anna@gmail.com")
    account = db.session.scalars(db.select(GoogleAccount)).one()
    tag = crm.create_tag(user.id, "Личные контакты")
    web.client.post(f"/sync/accounts/{account.id}/settings", data={
        "activities_auto": "y", "activities_period": "1", "activities_period_unit": "hours",
        "activities_sync_from": "2026-01-01", "contacts_auto": "y", "contacts_period": "1",
        "contacts_period_unit": "hours", "target_calendar_id": "primary", "contacts_direction": "two_way",
        "activities_direction": "two_way", "conflict_policy": "ask", "untag_policy": "remove_label",
        "notify_attendees": "none", f"tag_{tag.id}": "y", f"label_{tag.id}": "CRM contacts"})
    names = ["Ivan Petrov", "Maria Sidorova", "Oleg Ivanov"]
    for name in names:
        first, last = name.split()
        contact = crm.create_contact(user.id, {"first_name": first, "last_name": last})
        crm.tag_contacts(user.id, tag.id, [contact.id])

    sync_contacts(account.id)
    assert google_contacts(google, "anna@gmail.com") == names
    pairs_before = sorted((p.crm_id, p.google_id) for p in db.session.scalars(db.select(Pair)))
    assert len(pairs_before) == 3

    assert web.client.post(f"/sync/accounts/{account.id}/unlink").status_code == 302
    web.link("anna@gmail.com")
    db.session.expire_all()
    relinked = db.session.scalars(db.select(GoogleAccount)).one()
    assert relinked.id == account.id and relinked.status == "connected"

    sync_contacts(relinked.id)
    assert google_contacts(google, "anna@gmail.com") == names
    db.session.expire_all()
    assert sorted((p.crm_id, p.google_id) for p in db.session.scalars(db.select(Pair))) == pairs_before
    from wizard.models.crm import Contact

    assert db.session.scalar(db.select(db.func.count(Contact.id)).where(Contact.deleted_at.is_(None))) == 3
