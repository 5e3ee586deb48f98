"""Clients built from the app's configuration: endpoints, per-API budgets, the account's lock key."""
from types import SimpleNamespace

import requests

from wizard.google import session


def test_clients_take_endpoints_and_limits_from_the_config(app):
    app.config.update(GOOGLE_PEOPLE_PER_MINUTE=45, GOOGLE_MAX_ATTEMPTS=3)
    account = SimpleNamespace(id=5, google_sub="1234567890")
    people = session.people_client(account, http=requests.Session())
    calendar = session.calendar_client(account, http=requests.Session())
    assert people.base_url == app.config["GOOGLE_PEOPLE_API_URL"].rstrip("/") + "/"
    assert calendar.batch_url == app.config["GOOGLE_BATCH_URL"]
    assert calendar.base_path.endswith("/calendar/v3/")
    assert people.pacer.policy.per_minute == 45 and people.pacer.policy.max_attempts == 3
    assert calendar.pacer.policy.per_minute == 600  # Google's documented per-user Calendar quota
    assert people.pacer.redis is not None  # the app's Redis: the lock is shared by every worker
    assert people.pacer.lock_key.endswith("people:1234567890")


def test_a_budget_of_zero_means_no_client_side_budget(app):
    app.config["GOOGLE_CALENDAR_PER_MINUTE"] = 0
    assert session.pacing_policy("calendar").per_minute is None


def test_the_project_budgets_come_from_the_config_and_the_client_id(app):
    from wizard.settings.values import get_setting, set_setting

    set_setting("GoogleClientId", "123456789012-project.apps.googleusercontent.com")
    app.config.update(GOOGLE_PEOPLE_PROJECT_PER_MINUTE=300)
    account = SimpleNamespace(id=5, google_sub="1234567890")
    client = SimpleNamespace(client_id=get_setting("GoogleClientId"))  # handed in, as the engine does
    people = session.people_client(account, http=requests.Session(), client=client)
    calendar = session.calendar_client(account, http=requests.Session(), client=client)
    assert people.pacer.policy.project_per_minute == 300
    assert calendar.pacer.policy.project_per_minute == 10000  # Google's documented per-project quota
    assert calendar.pacer.project_window_key.endswith("calendar:123456789012-project.apps.googleusercontent.com")
    app.config["GOOGLE_PEOPLE_PROJECT_PER_MINUTE"] = None
    assert session.pacing_policy("people").project_per_minute is None
