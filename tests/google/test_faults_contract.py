"""Error mapping and retries against the emulator's real answers: scopes, disabled APIs, tokens refreshed
or revoked mid-run, injected 5xx/429/dropped connections, quotas with and without client-side pacing."""
import time

import pytest
from authlib.integrations.requests_client import OAuth2Session

from wizard.google.calendar import CalendarClient
from wizard.google.errors import AuthRevoked, ScopeMissing, ServiceDisabled, Transient, Unauthenticated
from wizard.google.people import PeopleClient

from .conftest import CALENDAR, CONTACTS, USER, bearer_session, pacer
from .test_calendar_contract import event_for
from .test_people_contract import FIELDS, person

REDIRECT = "http://localhost:5000/oauth/google/callback"


def people_client(emulator, http, **policy):
    return PeopleClient(http, emulator.url + "/", pacer("people", **policy))


def calendar_client(emulator, http, api_pacer=None):
    return CalendarClient(http, emulator.url + "/calendar/v3/", emulator.url + "/batch/calendar/v3",
                          api_pacer or pacer("calendar"))


def advance_emulator_clock(emulator, seconds):
    emulator.control("POST", "/clock", json={"advance_seconds": seconds})


# --- configuration errors: no retry ---------------------------------------------------------------------


def test_a_missing_scope_is_scope_missing(emulator):
    people = people_client(emulator, bearer_session(emulator.token(USER, CALENDAR)))
    with pytest.raises(ScopeMissing) as caught:
        list(people.list_connections(FIELDS))
    assert caught.value.reason == "ACCESS_TOKEN_SCOPE_INSUFFICIENT"
    assert people.calls == 1


def test_a_disabled_api_is_service_disabled(emulator):
    client = emulator.add_client(client_id="off-client.apps.googleusercontent.com", disabled_apis=["people"])
    token = emulator.control("POST", "/tokens", json={"email": USER, "scopes": [CONTACTS],
                                                        "client_id": client["client_id"]})["access_token"]
    with pytest.raises(ServiceDisabled):
        people_client(emulator, bearer_session(token)).get_group("contactGroups/myContacts")


def test_a_refused_token_without_a_way_to_refresh_is_unauthenticated_at_once(emulator):
    people = people_client(emulator, bearer_session("ya29.not-a-token"))
    with pytest.raises(Unauthenticated):
        people.list_groups()
    assert people.calls == 1


# --- tokens refreshed or revoked mid-run (Authlib's OAuth2Session) ---------------------------------------


@pytest.fixture
def oauth_session(emulator):
    client = emulator.add_client(client_id="sync-client.apps.googleusercontent.com", client_secret="s3cret",
                                 redirect_uris=[REDIRECT], status="production")
    granted = emulator.control("POST", "/authorize", json={"email": USER, "params": {
        "client_id": client["client_id"], "redirect_uri": REDIRECT, "response_type": "code",
        "scope": " ".join([CONTACTS, *CALENDAR]), "access_type": "offline", "state": "st"}})
    saved = []
    session = OAuth2Session(client["client_id"], "s3cret", token_endpoint=emulator.url + "/token",
                            token_endpoint_auth_method="client_secret_post",
                            update_token=lambda token, **_: saved.append(token))
    session.fetch_token(emulator.url + "/token", code=granted["code"], redirect_uri=REDIRECT)
    session.saved = saved
    return session


def test_an_access_token_dying_mid_run_is_refreshed_once_and_persisted(emulator, oauth_session):
    people = people_client(emulator, oauth_session)
    people.list_groups()
    old = oauth_session.token["access_token"]
    advance_emulator_clock(emulator, 2 * 3600)  # Google expired it; our clock still thinks it is fresh
    assert people.list_groups()
    assert oauth_session.token["access_token"] != old
    assert oauth_session.saved and oauth_session.saved[-1]["access_token"] == oauth_session.token["access_token"]


def test_a_revoked_grant_is_auth_revoked_and_nothing_loops(emulator, oauth_session):
    people = people_client(emulator, oauth_session)
    people.list_groups()
    emulator.control("POST", "/grants/revoke", json={"email": USER})
    calls = people.calls
    with pytest.raises(AuthRevoked) as caught:
        people.list_groups()
    assert caught.value.reason == "invalid_grant"
    assert people.calls - calls == 1  # one 401, one refresh refused, no retry


# --- transient failures and rate limits ---------------------------------------------------------------


def test_injected_5xx_are_retried_until_they_pass(emulator, http):
    emulator.control("POST", "/faults", json={"endpoint": "people", "error_rate": 1.0, "statuses": [500, 503],
                                              "remaining": 3})
    people = people_client(emulator, http)
    assert people.list_groups()
    assert people.calls == 4 and people.pacer.retries == 3


def test_retries_stop_after_the_policy_s_attempts(emulator, http):
    emulator.control("POST", "/faults", json={"endpoint": "people", "error_rate": 1.0, "statuses": [503]})
    people = people_client(emulator, http, max_attempts=4)
    with pytest.raises(Transient):
        people.list_groups()
    assert people.calls == 4


def test_a_dropped_connection_is_transient_and_retried(emulator, http):
    emulator.control("POST", "/faults", json={"endpoint": "people", "drop_rate": 1.0, "remaining": 1})
    people = people_client(emulator, http)
    assert people.list_groups() and people.calls == 2


def test_429_from_the_per_user_quota_is_waited_out(emulator, http):
    emulator.control("POST", "/quota", json={"api": "people", "per_user_per_minute": 3})
    # Backoff sleeps move the emulator's clock instead of the test's: its sliding window empties.
    wait_out = pacer("people", sleep=lambda s: advance_emulator_clock(emulator, 61))
    people = PeopleClient(http, emulator.url + "/", wait_out)
    for _ in range(5):
        assert people.list_groups()
    assert people.pacer.retries >= 1


def test_writes_under_20_percent_faults_converge_to_the_fault_free_result(emulator, http):
    emulator.control("POST", "/faults", json={"endpoint": "*", "error_rate": 0.2, "statuses": [500, 503, 429]})
    people = people_client(emulator, http, max_attempts=12)
    created = people.batch_create([person(n) for n in range(600)], "names")
    group = people.create_group("Faulty")
    people.modify_members(group["resourceName"], add=[p["resourceName"] for p in created])
    calendar = calendar_client(emulator, http, pacer("calendar", max_attempts=12))
    results = calendar.batch([calendar.insert_request("primary", event_for(n)) for n in range(300)])
    emulator.control("DELETE", "/faults")
    assert len(list(people.list_connections("names").items())) == 600  # no duplicate, none lost
    assert people.get_group(group["resourceName"])["memberCount"] == 600
    assert all(isinstance(r, dict) for r in results)
    assert len(list(calendar.list_events("primary").items())) == 300


def test_inner_batch_rate_limits_are_retried_alone(emulator, http):
    emulator.control("POST", "/quota", json={"api": "calendar", "per_user_per_minute": 5, "status": 403})
    calendar = calendar_client(emulator, http, pacer("calendar", sleep=lambda s: advance_emulator_clock(emulator, 61)))
    results = calendar.batch([calendar.insert_request("primary", event_for(n)) for n in range(8)])
    assert all(isinstance(r, dict) for r in results)  # 5 passed, 3 refused with 403, then sent again
    assert calendar.calls == 2 and calendar.transport.units == 8 + 3


def test_a_budget_matching_the_quota_never_meets_a_rate_limit(emulator, http, redis_server):
    import redis as redis_lib

    emulator.control("POST", "/quota", json={"api": "calendar", "per_user_per_minute": 10, "status": 403})

    def sleep(seconds):  # the budget's window is 0.2 s of real time; the emulator's is 60 s of its clock
        time.sleep(seconds)
        advance_emulator_clock(emulator, 61)

    budget = pacer("calendar", redis=redis_lib.Redis.from_url(redis_server.url), sleep=sleep, per_minute=10,
                   window=0.2)
    calendar = calendar_client(emulator, http, budget)
    started = time.monotonic()
    results = calendar.batch([calendar.insert_request("primary", event_for(n)) for n in range(25)])
    assert all(isinstance(r, dict) for r in results)
    assert calendar.calls == 3 and budget.retries == 0  # 10 + 10 + 5, never refused
    assert time.monotonic() - started >= 0.35  # two waits for the window


def test_a_token_dying_before_a_batch_is_refreshed_and_the_inner_calls_resent(emulator, oauth_session):
    calendar = calendar_client(emulator, oauth_session)
    calendar.list_calendars()
    advance_emulator_clock(emulator, 2 * 3600)  # every inner call now answers 401
    results = calendar.batch([calendar.insert_request("primary", event_for(n)) for n in range(3)])
    assert all(isinstance(r, dict) for r in results)
    assert oauth_session.saved  # the new token was handed to the account's store


def test_a_create_whose_answer_was_lost_is_not_sent_twice(emulator, http):
    emulator.control("POST", "/faults", json={"endpoint": "people", "drop_rate": 1.0, "remaining": 1})
    people = people_client(emulator, http)
    with pytest.raises(Transient) as caught:
        people.batch_create([person(1)], "names")
    assert caught.value.ambiguous and people.calls == 1  # Google may have created it: no blind repeat


def test_a_create_that_never_reached_google_is_retried(emulator, http):
    from wizard.redis import free_port

    people = PeopleClient(http, f"http://127.0.0.1:{free_port()}/", pacer("people", max_attempts=3))
    with pytest.raises(Transient) as caught:
        people.batch_create([person(1)], "names")
    assert not caught.value.ambiguous and people.calls == 3


def test_a_lost_batch_answer_is_resent_only_when_every_insert_has_its_own_id(emulator, http):
    calendar = calendar_client(emulator, http)
    emulator.control("POST", "/faults", json={"endpoint": "batch", "drop_rate": 1.0, "remaining": 1})
    assert all(isinstance(r, dict) for r in calendar.batch([calendar.insert_request("primary", event_for(1))]))
    assert calendar.calls == 2  # deterministic id: a repeat would answer 409, never duplicate
    emulator.control("POST", "/faults", json={"endpoint": "batch", "drop_rate": 1.0, "remaining": 1})
    anonymous = dict(event_for(2))
    anonymous.pop("id")
    with pytest.raises(Transient) as caught:
        calendar.batch([calendar.insert_request("primary", anonymous)])
    assert caught.value.ambiguous and calendar.calls == 3
