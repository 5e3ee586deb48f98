"""The list pages cost O(page), not O(the user's records) (issue 16): the contact and activity list pages, with
the layout (login session, banners, navigation), issue the same statements and load the same rows for a user
with 120 records as for one with 2,000; on SQLite the work inside the database (its virtual machine's steps,
counted by a progress handler) stays flat too, but for the one total each page shows (a count over an index).

No timing: these counts do not depend on the machine's load, and an ORDER BY no index serves, a query without
LIMIT, an N+1 or a count in the layout makes them grow with the records.
"""
import random
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from wizard.crm import services
from wizard.extensions import db

SMALL, LARGE = 120, 2000  # both above one page (50), so both pages show a full page (half are tagged)
STEP = 100  # the progress handler runs every STEP virtual-machine instructions


class Cost:
    """What one request cost the database: statements, ORM rows loaded and (SQLite) VM steps per statement."""

    def __init__(self):
        self.statements, self.loaded, self.steps, self.connections = [], 0, [], set()

    def on_execute(self, conn, cursor, statement, params, context, executemany):
        self.statements.append(statement)
        self.steps.append(0)
        raw = conn.connection.driver_connection
        if hasattr(raw, "set_progress_handler"):  # SQLite; the steps between statements go to the last one
            raw.set_progress_handler(self.on_progress, STEP)
            self.connections.add(raw)

    def on_progress(self):
        if self.steps:
            self.steps[-1] += STEP
        return 0  # go on

    def on_load(self, session, instance):
        self.loaded += 1

    def steps_but_the_total(self):
        """VM steps of every statement but the page's one total (`SELECT count(*)` over an index), the one
        O(N) term left: the page shows "N contacts" and offers "all N matching" to the bulk actions."""
        counts = [i for i, sql in enumerate(self.statements) if sql.lstrip().startswith("SELECT count(")]
        assert len(counts) == 1, self.statements  # a second count (in the layout, say) grows with N too
        return sum(self.steps) - self.steps[counts[0]]


@contextmanager
def measured():
    cost = Cost()
    event.listen(db.engine, "before_cursor_execute", cost.on_execute)
    event.listen(Session, "loaded_as_persistent", cost.on_load)
    try:
        yield cost
    finally:
        event.remove(db.engine, "before_cursor_execute", cost.on_execute)
        event.remove(Session, "loaded_as_persistent", cost.on_load)
        for raw in cost.connections:
            raw.set_progress_handler(None, STEP)


def add_contacts(owner_id, count, tag_id):
    """Contacts through the services (derived columns, change cursor), every other one tagged."""
    rng = random.Random(count)
    ids = []
    for i in range(count):
        contact = services.create_contact(owner_id, {
            "first_name": rng.choice(["Иван", "Anna", "Olga", "John"]), "last_name": f"Petrov{i}",
            "company": rng.choice(["ACME", "Ромашка", ""]),
            "emails": [{"value": f"p{owner_id}-{i}@example.org", "type": "work"}],
            "phones": [{"value": f"+7916{i:07d}", "type": "mobile"}]}, commit=False)
        ids.append(contact.id)
    db.session.flush()
    services.tag_contacts(owner_id, tag_id, ids[::2], commit=False)
    db.session.commit()


def add_activities(owner_id, count):
    """Timed and all-day activities, interleaved in time, through the services."""
    start = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)
    for i in range(count):
        if i % 3 == 0:
            day = (date(2026, 1, 1) + timedelta(days=i // 2)).isoformat()
            data = {"title": f"Day {i}", "all_day": True, "start_date": day}
        else:
            data = {"title": f"Call {i}", "type": "call", "start_at": (start + timedelta(hours=11 * i)).isoformat()}
        services.create_activity(owner_id, data, commit=False)
    db.session.commit()


def page_cost(client, url, marker):
    client.get(url)  # warm: the first request of a test fills caches (settings, translations)
    with measured() as cost:
        response = client.get(url)
    assert response.status_code == 200 and marker in response.get_data(as_text=True)
    return cost


@pytest.fixture
def two_users(make_user):
    """A user with SMALL and one with LARGE contacts and activities, each with a personal tag."""
    small, large = make_user("small@example.com"), make_user("large@example.com")
    for user, count in ((small, SMALL), (large, LARGE)):
        tag = services.get_or_create_tag(user.id, "Личные контакты")
        add_contacts(user.id, count, tag.id)
        add_activities(user.id, count)
    return small, large


PAGES = [
    ("/contacts", 'id="contacts-table"'),
    ("/contacts?sort=-company", 'id="contacts-table"'),
    ("/contacts?sort=-updated", 'id="contacts-table"'),
    ("/contacts?tag=TAG", 'id="contacts-table"'),
    ("/contacts?page=2", 'id="contacts-table"'),
    ("/activities", "Call"),
    ("/activities?type=call", "Call"),
    ("/activities?page=2", "Call"),
]


def test_list_pages_cost_the_same_for_120_and_2000_records(app, client, login_as, two_users):
    for url, marker in PAGES:  # one set-up for every page: 4,000 records take a while to write
        costs = []
        for user in two_users:
            tag = services.find_tag(user.id, "Личные контакты")
            login_as(user)
            costs.append(page_cost(client, url.replace("TAG", str(tag.id)), marker))
        small, large = costs
        assert len(large.statements) == len(small.statements), (url, small.statements, large.statements)
        assert large.loaded == small.loaded, url
        if db.engine.dialect.name == "sqlite":
            # Sorting or scanning 2,000 rows takes tens of thousands of steps (48,400 for the activity list's
            # old ordering); a page's reads a few thousand. Not equal: the activity list reads each kind as far
            # as the page reaches, which 120 records do not fill (page 2: 9,400 against 14,600).
            assert large.steps_but_the_total() < 2 * small.steps_but_the_total() + 5 * STEP, (
                url, small.steps_but_the_total(), large.steps_but_the_total())


def test_activity_list_keeps_one_order_across_kinds_and_pages(app, alice):
    """Timed and all-day activities merged newest first (all-day at midnight UTC), page after page."""
    add_activities(alice.id, 130)
    everything = sorted(db.session.scalars(services._activities_query(alice.id)),
                        key=lambda a: (a.start_at or datetime.combine(a.start_date, datetime.min.time(),
                                                                     timezone.utc), a.id), reverse=True)
    seen = []
    for number in (1, 2, 3):
        page = services.list_activities(alice.id, page=number, per_page=50)
        assert page.total == 130
        seen += [a.id for a in page.items]
    assert seen == [a.id for a in everything]
    assert services.list_activities(alice.id, page=4, per_page=50).items == []
    calls = services.list_activities(alice.id, type="call", per_page=200).items
    assert [a.id for a in calls] == [a.id for a in everything if a.type == "call"]
