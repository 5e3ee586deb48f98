"""Several tag mappings: each contact goes into the labels of its own tags, and comes back with them."""
from wizard.crm import services
from wizard.engine import run_sync
from wizard.extensions import db
from wizard.models.accounts import AccountTagMapping
from wizard.models.crm import Contact
from wizard.models.sync import RunStatus

from tests.engine.helpers import GoogleUser, names


def second_mapping(account, tag="Партнёры", label="Partners"):
    tag_row = services.get_or_create_tag(account.user_id, tag, commit=False)
    db.session.flush()
    account.tag_mappings.append(AccountTagMapping(tag_id=tag_row.id, google_label=label))
    db.session.commit()
    return tag_row.id


def contact(account, first, *tag_ids):
    row = services.create_contact(account.user_id, {"first_name": first, "last_name": "", "emails": [], "phones": []})
    for tag_id in tag_ids:
        services.tag_contacts(account.user_id, tag_id, [row.id])
    return row


def test_contacts_go_into_the_labels_of_their_own_tags(app, account, emulator):
    google = GoogleUser(emulator, account)
    clients = account.tag_mappings[0].tag_id
    partners = second_mapping(account)
    contact(account, "Client", clients)
    contact(account, "Partner", partners)
    contact(account, "Both", clients, partners)
    run = run_sync(account.id, "contacts")
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    assert names(google.labelled("CRM contacts")) == ["Both", "Client"]
    assert names(google.labelled("Partners")) == ["Both", "Partner"]
    assert len(google.connections()) == 3  # one contact each, whatever its labels

    google.create("FromPhone", label="Partners")
    run = run_sync(account.id, "contacts")
    assert run.status == RunStatus.SUCCEEDED, (run.outcome_code, run.outcome_params)
    made = db.session.scalars(db.select(Contact).where(Contact.first_name == "FromPhone")).one()
    assert [t.id for t in made.tags] == [partners]  # the tag of its label, not the first mapping's
