"""Sync health page: token health, last run per object, progress JSON, sync now, issues, conflicts, banner."""
from datetime import datetime, timedelta, timezone

import pytest

from tests.accounts.helpers import add_account
from wizard.google import scopes
from wizard.accounts.services import mark_needs_reconnect
from wizard.extensions import db
from wizard.models.accounts import GoogleAccount
from wizard.models.sync import RunStatus, SyncConflict, SyncIssue, SyncRun


@pytest.fixture
def user(make_user):
    return make_user("boris@example.com")


@pytest.fixture
def account(user):
    return add_account(user, "boris@gmail.com")


def now():
    return datetime.now(timezone.utc)


def test_connected_account_without_runs(client, login, user, account):
    login(user)
    page = client.get(f"/sync/accounts/{account.id}/health").get_data(as_text=True)
    assert 'data-token-health="connected"' in page
    assert page.count("Never run yet.") == 2
    assert 'id="sync-now"' in page


def test_last_run_with_counts_duration_and_outcome(client, login, user, account):
    started = now() - timedelta(minutes=3)
    run = SyncRun(account_id=account.id, object="contacts", status=RunStatus.PARTIAL, started_at=started,
                  finished_at=started + timedelta(seconds=42), counts={
                      "google": {"create": 7, "update": 2, "delete": 0, "unlink": 1},
                      "crm": {"create": 3, "update": 0, "delete": 1, "unlink": 0}, "conflicts": 1, "issues": 2})
    db.session.add(run)
    db.session.commit()
    login(user)
    page = client.get(f"/sync/accounts/{account.id}/health").get_data(as_text=True)
    assert f'data-last-run="{run.id}"' in page
    assert "42.0" in page
    assert "<td>7</td><td>2</td><td>0</td><td>0</td><td>1</td>" in page  # created, updated, deleted, cancelled, unlinked
    assert "<td>3</td><td>0</td><td>1</td><td>0</td>" in page
    assert "Conflicts: 1" in page and "Errors: 2" in page
    # Next run: the last run's end plus the account's period, until the dispatcher plans one.
    next_run = page.split("data-next-run>")[1].split("</p>")[0]
    assert "About <time" in next_run


def test_a_run_a_dead_worker_left_names_the_worker_and_says_what_happened(client, login, user, account):
    """Issue #18: the run record and the health page name the worker that ran it; a run whose worker died
    says so in plain words, in English and in Russian."""
    started = now() - timedelta(minutes=2)
    run = SyncRun(account_id=account.id, object="contacts", status=RunStatus.FAILED, started_at=started,
                  finished_at=started + timedelta(seconds=40), worker="host-b.4242",
                  outcome_code="sync.run.worker_died", outcome_params={"worker": "host-b.4242"})
    db.session.add(run)
    db.session.commit()
    login(user)
    page = client.get(f"/sync/accounts/{account.id}/health", headers={"Accept-Language": "en"}).get_data(as_text=True)
    last = page.split(f'data-last-run="{run.id}"')[1].split("</section>")[0]
    assert "worker host-b.4242" in last
    assert "The worker running it (host-b.4242) stopped: it was killed or restarted mid-run." in last
    assert "A new run was queued at once" in last
    from flask_babel import force_locale

    with force_locale("ru"):
        assert "Исполнитель, который вёл запуск (host-b.4242)" in run.outcome_text()


def test_sync_now_queues_a_run_per_granted_object_and_progress_reports_it(client, login, user, account):
    login(user)
    response = client.post(f"/sync/accounts/{account.id}/health/sync")
    assert response.status_code == 302
    runs = db.session.scalars(db.select(SyncRun).where(SyncRun.account_id == account.id)).all()
    assert sorted(r.object for r in runs) == ["activities", "contacts"]
    assert all(r.status == RunStatus.QUEUED and r.trigger == "manual" for r in runs)
    # Clicking twice does not queue twice.
    client.post(f"/sync/accounts/{account.id}/health/sync")
    assert db.session.scalar(db.select(db.func.count(SyncRun.id))) == 2
    data = client.get(f"/sync/accounts/{account.id}/health/progress").get_json()
    assert {o["object"]: o["active"] for o in data["objects"]} == {"contacts": True, "activities": True}
    page = client.get(f"/sync/accounts/{account.id}/health").get_data(as_text=True)
    assert 'data-active="true"' in page


def test_sync_now_skips_objects_without_their_scope(client, login, user):
    account = add_account(user, "partial@gmail.com", scopes_granted=" ".join(
        sorted(scopes.normalise([scopes.CALENDAR_EVENTS, "openid", "email", "profile"]))))
    login(user)
    client.post(f"/sync/accounts/{account.id}/health/sync")
    runs = db.session.scalars(db.select(SyncRun).where(SyncRun.account_id == account.id)).all()
    assert [r.object for r in runs] == ["activities"]
    page = client.get(f"/sync/accounts/{account.id}/health").get_data(as_text=True)
    assert 'data-token-health="scope_missing"' in page
    assert "Grant missing access" in page


def test_issue_retry_marks_it_and_queues_a_run(client, login, user, account):
    issue = SyncIssue(account_id=account.id, object="contacts", crm_id=5, label="Ivan Petrov",
                      code="contacts.sync.rejected", params={})
    db.session.add(issue)
    db.session.commit()
    login(user)
    page = client.get(f"/sync/accounts/{account.id}/health").get_data(as_text=True)
    assert "Ivan Petrov" in page and f'data-issue-id="{issue.id}"' in page
    client.post(f"/sync/accounts/{account.id}/health/issues/{issue.id}/retry")
    db.session.expire_all()
    assert db.session.get(SyncIssue, issue.id).retry_requested is True
    assert db.session.scalar(db.select(SyncRun).where(SyncRun.trigger == "retry")).object == "contacts"


def test_conflict_keep_google_is_recorded(client, login, user, account):
    conflict = SyncConflict(account_id=account.id, object="contacts", label="Olga", field="job_title",
                            base_value="Manager", crm_value="Director", google_value="CEO")
    db.session.add(conflict)
    db.session.commit()
    login(user)
    page = client.get(f"/sync/accounts/{account.id}/health").get_data(as_text=True)
    assert "Director" in page and "CEO" in page and "Keep CRM" in page and "Keep Google" in page
    client.post(f"/sync/accounts/{account.id}/health/conflicts/{conflict.id}/resolve", data={"keep": "google"})
    db.session.expire_all()
    saved = db.session.get(SyncConflict, conflict.id)
    assert saved.resolution == "google" and saved.resolved_by == user.id
    assert "Director" not in client.get(f"/sync/accounts/{account.id}/health").get_data(as_text=True)


def test_another_users_issue_or_conflict_is_404(client, login, make_user, user, account):
    mine = add_account(make_user("mallory@example.com"), "mallory@gmail.com")
    issue = SyncIssue(account_id=account.id, object="contacts", code="x", params={})
    db.session.add(issue)
    db.session.commit()
    login(db.session.get(type(user), mine.user_id))
    assert client.post(f"/sync/accounts/{mine.id}/health/issues/{issue.id}/retry").status_code == 404
    assert client.post(f"/sync/accounts/{account.id}/health/issues/{issue.id}/retry").status_code == 404


def test_needs_reconnect_shows_banner_on_every_page_and_blocks_sync(client, login, user, account):
    mark_needs_reconnect(account.id, "invalid_grant")
    db.session.expire_all()
    stored = db.session.get(GoogleAccount, account.id)
    assert stored.status == "needs_reconnect" and stored.reason_code == "invalid_grant"
    assert stored.refresh_token is None  # dead: reconnecting asks Google for a new one
    login(user)
    for path in ("/", "/sync", "/contacts", f"/sync/accounts/{account.id}/settings"):
        page = client.get(path).get_data(as_text=True)
        assert 'data-banner="reconnect"' in page, path
        assert account.email in page
    health = client.get(f"/sync/accounts/{account.id}/health").get_data(as_text=True)
    assert 'data-token-health="needs_reconnect"' in health
    client.post(f"/sync/accounts/{account.id}/health/sync")
    assert db.session.scalar(db.select(db.func.count(SyncRun.id))) == 0


def test_banner_is_not_shown_to_other_users(client, login, make_user, account):
    mark_needs_reconnect(account.id, "invalid_grant")
    login(make_user("someone.else@example.com"))
    assert 'data-banner="reconnect"' not in client.get("/").get_data(as_text=True)


def test_testing_client_warns_about_7_day_tokens(client, login, user, account):
    from wizard.settings.values import set_setting

    set_setting("GoogleAppPublishingStatus", "testing")
    login(user)
    page = client.get(f"/sync/accounts/{account.id}/health").get_data(as_text=True)
    assert 'data-token-health="expiring"' in page


def test_token_rotation_reencrypts_tokens(app, user, account):
    from wizard.google.tokens import rotate_tokens

    before = account.refresh_token_enc
    assert rotate_tokens() == 2
    db.session.expire_all()
    again = db.session.get(GoogleAccount, account.id)
    assert again.refresh_token == "1//test-refresh" and again.refresh_token_enc != before


def test_guarded_run_can_be_confirmed_or_dismissed(client, login, user, account):
    from wizard.models.sync import PendingGuard

    first = PendingGuard(account_id=account.id, object="contacts", kind="mass_delete", code="sync.guard.mass_delete",
                         params={}, counts={"google": {"delete": 40}})
    second = PendingGuard(account_id=account.id, object="activities", kind="first_sync_preview",
                          code="sync.guard.preview", params={})
    db.session.add_all([first, second])
    db.session.commit()
    login(user)
    page = client.get(f"/sync/accounts/{account.id}/health").get_data(as_text=True)
    assert f'data-guard-id="{first.id}"' in page and f'data-guard-id="{second.id}"' in page
    client.post(f"/sync/accounts/{account.id}/health/guards/{first.id}/confirm")
    client.post(f"/sync/accounts/{account.id}/health/guards/{second.id}/dismiss")
    db.session.expire_all()
    assert db.session.get(PendingGuard, first.id).confirmed_by == user.id
    assert db.session.get(PendingGuard, second.id).closed_at is not None
    run = db.session.scalars(db.select(SyncRun)).one()
    assert (run.object, run.forced) == ("contacts", True)


def test_a_long_list_of_failed_records_or_conflicts_shows_its_first_rows_and_says_how_many_in_all(
        client, login, user, account):
    from wizard.health.services import SHOWN

    db.session.add_all([SyncIssue(account_id=account.id, object="contacts", crm_id=n, label=f"Contact {n}",
                                  code="contacts.sync.rejected", params={}) for n in range(SHOWN + 5)])
    db.session.add_all([SyncConflict(account_id=account.id, object="contacts", label=f"Person {n}",
                                     field="job_title", base_value="a", crm_value="b", google_value="c")
                        for n in range(3)])
    db.session.commit()
    login(user)
    page = client.get(f"/sync/accounts/{account.id}/health").get_data(as_text=True)
    assert page.count("data-issue-id=") == SHOWN
    assert f"The first {SHOWN} of {SHOWN + 5} are shown" in page
    assert page.count("data-conflict-id=") == 3 and 'id="conflicts-more"' not in page
