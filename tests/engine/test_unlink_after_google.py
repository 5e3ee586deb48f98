"""A CRM deletion whose run dies after its bookkeeping but before Google heard of it: the next run must still
take the contact out of the label (or delete it, with real deletion on). The pair used to be unlinked first,
so nothing was left to say the Google side still had to change: the contact stayed in the label for ever (and
a later full listing brought it back into the CRM). Found by the soak (benchmarks/soak.py)."""
import pytest

from wizard.crm import services
from wizard.engine import run_sync
from wizard.engine.checkpoints import CRASH_ENV, SimulatedCrash
from wizard.extensions import db
from wizard.models.sync import Pair, RunStatus

from tests.engine.helpers import GoogleUser, crm_contact, names


@pytest.mark.parametrize("settings, google_after", [
    ({}, ["Gone Person", "Keep Person"]),  # leaves the label, stays in Google
    ({"delete_in_google": True, "delete_in_crm": True}, ["Keep Person"]),  # deleted in Google too
])
def test_crm_delete_interrupted_before_google_is_finished_next_run(make_account, emulator, monkeypatch, settings,
                                                                   google_after):
    account = make_account(**settings)
    google = GoogleUser(emulator, account)
    google.create_group("CRM contacts")
    crm_contact(account, "Keep", "Person")
    gone = crm_contact(account, "Gone", "Person")
    assert run_sync(account.id, "contacts").status == RunStatus.SUCCEEDED
    services.delete_contact(account.user_id, gone.id)
    monkeypatch.setenv(CRASH_ENV, "before_google_writes")
    with pytest.raises(SimulatedCrash):
        run_sync(account.id, "contacts")
    db.session.rollback()
    monkeypatch.delenv(CRASH_ENV)
    run = run_sync(account.id, "contacts")
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    assert names(google.labelled()) == ["Keep Person"]
    assert names(google.connections()) == google_after
    assert Pair.query.count() == 1


@pytest.mark.parametrize("settings", [{}, {"delete_in_google": True, "delete_in_crm": True}])
def test_google_delete_interrupted_before_the_crm_write_is_finished_next_run(make_account, emulator, monkeypatch,
                                                                            settings):
    """The mirror case: a contact deleted in Google loses the tag in the CRM (or is deleted there, with real
    deletion on). Unlinked before that CRM write was committed, a run dying in between left the contact
    tagged and unpaired: Google's deletion, listed again, named no pair, and the CRM's next edit of the
    contact would have created it in Google again."""
    from tests.engine.helpers import crm_contacts

    account = make_account(**settings)
    google = GoogleUser(emulator, account)
    google.create_group("CRM contacts")
    crm_contact(account, "Keep", "Person")
    gone = crm_contact(account, "Gone", "Person")
    assert run_sync(account.id, "contacts").status == RunStatus.SUCCEEDED
    google.delete(next(p for p in google.labelled() if names([p]) == ["Gone Person"]))
    monkeypatch.setenv(CRASH_ENV, "before_crm_writes")
    with pytest.raises(SimulatedCrash):
        run_sync(account.id, "contacts")
    db.session.rollback()
    monkeypatch.delenv(CRASH_ENV)
    run = run_sync(account.id, "contacts")
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    assert sorted(c.display_name for c in crm_contacts(account)) == ["Keep Person"]  # untagged or deleted
    assert Pair.query.count() == 1
    if not settings:  # kept, untagged: a later edit must not bring it back to Google (deleted: nothing to edit)
        services.update_contact(account.user_id, gone.id, {"job_title": "Edited later"})
    assert run_sync(account.id, "contacts").status == RunStatus.SUCCEEDED
    assert names(google.connections()) == ["Keep Person"]  # not brought back
