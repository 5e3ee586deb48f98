"""Injected faults over real HTTP, the threaded server under concurrent writers, and the state file."""
import threading
import time

import pytest
import requests
from werkzeug.test import Client

from wizard.emulator import create_emulator_app

EMAIL = "f@example.com"
CONTACTS = "https://www.googleapis.com/auth/contacts"
CONN = "/v1/people/me/connections"


@pytest.fixture
def auth(emulator):
    emulator.add_user(EMAIL)
    return {"Authorization": "Bearer " + emulator.token(EMAIL, [CONTACTS])}


def get(emulator, auth, timeout=5):
    return requests.get(emulator.url + CONN, params={"personFields": "names"}, headers=auth, timeout=timeout)


def test_error_rate_with_remaining(emulator, auth):
    emulator.control("POST", "/faults", json={"endpoint": "GET " + CONN.replace("me", "{peopleId}"),
                                              "error_rate": 1, "error_statuses": [503], "remaining": 2})
    assert [get(emulator, auth).status_code for _ in range(3)] == [503, 503, 200]
    emulator.control("POST", "/faults", json={"endpoint": "people", "error_rate": 1, "error_statuses": [500],
                                              "remaining": 1})
    failed = get(emulator, auth)
    assert failed.status_code == 500 and failed.json()["error"]["status"] == "INTERNAL"
    assert emulator.control("GET", "/faults") == {"faults": []}


def test_latency_with_jitter(emulator, auth):
    emulator.control("POST", "/faults", json={"endpoint": "*", "latency_ms": 150, "jitter_ms": 20})
    started = time.monotonic()
    assert get(emulator, auth).status_code == 200
    assert time.monotonic() - started >= 0.12


def test_hung_request_released_by_clearing_faults(emulator, auth):
    emulator.control("POST", "/faults", json={"endpoint": "people", "hang_rate": 1, "hang_seconds": 20})
    with pytest.raises(requests.Timeout):
        get(emulator, auth, timeout=0.3)
    emulator.control("DELETE", "/faults")
    assert get(emulator, auth).status_code == 200


def test_dropped_connection(emulator, auth):
    emulator.control("POST", "/faults", json={"endpoint": "people", "drop_rate": 1, "remaining": 1})
    with pytest.raises(requests.ConnectionError):
        get(emulator, auth)
    assert get(emulator, auth).status_code == 200


def test_stats_count_what_faults_did(emulator, auth):
    emulator.control("POST", "/faults", json={"endpoint": "people", "error_rate": 1, "error_statuses": [429],
                                              "latency_ms": 5, "remaining": 2})
    assert [get(emulator, auth).status_code for _ in range(2)] == [429, 429]
    emulator.control("POST", "/faults", json={"endpoint": "people", "hang_rate": 1, "hang_seconds": 0.05,
                                              "remaining": 1})
    assert get(emulator, auth).status_code == 200
    assert emulator.stats()["faults"] == {"error:429": 2, "latency": 2, "hang": 1}
    emulator.control("POST", "/stats/reset")
    assert emulator.stats()["faults"] == {}


def test_concurrent_writers(emulator, auth):
    errors = []

    def writer(worker):
        session = requests.Session()
        for index in range(15):
            response = session.post(emulator.url + "/v1/people:createContact", headers=auth, timeout=10,
                                    json={"names": [{"givenName": f"W{worker}-{index}"}]})
            if response.status_code != 200:
                errors.append(response.text)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    listing = requests.get(emulator.url + CONN, params={"personFields": "names", "pageSize": 1000},
                           headers=auth, timeout=5).json()
    assert len({p["resourceName"] for p in listing["connections"]}) == 120 == listing["totalPeople"]


def test_state_file_survives_restart(tmp_path):
    path = tmp_path / "emulator.json"
    first = Client(create_emulator_app(state_file=path))
    first.post("/_emulator/users", json={"email": EMAIL, "name": "Persisted"})
    token = first.post("/_emulator/tokens", json={"email": EMAIL, "scopes": [CONTACTS]}).json["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    created = first.post("/v1/people:createContact", json={"names": [{"givenName": "Kept"}]}, headers=auth).json
    first.post("/_emulator/save")
    second = Client(create_emulator_app(state_file=path))
    got = second.get(f"/v1/{created['resourceName']}", query_string={"personFields": "names"}, headers=auth)
    assert got.status_code == 200 and got.json["names"][0]["givenName"] == "Kept"


def test_injected_clock():
    now = [1_800_000_000.0]
    app = create_emulator_app(clock=type("FixedClock", (), {"now": lambda self: now[0],
                                                            "advance": lambda self, s: now.__setitem__(0, now[0] + s),
                                                            "offset": 0})())
    client = Client(app)
    client.post("/_emulator/users", json={"email": EMAIL})
    token = client.post("/_emulator/tokens", json={"email": EMAIL, "scopes": [CONTACTS]}).json["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get(CONN, query_string={"personFields": "names"}, headers=auth).status_code == 200
    now[0] += 3601
    assert client.get(CONN, query_string={"personFields": "names"}, headers=auth).status_code == 401
