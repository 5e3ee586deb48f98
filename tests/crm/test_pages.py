"""Contacts, tags and activities pages: rendering, forms, bulk actions, and isolation between users."""
import re

import pytest

from wizard.crm import services


def make(owner, **fields):
    data = {"first_name": "Ivan", "last_name": "Petrov"}
    data.update(fields)
    return services.create_contact(owner.id, data)


def test_pages_require_login(client, monkeypatch):
    from wizard.extensions import login_manager

    monkeypatch.setattr(login_manager, "login_view", None)  # 401 instead of a redirect to the login page
    for path in ("/contacts", "/contacts/new", "/tags", "/activities", "/activities/week"):
        response = client.get(path)
        assert response.status_code == 401, path


def test_contacts_list_search_filter_and_actions_menu(app, client, alice, login_as):
    make(alice, company="Ромашка", emails=[{"value": "ivan@example.com"}])
    make(alice, first_name="Olga", last_name="Smirnova")
    tag = services.get_or_create_tag(alice.id, "Личные контакты")
    login_as(alice, "ru")
    page = client.get("/contacts").get_data(as_text=True)
    assert "Ivan Petrov" in page and "Olga Smirnova" in page
    assert "Синхронизировать контакты" in page
    assert 'href="/sync/accounts/add"' in page and "Добавить аккаунт для синхронизации" in page
    assert 'href="/sync"' in page and "Настроить..." in page
    assert "<script>" not in page and "onclick" not in page
    found = client.get("/contacts?q=ромашка").get_data(as_text=True)
    assert "Ivan Petrov" in found and "Olga Smirnova" not in found
    filtered = client.get(f"/contacts?tag={tag.id}").get_data(as_text=True)
    assert "Ivan Petrov" not in filtered


def test_list_in_english(client, alice, login_as):
    login_as(alice, "en")
    page = client.get("/contacts").get_data(as_text=True)
    assert "Sync contacts" in page and "Add account for sync" in page and "Configure..." in page


def test_bulk_tag_untag_and_delete(client, alice, login_as):
    a, b, c = make(alice, first_name="A"), make(alice, first_name="B"), make(alice, first_name="C")
    login_as(alice)
    response = client.post("/contacts/bulk", data={"action": "tag", "tag_name": "Личные контакты",
                                                   "ids": [a.id, b.id, c.id]})
    assert response.status_code == 302
    tag = services.find_tag(alice.id, "Личные контакты")
    assert services.list_contacts(alice.id, tag_id=tag.id).total == 3
    client.post("/contacts/bulk", data={"action": "untag", "tag_name": "личные контакты", "ids": [c.id]})
    assert services.list_contacts(alice.id, tag_id=tag.id).total == 2
    client.post("/contacts/bulk", data={"action": "delete", "ids": [b.id]})
    assert {x.id for x in services.list_contacts(alice.id).items} == {a.id, c.id}


def test_bulk_all_matching_uses_the_search(client, alice, login_as):
    for i in range(5):
        make(alice, first_name=f"Match{i}")
    make(alice, first_name="Other")
    login_as(alice)
    client.post("/contacts/bulk", data={"action": "tag", "tag_name": "VIP", "all_matching": "y", "q": "match"})
    tag = services.find_tag(alice.id, "VIP")
    assert services.list_contacts(alice.id, tag_id=tag.id).total == 5


def test_create_contact_through_the_form(client, alice, login_as):
    login_as(alice)
    assert client.get("/contacts/new").status_code == 200
    response = client.post("/contacts/new", data={
        "first_name": "Мария", "last_name": "Иванова", "company": "Ромашка",
        "emails-0-value": "maria@example.com", "emails-0-type": "work",
        "emails-1-value": "", "emails-1-type": "home",
        "phones-0-value": "+7 912 345 67 89", "phones-0-type": "mobile",
        "addresses-0-city": "Москва", "addresses-0-type": "work",
        "birthday_day": "17", "birthday_month": "5", "birthday_year": "",
        "tags": "Личные контакты, VIP", "notes": "line1\nline2"})
    assert response.status_code == 302
    contact = services.list_contacts(alice.id).items[0]
    assert [e.value for e in contact.emails] == ["maria@example.com"]
    assert contact.phones[0].normalized == "+79123456789"
    assert contact.addresses[0].city == "Москва"
    assert contact.birthday == "--05-17"
    assert sorted(t.name for t in contact.tags) == ["VIP", "Личные контакты"]
    card = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Мария Иванова" in card and "maria@example.com" in card and "17.05" in card


def test_form_shows_field_errors_and_saves_nothing(client, alice, login_as):
    login_as(alice, "ru")
    response = client.post("/contacts/new", data={
        "first_name": "X", "emails-0-value": "nope", "emails-0-type": "work", "birthday_day": "31",
        "birthday_month": "2"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "is-invalid" in page
    assert services.list_contacts(alice.id).total == 0


def test_edit_and_delete_contact(client, alice, login_as):
    contact = make(alice, emails=[{"value": "a@example.com", "type": "work"}])
    login_as(alice)
    form = client.get(f"/contacts/{contact.id}/edit").get_data(as_text=True)
    assert 'value="a@example.com"' in form
    response = client.post(f"/contacts/{contact.id}/edit", data={
        "first_name": "Ivan", "last_name": "Sidorov", "emails-0-value": "a@example.com", "emails-0-type": "home"})
    assert response.status_code == 302
    assert contact.last_name == "Sidorov" and contact.emails[0].type == "home"
    client.post(f"/contacts/{contact.id}/delete")
    assert client.get(f"/contacts/{contact.id}").status_code == 404
    assert services.get_contact(alice.id, contact.id, include_deleted=True).deleted_at


def test_card_tag_add_and_remove(client, alice, login_as):
    contact = make(alice)
    login_as(alice)
    client.post(f"/contacts/{contact.id}/tags", data={"name": "Личные контакты"})
    assert [t.name for t in services.get_contact(alice.id, contact.id).tags] == ["Личные контакты"]
    tag = services.find_tag(alice.id, "Личные контакты")
    client.post(f"/contacts/{contact.id}/tags/{tag.id}/remove")
    assert services.get_contact(alice.id, contact.id).tags == []


def test_another_users_records_are_404_on_pages(client, alice, bob, login_as):
    contact = make(alice)
    tag = services.get_or_create_tag(alice.id, "Secret tag")
    services.tag_contacts(alice.id, tag.id, [contact.id])
    activity = services.create_activity(alice.id, {"title": "Alice's call", "start_at": "2026-03-10T10:00Z"})
    login_as(bob)
    assert client.get(f"/contacts/{contact.id}").status_code == 404
    assert client.get(f"/contacts/{contact.id}/edit").status_code == 404
    assert client.post(f"/contacts/{contact.id}/edit", data={"first_name": "Evil"}).status_code == 404
    assert client.post(f"/contacts/{contact.id}/delete").status_code == 404
    assert client.post(f"/contacts/{contact.id}/tags", data={"name": "x"}).status_code == 404
    assert client.post(f"/tags/{tag.id}/rename", data={"name": "mine"}).status_code == 404
    assert client.post(f"/tags/{tag.id}/delete").status_code == 404
    assert client.get(f"/activities/{activity.id}/edit").status_code == 404
    assert client.post(f"/activities/{activity.id}/delete").status_code == 404
    client.post("/contacts/bulk", data={"action": "delete", "ids": [contact.id]})
    client.post("/contacts/bulk", data={"action": "tag", "tag_name": "Mine", "ids": [contact.id]})
    listing = client.get("/contacts").get_data(as_text=True) + client.get("/tags").get_data(as_text=True)
    assert "Ivan Petrov" not in listing and "Secret tag" not in listing
    assert "Alice&#39;s call" not in client.get("/activities").get_data(as_text=True)
    assert services.get_contact(alice.id, contact.id).tags == [tag]


def test_pages_need_csrf(app, alice, login_as, client):
    app.config["WTF_CSRF_ENABLED"] = True
    contact = make(alice)
    login_as(alice)
    assert client.post(f"/contacts/{contact.id}/delete").status_code == 400
    assert services.get_contact(alice.id, contact.id)


def test_tags_page_create_rename_delete(client, alice, login_as):
    login_as(alice)
    client.post("/tags", data={"name": "Личные контакты"})
    tag = services.find_tag(alice.id, "Личные контакты")
    page = client.post("/tags", data={"name": "личные контакты"}).get_data(as_text=True)
    assert "is-invalid" in page
    client.post(f"/tags/{tag.id}/rename", data={"name": "Друзья"})
    assert services.get_tag(alice.id, tag.id).name == "Друзья"
    client.post(f"/tags/{tag.id}/delete")
    assert services.list_tags(alice.id) == []


def test_activity_form_in_users_zone_and_week_view(client, alice, login_as):
    login_as(alice, "ru")
    response = client.post("/activities/new", data={
        "title": "Встреча", "type": "meeting", "status": "planned", "start_at": "2026-03-11T10:00",
        "end_at": "2026-03-11T11:30", "timezone": "Europe/Moscow", "show_in_calendar": "y"})
    assert response.status_code == 302
    activity = services.list_activities(alice.id).items[0]
    assert activity.start_at.isoformat() == "2026-03-11T07:00:00+00:00"
    week = client.get("/activities/week?start=2026-03-11").get_data(as_text=True)
    assert "Встреча" in week and "10:00" in week
    assert re.search(r'data-day="2026-03-11"[\s\S]*Встреча[\s\S]*data-day="2026-03-12"', week)
    listing = client.get("/activities").get_data(as_text=True)
    assert "Встреча" in listing and "Europe/Moscow" in listing
    edit = client.get(f"/activities/{activity.id}/edit").get_data(as_text=True)
    assert 'value="2026-03-11T10:00"' in edit


def test_all_day_activity_form_and_errors(client, alice, login_as):
    login_as(alice)
    bad = client.post("/activities/new", data={"title": "", "type": "task", "status": "planned",
                                                "all_day": "y", "start_date": "2026-03-12", "end_date": "2026-03-10"})
    assert bad.status_code == 200 and "is-invalid" in bad.get_data(as_text=True)
    assert services.list_activities(alice.id).total == 0
    client.post("/activities/new", data={"title": "Off-site", "type": "meeting", "status": "planned",
                                         "all_day": "y", "start_date": "2026-03-10", "end_date": "2026-03-12"})
    activity = services.list_activities(alice.id).items[0]
    assert activity.all_day and activity.end_date.isoformat() == "2026-03-12"
    week = client.get("/activities/week?start=2026-03-09").get_data(as_text=True)
    assert week.count(">Off-site</a>") == 3


@pytest.mark.parametrize("path", ["/contacts", "/contacts/new", "/tags", "/activities", "/activities/new",
                                  "/activities/week"])
def test_pages_render_in_russian(client, alice, login_as, path):
    login_as(alice, "ru")
    response = client.get(path)
    assert response.status_code == 200
    assert 'lang="ru"' in response.get_data(as_text=True)


def test_activity_participants_on_the_form_and_the_list_in_both_languages(client, alice, login_as):
    ivan = make(alice, emails=[{"value": "ivan@example.com"}])
    olga = make(alice, first_name="Olga", last_name="Smirnova", emails=[{"value": "OLGA@example.com"}])
    make(alice, first_name="Nomail", last_name="Person")
    login_as(alice, "ru")
    form = client.get("/activities/new").get_data(as_text=True)
    assert "Участники" in form and "Пригласить контакты" in form
    assert "Анна Ли &lt;ann@example.com&gt;" in form  # the example address shown, not read as a tag
    assert f'value="{ivan.id}"' in form and "Nomail" not in form  # only contacts that can be invited
    response = client.post("/activities/new", data={
        "title": "Встреча", "type": "meeting", "status": "planned", "start_at": "2026-03-11T10:00",
        "timezone": "Europe/Moscow", "show_in_calendar": "y", "participant_contacts": [str(ivan.id)],
        "participant_emails": "Гость <guest@example.org>\nolga@example.com\n"})
    assert response.status_code == 302
    activity = services.list_activities(alice.id).items[0]
    assert [(p.email, p.contact_id, p.display_name, p.response_status) for p in activity.participants] == [
        ("guest@example.org", None, "Гость", "needsAction"), ("olga@example.com", olga.id, "", "needsAction"),
        ("ivan@example.com", ivan.id, "Ivan Petrov", "needsAction")]
    activity.participants[1].response_status = "accepted"  # as Google would report it
    services.db.session.commit()
    listing = client.get("/activities").get_data(as_text=True)
    assert "Участники" in listing and "Принято" in listing and "Нет ответа" in listing
    assert f'href="/contacts/{olga.id}"' in listing
    card = client.get(f"/contacts/{olga.id}").get_data(as_text=True)
    assert "Участвует в активностях" in card and f'href="/activities/{activity.id}/edit"' in card
    assert "Принято" in card
    assert "Нет активностей." in client.get(f"/contacts/{make(alice, first_name='Solo').id}").get_data(as_text=True)
    login_as(alice, "en")
    edit = client.get(f"/activities/{activity.id}/edit").get_data(as_text=True)
    assert "Participants and their answers in Google Calendar" in edit and "Accepted" in edit
    assert "Гость &lt;guest@example.org&gt;" in edit
    # An edit that leaves Olga in keeps her answer; removing a line removes the participant.
    client.post(f"/activities/{activity.id}/edit", data={
        "title": "Встреча", "type": "meeting", "status": "planned", "start_at": "2026-03-11T10:00",
        "timezone": "Europe/Moscow", "show_in_calendar": "y", "participant_emails": "olga@example.com"})
    services.db.session.expire_all()
    assert [(p.email, p.response_status) for p in services.get_activity(alice.id, activity.id).participants] == [
        ("olga@example.com", "accepted")]


@pytest.mark.parametrize("locale, message", [("en", "Not a valid e-mail address: not-an-address"),
                                             ("ru", "Неверный адрес электронной почты: not-an-address")])
def test_a_bad_participant_address_is_refused_and_changes_nothing(client, alice, login_as, locale, message):
    activity = services.create_activity(alice.id, {"title": "Call", "start_at": "2026-03-10T10:00Z",
                                                   "participants": [{"email": "a@example.com"}]})
    login_as(alice, locale)
    response = client.post(f"/activities/{activity.id}/edit", data={
        "title": "Renamed", "type": "call", "status": "planned", "start_at": "2026-03-10T13:00",
        "timezone": "Europe/Moscow", "participant_emails": "b@example.com\nnot-an-address"})
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    services.db.session.expire_all()
    kept = services.get_activity(alice.id, activity.id)
    assert kept.title == "Call" and [p.email for p in kept.participants] == ["a@example.com"]
