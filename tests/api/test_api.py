"""The JSON API: token auth, contacts, tags, activities, validation (422 per field), isolation (404)."""
from datetime import datetime, timezone

import pytest
from flask_babel import refresh

from wizard.api.tokens import create_token, hash_token
from wizard.crm import services
from wizard.crm.changes import changed_since
from wizard.models.crm import ApiToken


@pytest.fixture
def alice_token(alice):
    return create_token(alice.id, "tests")[1]


@pytest.fixture
def bob_token(bob):
    return create_token(bob.id, "tests")[1]


@pytest.fixture
def api(client, alice_token):
    def call(method, path, token=alice_token, **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return client.open("/api/v1" + path, method=method, headers=headers, **kwargs)

    return call


def test_tokens_are_stored_hashed_and_shown_once(app, alice, alice_token):
    row = ApiToken.query.filter_by(user_id=alice.id).one()
    assert row.token_hash == hash_token(alice_token) and alice_token not in (row.token_hash, row.prefix)
    assert alice_token.startswith("swz_") and len(alice_token) > 40


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer swz_wrong", "Basic abc", "bearer "])
def test_missing_or_bad_token_is_401(client, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/contacts", headers=headers)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_and_inactive_user_are_refused(app, api, alice, alice_token):
    from wizard.api.tokens import revoke_token

    assert api("GET", "/me").json["email"] == "alice@example.com"
    token = ApiToken.query.filter_by(user_id=alice.id).one()
    assert revoke_token(alice.id, token.id)
    assert api("GET", "/me").status_code == 401
    _row, second = create_token(alice.id)
    alice.active = False
    app.extensions["sqlalchemy"].session.commit()
    assert api("GET", "/me", token=second).status_code == 401


def test_contact_crud(api, alice):
    created = api("POST", "/contacts", json={
        "first_name": "Мария", "last_name": "Иванова", "emails": [{"value": "Maria@Example.com", "type": "work"}],
        "phones": [{"value": "8 912 345-67-89", "type": "mobile"}], "birthday": {"day": 17, "month": 5, "year": None},
        "tags": ["Личные контакты"]})
    assert created.status_code == 201, created.json
    body = created.json
    assert body["display_name"] == "Мария Иванова"
    assert body["emails"] == [{"value": "Maria@Example.com", "normalized": "maria@example.com", "type": "work"}]
    assert body["phones"][0]["normalized"] == "+79123456789"
    assert body["tags"][0]["name"] == "Личные контакты" and body["deleted_at"] is None
    contact_id = body["id"]
    assert api("GET", f"/contacts/{contact_id}").json == body
    patched = api("PATCH", f"/contacts/{contact_id}", json={"company": "Ромашка"}).json
    assert patched["company"] == "Ромашка" and patched["emails"] == body["emails"]
    assert api("DELETE", f"/contacts/{contact_id}").status_code == 204
    assert api("GET", f"/contacts/{contact_id}").status_code == 404
    assert services.get_contact(alice.id, contact_id, include_deleted=True).deleted_at
    ids, _seq = changed_since(alice.id, "contact", 0, exclude_origin="sync")
    assert ids == [contact_id]


def test_contact_list_filters_and_pages(api, alice):
    for i in range(7):
        services.create_contact(alice.id, {"first_name": f"Person{i}", "company": "ACME" if i % 2 else "Other"})
    tag = services.get_or_create_tag(alice.id, "Личные контакты")
    services.tag_contacts(alice.id, tag.id, [c.id for c in services.list_contacts(alice.id).items[:3]])
    page = api("GET", "/contacts?per_page=5&page=2").json
    assert page["total"] == 7 and page["pages"] == 2 and len(page["items"]) == 2
    assert api("GET", "/contacts?q=acme").json["total"] == 3
    assert api("GET", f"/contacts?tag={tag.id}").json["total"] == 3
    assert api("GET", "/contacts?tag_name=личные контакты").json["total"] == 3
    assert api("GET", "/contacts?tag_name=nope").json["total"] == 0
    names = [c["display_name"] for c in api("GET", "/contacts?sort=-name&per_page=2").json["items"]]
    assert names == ["Person6", "Person5"]


def test_validation_errors_are_422_per_field_and_translated(api, alice):
    response = api("POST", "/contacts", json={"first_name": 5, "emails": [{"value": "nope"}], "extra": 1})
    assert response.status_code == 422
    fields = response.json["error"]["fields"]
    assert set(fields) == {"first_name", "emails.0.value", "extra"}
    refresh()  # the test app context outlives requests; Flask-Babel caches the locale on it
    ru = api("POST", "/contacts", json={"emails": [{"value": "nope"}]}, headers={"Accept-Language": "ru"})
    assert ru.json["error"]["fields"]["emails.0.value"] == ["Неверный адрес e-mail."]
    assert api("GET", "/contacts?per_page=0").status_code == 422
    assert api("GET", "/contacts?sort=evil").status_code == 422
    assert api("POST", "/contacts", data="not json", content_type="application/json").status_code == 400
    assert api("POST", "/contacts", json=[1, 2]).status_code == 422
    assert services.list_contacts(alice.id).total == 0


def test_lone_surrogates_and_huge_ids_are_client_errors(api):
    raw = '{"first_name": "\\ud800"}'
    assert api("POST", "/contacts", data=raw, content_type="application/json").status_code == 422
    assert api("GET", f"/contacts/{2**70}").status_code == 404
    tag = api("POST", "/tags", json={"name": "T"}).json
    assert api("POST", f"/tags/{tag['id']}/contacts", json={"contact_ids": [2**70]}).status_code == 422


def test_tags_and_tagging(api, alice):
    contacts = [services.create_contact(alice.id, {"first_name": n}) for n in ("A", "B", "C")]
    tag = api("POST", "/tags", json={"name": "Личные контакты"})
    assert tag.status_code == 201 and tag.json == {"id": tag.json["id"], "name": "Личные контакты",
                                                    "personal": True, "contact_count": 0}
    tag_id = tag.json["id"]
    assert api("POST", "/tags", json={"name": "ЛИЧНЫЕ контакты"}).status_code == 422
    added = api("POST", f"/tags/{tag_id}/contacts", json={"contact_ids": [c.id for c in contacts]})
    assert added.json == {"changed": 3}
    assert api("GET", f"/tags/{tag_id}").json["contact_count"] == 3
    removed = api("POST", f"/tags/{tag_id}/contacts/remove", json={"contact_ids": [contacts[0].id]})
    assert removed.json == {"changed": 1}
    assert api("PATCH", f"/tags/{tag_id}", json={"name": "Sync"}).json["name"] == "Sync"
    assert [t["name"] for t in api("GET", "/tags").json["items"]] == ["Sync"]
    assert api("DELETE", f"/tags/{tag_id}").status_code == 204
    assert api("GET", "/tags").json == {"items": []}


def test_activities(api, alice):
    created = api("POST", "/activities", json={"title": "Звонок", "type": "call", "start_at": "2026-03-10T10:00"})
    assert created.status_code == 201, created.json
    body = created.json
    assert body["timezone"] == "Europe/Moscow"  # the user's zone
    assert body["start_at"] == "2026-03-10T07:00:00Z" and body["end_at"] == "2026-03-10T08:00:00Z"
    all_day = api("POST", "/activities", json={"title": "Off-site", "all_day": True, "start_date": "2026-03-11"}).json
    assert all_day["start_at"] is None and all_day["end_date"] == "2026-03-11"
    week = api("GET", "/activities?from=2026-03-09&to=2026-03-15").json
    assert [a["title"] for a in week["items"]] == ["Звонок", "Off-site"]
    assert api("GET", "/activities?from=2026-03-09").status_code == 422
    patched = api("PATCH", f"/activities/{body['id']}", json={"status": "done"}).json
    assert patched["status"] == "done" and patched["start_at"] == body["start_at"]
    bad = api("PATCH", f"/activities/{body['id']}", json={"end_at": "2026-03-10T06:00:00Z"})
    assert bad.status_code == 422 and "end_at" in bad.json["error"]["fields"]
    assert api("DELETE", f"/activities/{body['id']}").status_code == 204
    assert api("GET", "/activities").json["total"] == 1


def test_activity_participants(api, alice, bob):
    ivan = services.create_contact(alice.id, {"first_name": "Ivan", "emails": [{"value": "ivan@example.com"}]})
    other = services.create_contact(bob.id, {"first_name": "Bob's", "emails": [{"value": "x@example.com"}]})
    silent = services.create_contact(alice.id, {"first_name": "Silent"})
    created = api("POST", "/activities", json={"title": "Meeting", "start_at": "2026-03-10T10:00", "participants": [
        {"contact_id": ivan.id}, {"email": "Guest@Example.org", "display_name": "Guest"}]})
    assert created.status_code == 201, created.json
    assert created.json["participants"] == [
        {"contact_id": ivan.id, "email": "ivan@example.com", "display_name": "Ivan", "response_status": "needsAction"},
        {"contact_id": None, "email": "Guest@Example.org", "display_name": "Guest", "response_status": "needsAction"}]
    activity_id = created.json["id"]
    kept = api("PATCH", f"/activities/{activity_id}", json={"title": "Renamed"}).json
    assert kept["participants"] == created.json["participants"]  # left out on PATCH: kept
    for bad, field in (([{"email": "nope"}], "participants.0.email"), ([{"contact_id": other.id}],
                       "participants.0.contact_id"), ({}, "participants"), ([{"email": "a@b.example", "x": 1}],
                       "participants.0.x"), ([{"email": "a@b.example", "response_status": "yes"}],
                                            "participants.0.response_status")):
        refused = api("PATCH", f"/activities/{activity_id}", json={"participants": bad})
        assert refused.status_code == 422 and field in refused.json["error"]["fields"], (bad, refused.json)
    no_address = api("PATCH", f"/activities/{activity_id}", json={"participants": [{"contact_id": silent.id}]})
    assert no_address.json["error"]["fields"] == {"participants.0.contact_id": [
        "Silent has no e-mail address to invite."]}
    # Addresses Google takes as attendees are kept, even on hosts a contact's e-mail would be refused.
    intranet = api("PATCH", f"/activities/{activity_id}", json={"participants": [{"email": "ops@intranet"}]})
    assert intranet.status_code == 200 and intranet.json["participants"][0]["email"] == "ops@intranet"
    # The CRM never answers for someone else: an answer sent through the API is ignored.
    answered = api("PATCH", f"/activities/{activity_id}", json={"participants": [
        {"email": "guest@example.org", "response_status": "accepted"}]}).json
    assert [p["response_status"] for p in answered["participants"]] == ["needsAction"]
    emptied = api("PATCH", f"/activities/{activity_id}", json={"participants": []}).json
    assert emptied["participants"] == []


def test_another_users_records_are_404(api, alice, bob, bob_token):
    contact = services.create_contact(alice.id, {"first_name": "Secret"})
    tag = services.get_or_create_tag(alice.id, "Alice's tag")
    activity = services.create_activity(alice.id, {"title": "Secret call", "start_at": "2026-03-10T10:00:00Z"})
    as_bob = lambda method, path, **kw: api(method, path, token=bob_token, **kw)  # noqa: E731
    for method, path, body in [
        ("GET", f"/contacts/{contact.id}", None), ("PATCH", f"/contacts/{contact.id}", {"first_name": "X"}),
        ("DELETE", f"/contacts/{contact.id}", None), ("GET", f"/tags/{tag.id}", None),
        ("PATCH", f"/tags/{tag.id}", {"name": "X"}), ("DELETE", f"/tags/{tag.id}", None),
        ("POST", f"/tags/{tag.id}/contacts", {"contact_ids": [contact.id]}),
        ("GET", f"/contacts?tag={tag.id}", None),
        ("GET", f"/activities/{activity.id}", None), ("PATCH", f"/activities/{activity.id}", {"title": "X"}),
        ("DELETE", f"/activities/{activity.id}", None),
    ]:
        response = as_bob(method, path, json=body) if body is not None else as_bob(method, path)
        assert response.status_code == 404, (method, path, response.status_code)
        assert response.json["error"]["code"] == "not_found"
    own_tag = as_bob("POST", "/tags", json={"name": "Bob's"}).json
    assert as_bob("POST", f"/tags/{own_tag['id']}/contacts", json={"contact_ids": [contact.id]}).json == {"changed": 0}
    assert as_bob("GET", "/contacts").json["total"] == 0
    assert as_bob("GET", "/activities").json["total"] == 0
    assert [t["name"] for t in as_bob("GET", "/tags").json["items"]] == ["Bob's"]
    assert services.get_contact(alice.id, contact.id).first_name == "Secret"


def test_api_needs_no_csrf_but_pages_do(app, api, alice):
    app.config["WTF_CSRF_ENABLED"] = True
    assert api("POST", "/contacts", json={"first_name": "A"}).status_code == 201


def test_api_does_not_open_a_session(client, api):
    api("GET", "/me")
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_unknown_api_path_is_json_404(api):
    response = api("GET", "/nothing/here")
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_tokens_page_creates_shows_once_and_revokes(client, alice, login_as):
    login_as(alice)
    page = client.post("/profile/api-tokens", data={"name": "script"}).get_data(as_text=True)
    token = ApiToken.query.filter_by(user_id=alice.id).one()
    assert token.prefix in page and "swz_" in page
    assert "new-token-value" not in client.get("/profile/api-tokens").get_data(as_text=True)
    client.post(f"/profile/api-tokens/{token.id}/revoke")
    assert token.revoked_at is not None and token.revoked_at <= datetime.now(timezone.utc)


def test_tokens_page_cannot_revoke_anothers_token(client, alice, bob, login_as):
    row, _value = create_token(alice.id)
    login_as(bob)
    assert client.post(f"/profile/api-tokens/{row.id}/revoke").status_code == 404
    assert row.revoked_at is None


def test_cli_token_create(app, alice):
    runner = app.test_cli_runner()
    from wizard.cli import cli

    result = runner.invoke(cli, ["token", "create", "ALICE@example.com", "--name", "ci"])
    assert result.exit_code == 0, result.output
    value = result.output.strip()
    client = app.test_client()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {value}"}).json["id"] == alice.id
    assert runner.invoke(cli, ["token", "create", "nobody@example.com"]).exit_code != 0
    listed = runner.invoke(cli, ["token", "list", "alice@example.com"]).output
    assert "ci" in listed and value not in listed


@pytest.mark.parametrize("path", ["/activities/%0A", "/contacts/abc%0Adef", "/x%0A/y"])
def test_odd_api_paths_are_json_404(api, path):
    response = api("PATCH", path, json={})
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


@pytest.mark.parametrize("body", [{"first_name": "A", "emails": [{"value": "a@example.com", "type": ""}]},
                                  {"first_name": "A", "phones": [{"value": "1", "type": None}]},
                                  {"title": "x", "start_at": "2026-03-10T10:00:00Z", "status": ""}])
def test_empty_or_null_choices_are_refused(api, body):
    path = "/activities" if "title" in body else "/contacts"
    assert api("POST", path, json=body).status_code == 422


def test_a_tag_name_longer_than_documented_is_refused_even_when_its_spaces_collapse(api, alice):
    sent = "a" + " " * 120 + "b"  # 122 characters sent; "a b" once spaces are collapsed
    answer = api("POST", "/tags", json={"name": sent})
    assert answer.status_code == 422 and "name" in answer.json["error"]["fields"]
    assert api("GET", "/tags").json == {"items": []}
