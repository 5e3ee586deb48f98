import pytest

from .discovery import Google

EMAIL = "ann@example.com"
SCOPES = ["https://www.googleapis.com/auth/contacts", "https://www.googleapis.com/auth/calendar.events",
          "https://www.googleapis.com/auth/calendar.calendarlist.readonly"]


@pytest.fixture
def google(emulator):
    emulator.add_user(EMAIL, "Ann Smith")
    return Google(emulator.url, emulator.token(EMAIL, SCOPES))
