"""The CRM side's adapter: what changed since the cursor as core records, and the core's actions applied
through the CRM services with origin="sync" (so the next run skips its own echoes).

One module per object: `contacts` and `activities`, each exposing a class with the same shape:
    store.changes(seq, full) -> (SideChanges, new_seq)
    store.changed_ids(seq, full) -> (ids, new_seq)    store.fetch(ids) -> {id: Seen | DELETED | OUT_OF_SCOPE}
    store.create(record, ...) -> crm_id      store.update(crm_id, record, fields)
    store.untag(crm_id)                     store.delete(crm_id)

Nothing here commits: the engine commits once per batch, together with the pair rows.
"""
from wizard.store.activities import ActivityStore
from wizard.store.contacts import ContactStore
from wizard.store.origin import ORIGIN  # noqa: F401


def store_for(object: str, account, **options):
    if object == "contacts":
        return ContactStore.for_account(account, **options)
    return ActivityStore.for_account(account, **options)
