import json

import pytest

from .discovery import Google, methods, validator

EMAIL = "ann@example.com"
SCOPES = ["https://www.googleapis.com/auth/contacts", "https://www.googleapis.com/auth/calendar.events",
          "https://www.googleapis.com/auth/calendar.calendarlist.readonly"]
PREFIX = {"people": ("people.v1", "/"), "calendar": ("calendar.v3", "/calendar/v3/")}


def response_schema(route):
    """(document, schema name) of a People/Calendar route's success answer, from the discovery document."""
    name, prefix = PREFIX[route.api]
    for method in methods(name).values():
        if method["httpMethod"] == route.method and method.get("flatPath", method["path"]) == \
                route.template[len(prefix):]:
            ref = (method.get("response") or {}).get("$ref")
            return (name, ref) if ref else None
    raise AssertionError(f"{route.key} is not a discovery method")


@pytest.fixture(autouse=True)
def validate_every_answer(emulator_server):
    """Every successful People/Calendar JSON answer during a test (batch parts included) must match the
    discovery schema; the test fails at teardown otherwise."""
    problems = []

    def observe(route, response):
        if route.api not in PREFIX or response.status_code != 200:
            return
        schema = response_schema(route)
        if schema is None:
            return
        body = json.loads(response.get_data())
        for error in validator(*schema).iter_errors(body):
            problems.append(f"{route.key}: {error.message} at {list(error.absolute_path)}")

    emulator_server.app.observers.append(observe)
    yield
    emulator_server.app.observers.remove(observe)
    assert not problems, problems[:5]


@pytest.fixture
def google(emulator):
    emulator.add_user(EMAIL, "Ann Smith")
    return Google(emulator.url, emulator.token(EMAIL, SCOPES))
