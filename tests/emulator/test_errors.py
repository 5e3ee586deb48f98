"""Table-driven: each documented Google error case answers with Google's status, envelope and reason."""
import pytest
import requests

EMAIL = "err@example.com"
G = "https://www.googleapis.com/auth/"
ALL = [G + "contacts", G + "calendar.events", G + "calendar.calendarlist.readonly"]
EXPIRED_BODY = {"error": {"code": 400, "message": "Sync token is expired. Clear local cache and retry call "
                                                  "without the sync token.", "status": "FAILED_PRECONDITION",
                          "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                       "reason": "EXPIRED_SYNC_TOKEN", "domain": "people.googleapis.com"}]}}
EVENT = {"start": {"dateTime": "2026-03-02T10:00:00Z"}, "end": {"dateTime": "2026-03-02T11:00:00Z"}}


class Ctx:
    def __init__(self, emulator):
        self.emulator = emulator
        emulator.add_user(EMAIL, "Err Case")
        self.token = emulator.token(EMAIL, ALL)

    def api(self, method, path, token=None, **kwargs):
        headers = kwargs.pop("headers", {})
        token = self.token if token is None else token
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return requests.request(method, self.emulator.url + path, headers=headers, timeout=5, **kwargs)

    def contact(self):
        return self.api("POST", "/v1/people:createContact", json={"names": [{"givenName": "A"}]}).json()

    def event(self, event_id="errcase01"):
        return self.api("POST", "/calendar/v3/calendars/primary/events", json={"id": event_id, **EVENT}).json()

    def disabled_token(self, api):
        self.emulator.add_client("off.apps.googleusercontent.com", "s", disabled_apis=[api])
        return self.emulator.control("POST", "/tokens", json={"email": EMAIL, "scopes": ALL,
                                                              "client_id": "off.apps.googleusercontent.com"})[
            "access_token"]


def people_sync(c):
    return c.api("GET", "/v1/people/me/connections", params={"personFields": "names",
                                                             "requestSyncToken": "true"}).json()["nextSyncToken"]


def expired_people_sync(c):
    token = people_sync(c)
    c.emulator.control("POST", "/sync-tokens/expire", json={"email": EMAIL})
    return c.api("GET", "/v1/people/me/connections", params={"personFields": "names", "syncToken": token})


def stale_etag(c):
    person = c.contact()
    c.api("PATCH", f"/v1/{person['resourceName']}:updateContact", params={"updatePersonFields": "names"},
          json={"etag": person["etag"], "names": [{"givenName": "B"}]})
    return c.api("PATCH", f"/v1/{person['resourceName']}:updateContact", params={"updatePersonFields": "names"},
                 json={"etag": person["etag"], "names": [{"givenName": "C"}]})


def duplicate_group(c):
    c.api("POST", "/v1/contactGroups", json={"contactGroup": {"name": "Dup"}})
    return c.api("POST", "/v1/contactGroups", json={"contactGroup": {"name": "Dup"}})


def if_match(c):
    c.event()
    return c.api("PATCH", "/calendar/v3/calendars/primary/events/errcase01", json={"summary": "x"},
                 headers={"If-Match": '"0"'})


def delete_twice(c):
    c.event()
    c.api("DELETE", "/calendar/v3/calendars/primary/events/errcase01")
    return c.api("DELETE", "/calendar/v3/calendars/primary/events/errcase01")


def quota(api, path, params=None):
    def run(c):
        c.emulator.control("POST", "/quota", json={"api": api, "per_user_per_minute": 2})
        for _ in range(2):
            assert c.api("GET", path, params=params).status_code == 200
        return c.api("GET", path, params=params)

    return run


def full_sync_first_pages(c):
    c.emulator.control("POST", "/quota", json={"api": "people", "full_sync_first_pages_per_minute": 1})
    assert c.api("GET", CONN, params={"personFields": "names"}).status_code == 200
    return c.api("GET", CONN, params={"personFields": "names"})


def project_quota(c):
    c.emulator.add_client("quota.apps.googleusercontent.com", "s")
    c.emulator.control("POST", "/quota", json={"api": "calendar", "per_project_per_minute": 2})
    tokens = [c.emulator.control("POST", "/tokens", json={"email": email, "scopes": ALL,
                                                          "client_id": "quota.apps.googleusercontent.com"})[
        "access_token"] for email in (EMAIL, "other@example.com", "third@example.com")]
    assert c.api("GET", EVENTS, token=tokens[0]).status_code == 200
    assert c.api("GET", EVENTS, token=tokens[1]).status_code == 200
    return c.api("GET", EVENTS, token=tokens[2])


def token_endpoint(**data):
    def run(c):
        c.emulator.add_client("tok.apps.googleusercontent.com", "right", ["http://localhost/cb"])
        form = {"client_id": "tok.apps.googleusercontent.com", "client_secret": "right", **data}
        return requests.post(c.emulator.url + "/token", data={k: v for k, v in form.items() if v is not None},
                             timeout=5)

    return run


def auth_page(**params):
    def run(c):
        c.emulator.add_client("page.apps.googleusercontent.com", "s", ["https://crm.example.com/cb"])
        query = {"client_id": "page.apps.googleusercontent.com", "response_type": "code",
                 "scope": G + "contacts", **params}
        return requests.get(c.emulator.url + "/o/oauth2/v2/auth", params=query, timeout=5)

    return run


CONN = "/v1/people/me/connections"
EVENTS = "/calendar/v3/calendars/primary/events"
# (case, request, status, kind, expected): kind says which envelope; expected is the reason/status/body.
CASES = [
    ("people without token", lambda c: c.api("GET", CONN, token="", params={"personFields": "names"}),
     401, "people-status", "UNAUTHENTICATED"),
    ("people bad token", lambda c: c.api("GET", CONN, token="nope", params={"personFields": "names"}),
     401, "people-status", "UNAUTHENTICATED"),
    ("calendar without token", lambda c: c.api("GET", EVENTS, token=""), 401, "calendar", "required"),
    ("calendar bad token", lambda c: c.api("GET", EVENTS, token="nope"), 401, "calendar", "authError"),
    ("people missing scope", lambda c: c.api("GET", CONN, token=c.emulator.token(EMAIL, [G + "calendar"]),
                                             params={"personFields": "names"}),
     403, "people", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"),
    ("calendar missing scope", lambda c: c.api("GET", EVENTS, token=c.emulator.token(EMAIL, [G + "contacts"])),
     403, "calendar", "insufficientPermissions"),
    ("people disabled", lambda c: c.api("GET", CONN, token=c.disabled_token("people"),
                                        params={"personFields": "names"}), 403, "people", "SERVICE_DISABLED"),
    ("calendar disabled", lambda c: c.api("GET", EVENTS, token=c.disabled_token("calendar")),
     403, "calendar", "accessNotConfigured"),
    ("personFields missing", lambda c: c.api("GET", CONN), 400, "people-status", "INVALID_ARGUMENT"),
    ("pageSize too big", lambda c: c.api("GET", CONN, params={"personFields": "names", "pageSize": 1001}),
     400, "people-status", "INVALID_ARGUMENT"),
    ("unknown person field", lambda c: c.api("GET", CONN, params={"personFields": "nope"}),
     400, "people-status", "INVALID_ARGUMENT"),
    ("expired people sync token", expired_people_sync, 400, "exact", EXPIRED_BODY),
    ("stale contact etag", stale_etag, 400, "people-status", "FAILED_PRECONDITION"),
    ("unknown contact", lambda c: c.api("GET", "/v1/people/c123", params={"personFields": "names"}),
     404, "people-status", "NOT_FOUND"),
    ("malformed resource name", lambda c: c.api("GET", "/v1/people/abc", params={"personFields": "names"}),
     400, "people-status", "INVALID_ARGUMENT"),
    ("duplicate group", duplicate_group, 409, "people-status", "ALREADY_EXISTS"),
    ("people quota", quota("people", CONN, {"personFields": "names"}), 429, "people", "RATE_LIMIT_EXCEEDED"),
    ("unknown event", lambda c: c.api("GET", EVENTS + "/nothere1"), 404, "calendar", "notFound"),
    ("duplicate event id", lambda c: (c.event(), c.api("POST", EVENTS, json={"id": "errcase01", **EVENT}))[1],
     409, "calendar", "duplicate"),
    ("bad event id", lambda c: c.api("POST", EVENTS, json={"id": "x", **EVENT}), 400, "calendar", "invalid"),
    ("missing end", lambda c: c.api("POST", EVENTS, json={"start": EVENT["start"]}), 400, "calendar", "required"),
    ("If-Match stale", if_match, 412, "calendar", "conditionNotMet"),
    ("delete twice", delete_twice, 410, "calendar", "deleted"),
    ("garbage sync token", lambda c: c.api("GET", EVENTS, params={"syncToken": "garbage"}),
     410, "calendar", "fullSyncRequired"),
    ("sync token with q", lambda c: c.api("GET", EVENTS, params={"syncToken": "x", "q": "a"}),
     400, "calendar", "invalid"),
    ("orderBy startTime without singleEvents", lambda c: c.api("GET", EVENTS, params={"orderBy": "startTime"}),
     400, "calendar", "badRequest"),
    ("calendar quota", quota("calendar", EVENTS), 403, "calendar", "userRateLimitExceeded"),
    ("full-sync first page quota", full_sync_first_pages, 429, "people", "RATE_LIMIT_EXCEEDED"),
    ("calendar project quota", project_quota, 403, "calendar", "rateLimitExceeded"),
    ("too many reminders", lambda c: c.api("POST", EVENTS, json={**EVENT, "reminders": {
        "useDefault": False, "overrides": [{"method": "popup", "minutes": m} for m in range(6)]}}),
     400, "calendar", "tooManyReminders"),
    ("token: unknown client", token_endpoint(client_id="who", grant_type="refresh_token"), 401, "oauth",
     {"error": "invalid_client", "error_description": "The OAuth client was not found."}),
    ("token: wrong secret", token_endpoint(client_secret="wrong", grant_type="refresh_token"), 401, "oauth",
     {"error": "invalid_client", "error_description": "Unauthorized"}),
    ("token: no secret", token_endpoint(client_secret=None, grant_type="authorization_code", code="x"), 400,
     "oauth", {"error": "invalid_request", "error_description": "client_secret is missing."}),
    ("token: dead refresh token", token_endpoint(grant_type="refresh_token", refresh_token="1//dead"), 400,
     "oauth", {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}),
    ("token: unknown code", token_endpoint(grant_type="authorization_code", code="4/x",
                                           redirect_uri="http://localhost/cb"), 400,
     "oauth", {"error": "invalid_grant", "error_description": "Bad Request"}),
    ("token: bad grant type", token_endpoint(grant_type="password"), 400, "oauth-error", "unsupported_grant_type"),
    ("revoke unknown", lambda c: requests.post(c.emulator.url + "/revoke", data={"token": "x"}, timeout=5), 400,
     "oauth-error", "invalid_token"),
    ("auth: unknown client", auth_page(client_id="nobody", redirect_uri="https://crm.example.com/cb"), 401,
     "page", "invalid_client"),
    ("auth: redirect mismatch", auth_page(redirect_uri="https://crm.example.com/cb/"), 400, "page",
     "redirect_uri_mismatch"),
    ("auth: no scope", auth_page(redirect_uri="https://crm.example.com/cb", scope=""), 400, "page",
     "invalid_request"),
]


@pytest.mark.parametrize("case,make,status,kind,expected", CASES, ids=[c[0] for c in CASES])
def test_error_case(emulator, case, make, status, kind, expected):
    response = make(Ctx(emulator))
    assert response.status_code == status, response.text
    if kind == "page":
        assert "text/html" in response.headers["Content-Type"] and f": {expected}" in response.text
        return
    body = response.json()
    if kind == "exact" or kind == "oauth":
        assert body == expected
    elif kind == "oauth-error":
        assert body["error"] == expected
    elif kind == "people-status":
        assert set(body) == {"error"} and body["error"]["code"] == status
        assert body["error"]["status"] == expected
    elif kind == "people":
        reasons = [d.get("reason") for d in body["error"].get("details", [])]
        assert expected in reasons and "errors" not in body["error"]
    elif kind == "calendar":
        error = body["error"]
        assert error["code"] == status and error["errors"][0]["reason"] == expected
        assert {"domain", "reason", "message"} <= set(error["errors"][0])
    if status == 401 and not kind.startswith(("oauth", "page")):
        assert response.headers["WWW-Authenticate"].startswith('Bearer realm="https://accounts.google.com/"')
    if expected == "ACCESS_TOKEN_SCOPE_INSUFFICIENT" or expected == "insufficientPermissions":
        assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
