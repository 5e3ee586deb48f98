"""Inputs that used to give a 500 (issue #13), each tried directly: deeply nested JSON, out-of-range weeks,
page numbers and ids beyond 64 bits, binary and oversized uploads to the contacts import, and tag floods;
also `Cache-Control: no-store` on what a signed-in person sees, and a private instance folder."""
import io
import stat
from pathlib import Path

from sqlalchemy import func, select

from tests.hardening.conftest import FreshClient, row_counts, signed_in
from wizard.crm import services
from wizard.extensions import db
from wizard.models.crm import Tag


def test_deeply_nested_json_is_a_400(app, world):
    client = FreshClient(app, app.response_class)
    headers = {"Authorization": f"Bearer {world['token']}", "Accept-Language": "ru"}
    before = row_counts()
    for depth in (100, 5000, 100_000):
        body = "[" * depth + "]" * depth
        response = client.post("/api/v1/contacts", data=body, content_type="application/json", headers=headers)
        assert response.status_code == 400 and response.json["error"]["code"] == "invalid_json"
    assert row_counts() == before


def test_far_weeks_show_the_nearest_with_a_message(app, world):
    client = signed_in(app, world["user"])
    for start in ("0001-01-01", "9999-12-31"):
        page = client.get(f"/activities/week?start={start}")
        assert page.status_code == 200 and "nearest week" in page.get_data(as_text=True)


def test_huge_numbers_in_pages_and_paths(app, world):
    client = signed_in(app, world["user"])
    for url in ("/contacts?page=999999999999999999999", "/activities?page=999999999999999999999",
                "/contacts?tag=999999999999999999999&per_page=99999999999999999999"):
        assert client.get(url).status_code == 200, url
    for url in ("/sync/accounts/999999999999999999999/health", "/sync/accounts/999999999999999999999/settings",
                f"/contacts/{2**63}", "/api/v1/contacts/99999999999999999999999"):
        assert client.get(url).status_code == 404, url


def upload(client, name, content):
    return client.post("/contacts/import", data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data", headers={"Accept-Language": "ru"})


def test_any_uploaded_file_gets_a_clear_import_error(app, world):
    client = signed_in(app, world["user"])
    before = row_counts()
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    long_field = ("first_name,notes\nIvan," + "x" * 200_000 + "\n").encode()
    for name, content in (("photo.png", png), ("contacts.csv", long_field), ("contacts.csv", b"\xff\xfe\x00\x00"),
                          ("empty.csv", b""), ("broken.vcf", b"BEGIN:VCARD\nN:" + b"\\" * 5000)):
        response = upload(client, name, content)
        assert response.status_code == 200, name
        page = response.get_data(as_text=True)
        assert "invalid-feedback" in page or "alert-danger" in page, name
    assert row_counts() == before


def test_one_contact_form_cannot_create_thousands_of_tags(app, world):
    client = signed_in(app, world["user"])
    user = world["user"]
    before = db.session.scalar(select(func.count()).select_from(Tag))
    names = ", ".join(f"t{i}" for i in range(2000))
    response = client.post("/contacts/new", data={"first_name": "Flood", "tags": names})
    assert response.status_code == 200 and "At most 50 tags per contact." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Tag)) == before
    app.config["MAX_TAGS_PER_USER"] = 3
    services.get_or_create_tag(user.id, "two")
    services.get_or_create_tag(user.id, "three")
    response = client.post("/api/v1/tags", json={"name": "four"},
                           headers={"Authorization": f"Bearer {world['token']}"})
    assert response.status_code == 422
    assert len(services.list_tags(user.id)) == 3


def test_authenticated_answers_are_not_stored_by_caches(app, world):
    client = signed_in(app, world["user"])
    for url in ("/contacts", "/profile/api-tokens", "/profile/sessions"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url
    api = FreshClient(app, app.response_class)
    response = api.get("/api/v1/me", headers={"Authorization": f"Bearer {world['token']}"})
    assert response.headers["Cache-Control"] == "no-store"


def test_instance_folder_and_database_file_are_private(tmp_path, redis_server):
    from tests.apps import app_on_fresh_database

    folder = tmp_path / "private-instance"
    database = folder / "syncwizard.db"
    folder.mkdir(mode=0o755)
    with app_on_fresh_database(INSTANCE_PATH=str(folder), REDIS_URL=redis_server.url,
                               SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert stat.S_IMODE(Path(database).stat().st_mode) == 0o600
