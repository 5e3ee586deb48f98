"""The "ask" policy lists a conflict and writes neither side; the user's decision is applied by the next run.
The `syncwizard sync` command runs from the shell."""
from wizard.crm import services
from wizard.engine import run_sync
from wizard.extensions import db
from wizard.models.sync import SyncConflict

from tests.engine.helpers import GoogleUser, crm_contact, crm_contacts


def conflicting_edit(account, emulator):
    google = GoogleUser(emulator, account)
    anna = crm_contact(account, "Anna", "Petrova")
    run_sync(account.id, "contacts")
    google.update_name(google.labelled()[0], "Anya")
    services.update_contact(account.user_id, anna.id, {"first_name": "Annette"})
    return google, anna


def test_ask_lists_the_conflict_and_applies_the_users_choice(app, make_account, emulator):
    account = make_account(conflict_policy="ask")
    google, anna = conflicting_edit(account, emulator)
    run = run_sync(account.id, "contacts")
    assert run.counts["conflicts"] == 1 and run.counts["google"] == {} and run.counts["crm"] == {}
    conflict = SyncConflict.query.one()
    assert conflict.field == "given_name" and conflict.crm_value == "Annette" and conflict.google_value == "Anya"
    assert google.labelled()[0]["names"][0]["givenName"] == "Anya"
    assert crm_contacts(account)[0].first_name == "Annette"
    # The user keeps Google's value.
    from datetime import datetime, timezone

    conflict.resolution, conflict.resolved_at = "google", datetime.now(timezone.utc)
    db.session.commit()
    run = run_sync(account.id, "contacts")
    assert run.counts["crm"] == {"update": 1} and run.counts["google"] == {}
    assert crm_contacts(account)[0].first_name == "Anya"
    assert SyncConflict.query.one().applied_at is not None
    again = run_sync(account.id, "contacts")
    assert again.counts["crm"] == {} and again.counts["google"] == {} and again.counts["conflicts"] == 0


def test_crm_wins_policy_overwrites_google(app, make_account, emulator):
    account = make_account(conflict_policy="crm_wins")
    google, _ = conflicting_edit(account, emulator)
    run = run_sync(account.id, "contacts")
    assert run.counts["google"] == {"update": 1}
    assert google.labelled()[0]["names"][0]["givenName"] == "Annette"


def test_cli_runs_and_queues(app, account, emulator):
    from wizard.cli import cli
    from wizard.models.sync import SyncRun

    crm_contact(account, "Shell", "Person")
    runner = app.test_cli_runner()
    result = runner.invoke(cli, ["sync", account.email, "--contacts", "--wait"])
    assert result.exit_code == 0, result.output
    assert "succeeded" in result.output and "create 1" in result.output
    result = runner.invoke(cli, ["sync", str(account.id), "--activities"])
    assert result.exit_code == 0 and "queued run" in result.output
    assert SyncRun.query.filter_by(object="activities", status="queued").count() == 1
    result = runner.invoke(cli, ["sync", "nobody@example.org"])
    assert result.exit_code != 0
