"""The control API over real HTTP: setup, token minting, stats, clock, faults."""
import requests

CONTACTS = "https://www.googleapis.com/auth/contacts"


def test_reset_users_tokens_and_stats(emulator):
    emulator.add_user("ann@example.com", "Ann Smith")
    token = emulator.token("ann@example.com", [CONTACTS])
    response = requests.get(emulator.url + "/v1/people/me/connections", params={"personFields": "names"},
                            headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert response.status_code == 200
    stats = emulator.stats()
    assert stats["by_endpoint"] == {"GET /v1/people/{peopleId}/connections": 1}
    assert stats["by_user"] == {"ann@example.com": 1}
    emulator.reset()
    assert emulator.stats()["total"] == 0
    assert emulator.control("GET", "/users") == {"users": []}


def test_client_registration_shape(emulator):
    client = emulator.add_client("abc.apps.googleusercontent.com", "s3cret", ["http://localhost:5000/cb"],
                                 ["http://localhost:5000"], status="production")
    assert client["client_id"] == "abc.apps.googleusercontent.com"
    assert client["status"] == "production"
    assert client["redirect_uris"] == ["http://localhost:5000/cb"]
    assert emulator.control("GET", "/clients")["clients"][0]["client_secret"] == "s3cret"
