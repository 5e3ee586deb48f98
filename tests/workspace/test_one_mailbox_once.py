"""One Google mailbox is connected once: a personal link (consent screen) and the domain's delegation never both
sync the same address, since each would write the user's contacts and meetings into it (duplicates)."""
import pytest

from tests.accounts.conftest import CLEAN_CALLBACK, SITE, Browser
from tests.accounts.helpers import CLIENT_ID, CLIENT_SECRET, configure_google_client
from wizard.accounts import domain as domain_accounts
from wizard.extensions import db
from wizard.models.accounts import GoogleAccount


@pytest.fixture
def consent(emulator, configured):
    """The documented OAuth client as well, and ann's mailbox able to sign in on Google's consent page."""
    emulator.add_client(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=[CLEAN_CALLBACK],
                        javascript_origins=[SITE], status="production")
    emulator.add_user("ann@example.com", "Ann")
    configure_google_client(SITE)


@pytest.fixture
def ann(make_user):
    return make_user("ann@example.com")


def linked(user=None) -> list[tuple[str, str]]:
    query = db.select(GoogleAccount).where(GoogleAccount.unlinked_at.is_(None))
    if user is not None:
        query = query.where(GoogleAccount.user_id == user.id)
    return sorted((a.kind, a.email) for a in db.session.scalars(query))


def test_a_mailbox_linked_personally_is_not_connected_through_the_domain_too(
        app, client, login, emulator, consent, ann, make_user):
    login(ann)
    assert Browser(client, emulator).link("ann@example.com").status_code == 302
    client.post("/logout")
    admin = make_user("boss@example.org", role="admin")
    login(admin)
    client.post("/admin/domain/users/enrol")  # "Connect every user of the domain"
    assert linked() == [("personal", "ann@example.com")]
    page = client.get("/admin/domain/users").get_data(as_text=True)
    assert 'data-user="ann@example.com" data-state="personal"' in page and "Linked personally" in page
    page = client.post(f"/admin/domain/users/{ann.id}/on", data={"address": ""},
                       follow_redirects=True).get_data(as_text=True)
    assert "ann@example.com is linked personally by its user" in page
    assert linked() == [("personal", "ann@example.com")]


def test_another_user_cannot_take_a_personally_linked_mailbox_through_the_domain(
        app, client, login, emulator, consent, ann, make_user):
    login(ann)
    Browser(client, emulator).link("ann@example.com")
    client.post("/logout")
    carol = make_user("carol@crm.example.net")
    with pytest.raises(domain_accounts.DomainError) as refused:
        domain_accounts.enrol(carol, "ann@example.com", start_sync=False)
    assert refused.value.code == "accounts.domain.taken"
    assert linked(carol) == []


def test_a_mailbox_connected_through_the_domain_is_not_linked_personally_too(
        app, client, login, emulator, consent, ann):
    domain_accounts.enrol(ann, start_sync=False)
    login(ann)
    page = Browser(client, emulator).link("ann@example.com")
    body = client.get(page.headers["Location"]).get_data(as_text=True) if page.status_code == 302 else ""
    assert "already connected through your company" in body
    assert linked(ann) == [("delegated", "ann@example.com")]


def test_unlinking_the_personal_link_lets_the_admin_switch_the_user_on(app, client, login, emulator, consent, ann):
    login(ann)
    Browser(client, emulator).link("ann@example.com")
    personal = db.session.scalar(db.select(GoogleAccount).where(GoogleAccount.user_id == ann.id))
    client.post(f"/sync/accounts/{personal.id}/unlink")
    assert linked(ann) == []
    domain_accounts.enrol(ann, start_sync=False)
    assert linked(ann) == [("delegated", "ann@example.com")]
