"""Bodies above MAX_CONTENT_LENGTH are refused with 413, with a translated message (page or JSON)."""
import io

from tests.hardening.conftest import signed_in

RU = {"Accept-Language": "ru"}


def big(app):
    return b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1024)


def test_csv_import_above_the_limit_is_a_translated_413(app, world):
    client = signed_in(app, world["user"])
    before = client.get("/contacts").get_data(as_text=True)
    response = client.post("/contacts/import", headers=RU, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(b"name\n" + big(app)), "contacts.csv")})
    assert response.status_code == 413
    assert "Загружаемые данные превышают допустимый размер." in response.get_data(as_text=True)
    english = client.post("/contacts/import", headers={"Accept-Language": "en"}, content_type="multipart/form-data",
                          data={"file": (io.BytesIO(b"name\n" + big(app)), "contacts.csv")})
    assert english.status_code == 413
    assert "The upload is larger than this site accepts." in english.get_data(as_text=True)
    assert client.get("/contacts").get_data(as_text=True).count("<tr") == before.count("<tr")


def test_client_file_above_the_limit_is_a_translated_413(app, world):
    client = signed_in(app, world["admin"])
    response = client.post("/admin/setup/credentials", headers=RU, content_type="multipart/form-data",
                           data={"client_file": (io.BytesIO(big(app)), "client_secret.json")})
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert any("\u0400" <= ch <= "\u04ff" for ch in text)
    assert "larger than" not in text and "too large" not in text.lower()


def test_api_body_above_the_limit_is_a_translated_json_413(app, world):
    client = signed_in(app, world["user"])
    response = client.post("/api/v1/contacts", data=b'{"first_name": "' + big(app) + b'"}',
                           headers={"Authorization": f"Bearer {world['token']}", "Accept-Language": "ru",
                                    "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.is_json
    message = response.json["error"]["message"]
    assert any("\u0400" <= ch <= "\u04ff" for ch in message), message


def test_any_form_above_the_limit_is_refused(app, world):
    client = signed_in(app, world["user"])
    response = client.post("/contacts/new", headers=RU, data={"first_name": big(app).decode()})
    assert response.status_code == 413
    assert "Загружаемые данные превышают допустимый размер." in response.get_data(as_text=True)
