"""The planner's lean read of CRM contacts (column selects, no ORM objects) says exactly what the ORM view
says: the same record for every kind of contact, deleted and untagged ones told apart, another owner's
contacts never read."""
from wizard.crm import services
from wizard.extensions import db
from wizard.models.crm import Contact
from wizard.store.contacts import ContactStore, contact_record
from wizard.sync.changes import DELETED, OUT_OF_SCOPE, Seen

from .helpers import crm_contact, tag_id


def test_lean_fetch_matches_the_orm_record(make_account, make_user):
    account = make_account()
    full = crm_contact(account, "Анна", "Петрова", email="Anna@Example.org", phone="+7 916 123-45-67",
                       middle_name="Ивановна", company="ООО Ромашка", job_title="Директор", notes="две\nстроки",
                       birthday={"day": 17, "month": 5, "year": None},
                       addresses=[{"type": "home", "street": "Тверская 1", "city": "Москва", "region": "",
                                   "postcode": "125009", "country": "Россия"},
                                  {"type": "work", "street": "", "city": "Тула", "region": "", "postcode": "",
                                   "country": ""}])
    services.update_contact(account.user_id, full.id, {"emails": [
        {"value": "second@example.org", "type": "home"}, {"value": "anna@example.org", "type": "work"}],
        "phones": [{"value": "8 (916) 000-00-01", "type": "work"}, {"value": "12", "type": "other"}]})
    bare = crm_contact(account, "Без", tagged=True)
    untagged = crm_contact(account, "Вне", tagged=False)
    gone = crm_contact(account, "Удалён")
    services.delete_contact(account.user_id, gone.id)
    stranger = crm_contact(account, "Чужой")
    other = make_user(email="other@example.com")
    db.session.execute(db.update(Contact).where(Contact.id == stranger.id).values(owner_id=other.id))
    db.session.commit()

    store = ContactStore(account.user_id, [tag_id(account)])
    fetched = store.fetch([str(full.id), str(bare.id), str(untagged.id), str(gone.id), str(stranger.id), "999999"])

    db.session.expire_all()
    for contact in (full, bare):
        change = fetched[str(contact.id)]
        assert isinstance(change, Seen)
        assert change.record == contact_record(db.session.get(Contact, contact.id))
        assert change.modified == db.session.get(Contact, contact.id).updated_at
    assert fetched[str(full.id)].record["birthday"] == "--05-17"
    assert len(fetched[str(full.id)].record["phones"]) == 2
    assert fetched[str(untagged.id)] is OUT_OF_SCOPE
    assert fetched[str(gone.id)] is DELETED
    assert str(stranger.id) not in fetched and "999999" not in fetched


def test_a_slice_of_contacts_is_read_by_primary_key_not_by_scanning_the_owners_contacts(make_account):
    """Issue 16: with the owner in the WHERE clause SQLite read the owner's index (every contact of theirs)
    for any slice of 50 ids or more: each slice cost O(contacts), a first sync O(n²). The statements the lean
    read sends are looked up in SQLite's own query plan."""
    from sqlalchemy import event

    account = make_account()
    ids = [str(crm_contact(account, f"Plan{i}").id) for i in range(3)]
    statements = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        fetched = ContactStore(account.user_id, [tag_id(account)]).fetch(ids + [str(10 ** 6 + i) for i in range(250)])
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert sorted(fetched) == sorted(ids)
    contacts = [(s, p) for s, p in statements if s.lstrip().upper().startswith("SELECT") and "FROM contacts" in s]
    assert contacts, statements
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            for statement, parameters in contacts:
                plan = " ".join(str(row[-1]) for row in connection.exec_driver_sql(
                    "EXPLAIN QUERY PLAN " + statement, parameters))
                assert "PRIMARY KEY" in plan and "owner" not in plan, plan


def _query_plans_of(statements, table):
    """SQLite's query plan of every SELECT on `table` among the statements seen."""
    engine = db.engine
    selects = [(s, p) for s, p in statements if s.lstrip().upper().startswith("SELECT") and f"FROM {table}" in s]
    assert selects, statements
    with engine.connect() as connection:
        return [" ".join(str(row[-1]) for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + s, p))
                for s, p in selects]


def test_a_slice_of_activities_is_read_by_primary_key_and_another_owners_are_never_returned(make_account,
                                                                                           make_user):
    """The activities engine path (`ActivityStore.fetch`, `changes`, `exists`) reads through
    `services.get_activities`, which had the same owner-plus-ids query as contacts: by primary key now, the
    owner still checked (another owner's activity and deleted ones behave as before)."""
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import event

    from wizard.models.crm import Activity
    from wizard.store.activities import ActivityStore

    account = make_account()
    start = datetime(2026, 3, 10, 7, 0, tzinfo=timezone.utc)

    def activity(title):
        return services.create_activity(account.user_id, {
            "title": title, "type": "meeting", "start_at": start, "end_at": start + timedelta(hours=1),
            "timezone": "UTC"})

    mine = [activity(f"Plan{i}") for i in range(3)]
    gone, stranger = activity("Gone"), activity("Stranger")
    services.delete_activity(account.user_id, gone.id)
    other = make_user(email="other-activities@example.com")
    db.session.execute(db.update(Activity).where(Activity.id == stranger.id).values(owner_id=other.id))
    db.session.commit()
    statements = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    store = ActivityStore(account.user_id, None)
    ids = [str(a.id) for a in mine]
    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        fetched = store.fetch(ids + [str(gone.id), str(stranger.id)] + [str(10 ** 6 + i) for i in range(250)])
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert sorted(fetched) == sorted(ids + [str(gone.id)])
    assert fetched[str(gone.id)] is DELETED
    assert all(isinstance(fetched[i], Seen) for i in ids)
    assert store.exists(ids[0]) and not store.exists(str(gone.id)) and not store.exists(str(stranger.id))
    assert [a.id for a in services.get_activities(other.id, [stranger.id, mine[0].id])] == [stranger.id]
    if db.engine.dialect.name == "sqlite":
        for plan in _query_plans_of(statements, "activities"):
            assert "PRIMARY KEY" in plan and "owner" not in plan, plan
