"""Users under domain-wide delegation, end to end against the emulator: the product signs RS256 assertions,
the emulator checks them against the key, the domain and the Admin console's grant. Three CRM users of the
domain tag contacts and do nothing else; their contacts arrive in their Google accounts with no consent page
and no refresh token anywhere; tokens are minted once per user and reused; a key deleted mid-run stops every
delegated account at once, loses nothing and asks Google once, not once per account or per retry."""
import json

import pytest

from tests.workspace.conftest import USERS, DomainUser, token_requests
from wizard.accounts import domain as domain_accounts
from wizard.crm import services as crm
from wizard.engine import run_sync
from wizard.engine.checkpoints import CHECKPOINT_HOOKS
from wizard.extensions import db
from wizard.google import workspace
from wizard.models.accounts import CONNECTED, DELEGATED, NEEDS_RECONNECT, GoogleAccount
from wizard.models.sync import Pair, RunStatus
from wizard.redis import get_redis
from wizard.settings.values import set_setting
from wizard.setup import domain as wizard_domain


@pytest.fixture
def people(make_user):
    """The three CRM users of the domain, and one outside it."""
    made = [make_user(email) for email in USERS]
    make_user("outsider@gmail.com")
    return made


def tag_contacts(user, tag_name, names):
    """What a user does in domain mode, and all they do: put their personal tag on contacts."""
    tag = crm.get_or_create_tag(user.id, tag_name)
    for name in names:
        contact = crm.create_contact(user.id, {"first_name": name, "last_name": user.email.split("@")[0]})
        crm.tag_contacts(user.id, tag.id, [contact.id])
    return tag


def names_in(emulator, email, label):
    return sorted((p["names"][0]["givenName"]) for p in DomainUser(emulator, email).labelled(label))


def test_three_users_tag_contacts_and_they_arrive_without_consent(app, emulator, configured, people):
    for user, names in zip(people, (["Anna", "Boris"], ["Vera"], ["Gleb", "Dina", "Egor"])):
        tag_contacts(user, "Клиенты", names)
    enrolled = domain_accounts.enrol_domain(start_sync=False)
    assert sorted(a.email for a in enrolled) == sorted(USERS)  # the outsider is not in the domain
    emulator.control("POST", "/stats/reset")
    for account in enrolled:
        run = run_sync(account.id, "contacts")
        assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    assert names_in(emulator, "ann@example.com", "Клиенты") == ["Anna", "Boris"]
    assert names_in(emulator, "bob@example.com", "Клиенты") == ["Vera"]
    assert names_in(emulator, "cat@example.com", "Клиенты") == ["Dina", "Egor", "Gleb"]
    stats = emulator.control("GET", "/stats")["by_endpoint"]
    # No consent page, no authorization code, no refresh: only the JWT bearer grant, one per user.
    assert not [e for e in stats if "auth" in e.lower() and "token" not in e.lower()], stats
    assert token_requests(emulator) == 3
    for account in db.session.scalars(db.select(GoogleAccount)):
        assert account.kind == DELEGATED and account.refresh_token_enc is None and account.access_token_enc is None
    # The cached tokens serve the next runs: no new token request.
    for account in enrolled:
        assert run_sync(account.id, "activities").status == RunStatus.SUCCEEDED
    assert token_requests(emulator) == 3


def test_the_cache_keeps_tokens_encrypted_and_expires_them_before_google(app, emulator, configured, people):
    [ann] = [a for a in domain_accounts.enrol_domain(start_sync=False) if a.email == "ann@example.com"]
    grant = workspace.Delegation(workspace.parse_key(json.dumps(configured["key_file"])), "example.com")
    cache = workspace.TokenCache(get_redis())
    token = cache.token(grant, ann.email)
    stored_name = cache.name(grant, ann.email, workspace.SCOPES)
    stored = get_redis().get(stored_name)
    assert stored and token.encode() not in stored  # encrypted at rest
    ttl = get_redis().ttl(stored_name)
    assert 3599 - workspace.EXPIRY_MARGIN - 5 <= ttl <= 3599 - workspace.EXPIRY_MARGIN
    assert cache.token(grant, ann.email) == token


def test_an_unknown_user_stops_only_that_account(app, emulator, configured, make_user):
    ann = make_user("ann@example.com")
    ghost = make_user("ghost@example.com")  # a CRM user the Workspace domain does not have
    tag_contacts(ann, "Клиенты", ["Anna"])
    tag_contacts(ghost, "Клиенты", ["Nobody"])
    accounts = {a.email: a for a in domain_accounts.enrol_domain(start_sync=False)}
    run = run_sync(accounts["ghost@example.com"].id, "contacts")
    assert run.status == RunStatus.NEEDS_RECONNECT
    db.session.expire_all()
    assert db.session.get(GoogleAccount, accounts["ghost@example.com"].id).reason_code == workspace.USER_UNKNOWN
    assert db.session.get(GoogleAccount, accounts["ann@example.com"].id).status == CONNECTED
    assert run_sync(accounts["ann@example.com"].id, "contacts").status == RunStatus.SUCCEEDED


def test_a_key_deleted_mid_run_flags_every_account_loses_nothing_and_asks_google_once(
        app, emulator, configured, people):
    for user in people:
        tag_contacts(user, "Клиенты", [f"Person{i}" for i in range(8)])  # 8 contacts: 3 chunks of 3
    accounts = domain_accounts.enrol_domain(start_sync=False)
    ann = next(a for a in accounts if a.email == "ann@example.com")
    emulator.control("POST", "/stats/reset")

    chunks = []

    def delete_the_key(ctx):
        """As the second chunk is about to be written: the administrator deletes the key in the console,
        Google revokes what it minted."""
        chunks.append(ctx)
        if len(chunks) < 2:
            return
        CHECKPOINT_HOOKS.clear()
        sa = configured["email"]
        emulator.control("DELETE", f"/service-accounts/{sa}/keys/{configured['key_file']['private_key_id']}")
        emulator.control("POST", f"/service-accounts/{sa}/tokens/revoke")

    CHECKPOINT_HOOKS["before_google_writes"] = delete_the_key
    try:
        run = run_sync(ann.id, "contacts")
    finally:
        CHECKPOINT_HOOKS.clear()
    assert run.status == RunStatus.NEEDS_RECONNECT, (run.outcome_code, run.outcome_params)
    db.session.expire_all()
    for account in db.session.scalars(db.select(GoogleAccount)):
        assert account.status == NEEDS_RECONNECT and account.reason_code == workspace.KEY_INVALID
    assert domain_accounts.domain_broken() == workspace.KEY_INVALID
    # Nothing lost: what reached Google before the key went is paired; the rest waits in the CRM.
    written = Pair.query.count()
    assert 3 <= written < 8
    # No retry storm: one token request for the run's start and one when Google stopped taking the token.
    assert token_requests(emulator) == 2
    for account in accounts:  # every account's next run stops before asking Google anything
        assert run_sync(account.id, "contacts").status == RunStatus.NEEDS_RECONNECT
    assert token_requests(emulator) == 2
    # The administrator uploads a new key and verifies: the accounts resume and finish, nothing duplicated.
    new_key = emulator.control("POST", f"/service-accounts/{configured['email']}/keys")
    set_setting("ServiceAccountKey", json.dumps(new_key))
    assert wizard_domain.verify("ann@example.com").good
    for account in accounts:
        assert run_sync(account.id, "contacts").status == RunStatus.SUCCEEDED
    for email in USERS:
        assert names_in(emulator, email, "Клиенты") == [f"Person{i}" for i in range(8)]
    assert Pair.query.count() == 24


@pytest.mark.parametrize("status", [429, 503])
def test_a_token_endpoint_in_trouble_is_retried_not_a_reason_to_stop_the_domain(app, emulator, configured,
                                                                                  people, status):
    tag_contacts(people[0], "Клиенты", ["Anna"])
    [ann] = [a for a in domain_accounts.enrol_domain(start_sync=False) if a.email == "ann@example.com"]
    emulator.control("POST", "/faults", json={"endpoint": "oauth", "error_rate": 1, "error_statuses": [status],
                                              "remaining": 1})
    run = run_sync(ann.id, "contacts")
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    assert run.counts["retries"] >= 1 and run.counts["google"] == {"create": 1}
    db.session.expire_all()
    assert all(a.status == CONNECTED for a in db.session.scalars(db.select(GoogleAccount)))
