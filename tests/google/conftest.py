"""Contract-test fixtures: the emulator over real HTTP, a signed-in session, clients with fast backoff."""
import uuid

import pytest
import requests

from wizard.google.calendar import CalendarClient
from wizard.google.pacing import Pacer, PacingPolicy
from wizard.google.people import PeopleClient

CONTACTS = "https://www.googleapis.com/auth/contacts"
CALENDAR = ["https://www.googleapis.com/auth/calendar.events",
            "https://www.googleapis.com/auth/calendar.calendarlist.readonly"]
USER = "owner@example.com"


def fast_policy(**overrides) -> PacingPolicy:
    """Real backoff arithmetic with millisecond steps, so retry tests stay quick."""
    return PacingPolicy(**{"max_attempts": 8, "base_delay": 0.002, "max_delay": 0.02, "max_retry_after": 0.05,
                           **overrides})


def pacer(api, redis=None, sleep=None, **policy) -> Pacer:
    kwargs = {"sleep": sleep} if sleep else {}
    return Pacer(f"acct-{uuid.uuid4().hex[:8]}", api, redis, fast_policy(**policy), **kwargs)


def bearer_session(token):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


@pytest.fixture
def http(emulator):
    return bearer_session(emulator.token(USER, [CONTACTS, *CALENDAR]))


@pytest.fixture
def people(emulator, http):
    return PeopleClient(http, emulator.url + "/", pacer("people"))


@pytest.fixture
def calendar(emulator, http):
    return CalendarClient(http, emulator.url + "/calendar/v3/", emulator.url + "/batch/calendar/v3",
                          pacer("calendar"))
