"""Contact, tag and activity services, and the change cursor the sync engine reads."""
from datetime import date, datetime, timezone

import pytest

from wizard.crm import services
from wizard.crm.changes import changed_since, latest_seq
from wizard.crm.services import NotFound, ValidationError
from wizard.models.crm import Contact


def make(owner, **fields):
    data = {"first_name": "Ivan", "last_name": "Petrov"}
    data.update(fields)
    return services.create_contact(owner.id, data)


def test_create_contact_normalises_emails_phones_and_derives_names(app, alice):
    contact = make(alice, emails=[{"value": "Ivan.Petrov@Example.COM", "type": "work"}],
                   phones=[{"value": "8 (912) 345-67-89", "type": "mobile"}, {"value": "+44 20 7946 0958"}],
                   birthday={"day": 29, "month": 2}, company="Ромашка")
    assert contact.display_name == "Ivan Petrov"
    assert contact.emails[0].normalized == "ivan.petrov@example.com"
    assert [p.normalized for p in contact.phones] == ["+79123456789", "+442079460958"]
    assert contact.birthday == "--02-29"
    assert "ромашка" in contact.search_text
    assert contact.created_at.tzinfo is timezone.utc


def test_validation_collects_errors_per_field(app, alice):
    with pytest.raises(ValidationError) as caught:
        services.create_contact(alice.id, {
            "first_name": "x" * 101, "emails": [{"value": "not-an-email", "type": "fax"}],
            "phones": [{"value": "call me"}], "birthday": {"day": 31, "month": 2}, "colour": "red"})
    with app.test_request_context():  # messages render in the reader's language
        errors = caught.value.as_text()
    assert set(errors) == {"first_name", "emails.0.value", "emails.0.type", "phones.0.value", "birthday",
                           "colour"}
    assert services.list_contacts(alice.id).total == 0


def test_empty_contact_is_refused(app, alice):
    with pytest.raises(ValidationError) as caught:
        services.create_contact(alice.id, {"notes": "nobody"})
    assert "first_name" in caught.value.errors


def test_partial_update_keeps_other_fields_and_explicit_display_name(app, alice):
    contact = make(alice, company="ACME", emails=[{"value": "a@b.example"}])
    services.update_contact(alice.id, contact.id, {"job_title": "CEO"})
    assert contact.company == "ACME" and contact.job_title == "CEO" and len(contact.emails) == 1
    services.update_contact(alice.id, contact.id, {"display_name": "Vanya"})
    services.update_contact(alice.id, contact.id, {"first_name": "Ivan2"})
    assert contact.display_name == "Vanya"
    services.update_contact(alice.id, contact.id, {"display_name": ""})
    assert contact.display_name == "Ivan2 Petrov"


def test_other_owner_and_tombstones_are_not_found(app, alice, bob):
    contact = make(alice)
    with pytest.raises(NotFound):
        services.get_contact(bob.id, contact.id)
    with pytest.raises(NotFound):
        services.update_contact(bob.id, contact.id, {"first_name": "Evil"})
    with pytest.raises(NotFound):
        services.delete_contact(bob.id, contact.id)
    services.delete_contact(alice.id, contact.id)
    with pytest.raises(NotFound):
        services.get_contact(alice.id, contact.id)
    tombstone = services.get_contact(alice.id, contact.id, include_deleted=True)
    assert tombstone.deleted_at is not None
    assert services.list_contacts(alice.id).total == 0


def test_search_by_name_email_phone_company_case_insensitive(app, alice):
    a = make(alice, first_name="Мария", last_name="Иванова", company="Ромашка")
    b = make(alice, first_name="John", emails=[{"value": "john@acme.example"}])
    c = make(alice, first_name="Pat", phones=[{"value": "+7 912 345-67-89"}])
    ids = lambda q: {x.id for x in services.list_contacts(alice.id, q=q).items}  # noqa: E731
    assert ids("мария") == {a.id}
    assert ids("РОМАШ") == {a.id}
    assert ids("acme.example") == {b.id}
    assert ids("9123456789") == {c.id}
    assert ids("912 345") == {c.id}
    assert ids("100%") == set()
    assert ids("john acme") == {b.id}


def test_sort_and_pagination(app, alice):
    for name in ["Charlie", "alpha", "Bravo"]:
        services.create_contact(alice.id, {"first_name": name})
    page = services.list_contacts(alice.id, sort="name", per_page=2)
    assert [c.display_name for c in page.items] == ["alpha", "Bravo"]
    assert page.total == 3 and page.pages == 2 and page.has_next
    page2 = services.list_contacts(alice.id, sort="-name", per_page=2, page=2)
    assert [c.display_name for c in page2.items] == ["alpha"]


def test_tags_are_per_owner_created_on_the_fly_and_case_insensitive(app, alice, bob):
    tag = services.get_or_create_tag(alice.id, "Личные контакты")
    assert services.get_or_create_tag(alice.id, "  личные   КОНТАКТЫ ").id == tag.id
    assert tag.personal is True
    bobs = services.get_or_create_tag(bob.id, "Личные контакты")
    assert bobs.id != tag.id
    assert [t.name for t in services.list_tags(bob.id)] == ["Личные контакты"]
    with pytest.raises(NotFound):
        services.get_tag(bob.id, tag.id)
    with pytest.raises(ValidationError):
        services.create_tag(alice.id, "ЛИЧНЫЕ КОНТАКТЫ")


def test_bulk_tag_untag_ignores_foreign_and_deleted_contacts(app, alice, bob):
    mine = [make(alice, first_name=f"C{i}") for i in range(3)]
    theirs = make(bob)
    services.delete_contact(alice.id, mine[2].id)
    tag = services.get_or_create_tag(alice.id, "Личные контакты")
    assert services.tag_contacts(alice.id, tag.id, [c.id for c in mine] + [theirs.id]) == 2
    assert services.tag_contacts(alice.id, tag.id, [mine[0].id]) == 0
    assert [t.name for t in mine[0].tags] == ["Личные контакты"]
    assert theirs.tags == []
    assert services.list_contacts(alice.id, tag_id=tag.id).total == 2
    assert services.untag_contacts(alice.id, tag.id, [mine[0].id]) == 1
    assert mine[0].tags == []
    with pytest.raises(NotFound):
        services.tag_contacts(bob.id, tag.id, [theirs.id])


def test_contact_tags_by_name_on_create_and_update(app, alice):
    contact = make(alice, tags=["Личные контакты", "VIP"])
    assert [t.name for t in contact.tags] == ["VIP", "Личные контакты"]
    services.update_contact(alice.id, contact.id, {"tags": ["vip"]})
    assert [t.name for t in contact.tags] == ["VIP"]


def test_change_cursor_records_every_write_in_order(app, alice, bob):
    start = latest_seq(alice.id, "contact")
    a = make(alice)
    b = make(alice, first_name="B")
    make(bob)
    ids, seq = changed_since(alice.id, "contact", start)
    assert ids == [a.id, b.id] and seq == latest_seq(alice.id, "contact")
    tag = services.get_or_create_tag(alice.id, "Личные контакты")
    services.tag_contacts(alice.id, tag.id, [b.id])
    after_tagging = latest_seq(alice.id, "contact")
    services.update_contact(alice.id, a.id, {"company": "X"}, origin="sync")
    services.delete_contact(alice.id, a.id)
    ids2, seq2 = changed_since(alice.id, "contact", seq)
    assert ids2 == [b.id, a.id] and seq2 > seq
    assert changed_since(alice.id, "contact", seq2) == ([], seq2)
    # the engine skips its own writes but still moves past them
    ids3, seq3 = changed_since(alice.id, "contact", seq, exclude_origin="sync")
    assert ids3 == [b.id, a.id] and seq3 == seq2
    only_sync_ids, _ = changed_since(alice.id, "contact", after_tagging, exclude_origin="sync")
    assert only_sync_ids == [a.id]  # the delete by the user, not the sync's update
    assert changed_since(alice.id, "activity", 0) == ([], 0)


def test_renaming_or_deleting_a_tag_marks_its_contacts_changed(app, alice):
    a = make(alice)
    tag = services.get_or_create_tag(alice.id, "Old")
    services.tag_contacts(alice.id, tag.id, [a.id])
    seq = latest_seq(alice.id, "contact")
    services.rename_tag(alice.id, tag.id, "New")
    ids, seq = changed_since(alice.id, "contact", seq)
    assert ids == [a.id]
    services.delete_tag(alice.id, tag.id)
    assert changed_since(alice.id, "contact", seq)[0] == [a.id]
    app.extensions["sqlalchemy"].session.expire_all()
    assert services.get_contact(alice.id, a.id).tags == []


def test_failed_write_records_no_change(app, alice):
    seq = latest_seq(alice.id, "contact")
    with pytest.raises(ValidationError):
        services.create_contact(alice.id, {"first_name": "x" * 500})
    assert latest_seq(alice.id, "contact") == seq


def test_timed_activity_in_users_zone(app, alice):
    activity = services.create_activity(alice.id, {
        "title": "Звонок", "type": "call", "start_at": "2026-03-10T10:00"}, default_zone="Europe/Moscow")
    assert activity.start_at == datetime(2026, 3, 10, 7, 0, tzinfo=timezone.utc)
    assert activity.end_at == datetime(2026, 3, 10, 8, 0, tzinfo=timezone.utc)
    assert activity.timezone == "Europe/Moscow" and activity.status == "planned"
    assert changed_since(alice.id, "activity", 0)[0] == [activity.id]


def test_all_day_activity_inclusive_end_and_week_overlap(app, alice):
    activity = services.create_activity(alice.id, {
        "title": "Conference", "all_day": True, "start_date": "2026-03-09", "end_date": "2026-03-11"})
    assert activity.start_at is None and activity.end_date == date(2026, 3, 11)
    late = services.create_activity(alice.id, {
        "title": "Late call", "start_at": "2026-03-15T23:30:00+03:00", "end_at": "2026-03-16T00:30:00+03:00"})
    week = services.activities_between(alice.id, date(2026, 3, 9), date(2026, 3, 15), "Europe/Moscow")
    assert [a.id for a in week] == [activity.id, late.id]
    next_week = services.activities_between(alice.id, date(2026, 3, 16), date(2026, 3, 22), "Europe/Moscow")
    assert [a.id for a in next_week] == [late.id]
    assert services.activities_between(alice.id, date(2026, 3, 16), date(2026, 3, 22), "UTC") == []


def test_activity_validation(app, alice):
    with pytest.raises(ValidationError) as caught:
        services.create_activity(alice.id, {"title": "", "type": "party", "start_at": "2026-03-10T10:00",
                                            "end_at": "2026-03-10T09:00", "timezone": "Mars/Olympus"})
    assert set(caught.value.errors) == {"title", "type", "end_at", "timezone"}
    with pytest.raises(ValidationError) as caught:
        services.create_activity(alice.id, {"title": "x", "all_day": True})
    assert set(caught.value.errors) == {"start_date"}


def test_activity_switch_to_all_day_and_delete(app, alice, bob):
    activity = services.create_activity(alice.id, {"title": "x", "start_at": "2026-03-10T10:00:00Z"})
    services.update_activity(alice.id, activity.id, {"all_day": True, "start_date": "2026-03-10"})
    assert activity.start_at is None and activity.end_date == date(2026, 3, 10)
    with pytest.raises(NotFound):
        services.update_activity(bob.id, activity.id, {"title": "mine"})
    services.delete_activity(alice.id, activity.id)
    assert services.list_activities(alice.id).total == 0
    assert services.get_activity(alice.id, activity.id, include_deleted=True).deleted_at


def test_contacts_index_serves_owner_sorted_list(app, alice):
    from sqlalchemy import text

    db = app.extensions["sqlalchemy"]
    query = ("SELECT id FROM contacts WHERE owner_id = 1 AND deleted_at IS NULL "
             "ORDER BY sort_name, id LIMIT 50")
    if db.engine.dialect.name == "sqlite":
        plan = db.session.execute(text("EXPLAIN QUERY PLAN " + query)).all()
        detail = " ".join(row[-1] for row in plan)
        assert "ix_contacts_owner_live_sort" in detail and "TEMP B-TREE" not in detail
    else:  # PostgreSQL picks by cost (an empty table says little); an owner index must serve the filter
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        detail = " ".join(row[0] for row in db.session.execute(text("EXPLAIN " + query)).all())
        assert "ix_contacts_owner" in detail
    assert Contact.__table__.c.search_text is not None


def test_validation_messages_render_outside_a_request(app, alice):
    # The sync engine applies changes from a worker, with no request (and no reader's language).
    with pytest.raises(ValidationError) as caught:
        services.create_contact(alice.id, {"emails": [{"value": "nope"}]})
    assert caught.value.as_text()["emails.0.value"] == ["Not a valid e-mail address."]
