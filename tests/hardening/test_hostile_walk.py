"""The hostile-value walk: every route of the URL map and every parameter of the OpenAPI document gets each
hostile value (2^63, 10^21, -1, 0001-01-01, 9999-12-31, NUL, invalid UTF-8, 10,000 characters, nested JSON, and
2^31, past PostgreSQL's INTEGER) in its path arguments and query parameters, JSON bodies get them in every
documented field, as an anonymous visitor, a user, an administrator and an API token: no answer may be a 5xx,
and nothing may be stored."""
import time
from urllib.parse import quote

import pytest

from tests.hardening.conftest import FreshClient, row_counts, signed_in
from tests.hardening.pages import argument_values
from wizard.api.openapi import document
from wizard.extensions import db

NESTED = "[" * 5000 + "]" * 5000
# As they go into a URL (already percent-encoded where a raw byte could not be written).
HOSTILE = {
    "2^31": str(2**31), "2^63": str(2**63), "10^21": str(10**21), "-1": "-1", "0001-01-01": "0001-01-01",
    "9999-12-31": "9999-12-31", "NUL": "%00", "invalid UTF-8": "%FF%FE%C3%28", "10,000 characters": "x" * 10_000,
    "nested JSON": quote(NESTED[:400] + NESTED[-400:]),
}
# Values a JSON body carries (the nested document is sent as a whole body of its own).
JSON_HOSTILE = [2**31, 2**63, 10**21, -1, "0001-01-01", "9999-12-31", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                "\x00", "\udcff".encode("utf-8", "surrogatepass").decode("utf-8", "replace"), "x" * 10_000,
                [[[[[[[[[[[]]]]]]]]]]]]
# Page query parameters the views read (grep request.args in wizard/), besides the OpenAPI document's own.
PAGE_PARAMS = ["q", "page", "per_page", "tag", "tag_name", "sort", "start", "status", "type", "from", "to", "date",
               "next", "return_to", "code", "state", "error", "refresh", "token", "hl"]
# /readyz answers 503 by design while no worker runs: that is its job, not a failure.
NOT_WALKED = {
    "static", "bootstrap.static",
    "auth.logout", "users.end_all_own_sessions",  # they end the walker's own session: tested on their own
}
METHODS = ("GET", "POST", "PATCH", "DELETE", "PUT")
# Markers for steps whose only hostile part is not the body. A POST form with a hostile query but an empty
# (valid) body may rightly store (e.g. a token with no name): only the path and GET steps must never store.
HOSTILE_PATH, QUERY_ONLY = "hostile path", "query only"


def openapi_params() -> dict:
    """Query parameter names per OpenAPI path (with Werkzeug's <int:...> spelling)."""
    params = {}
    for path, item in document()["paths"].items():
        names = {p["name"] for op in item.values() if isinstance(op, dict) for p in op.get("parameters", [])
                 if p.get("in") == "query"}
        params[path] = sorted(names)
    return params


def openapi_fields() -> list[str]:
    names = set()
    for schema in document().get("components", {}).get("schemas", {}).values():
        names |= set(schema.get("properties", {}))
    return sorted(names)


def fill(rule, values, hostile_arg=None, hostile=None) -> str:
    url = rule.rule
    for name in rule.arguments:
        value = hostile if name == hostile_arg else quote(str(values.get(name, ["1"])[0]), safe="")
        token = next(part for part in _placeholders(url) if part.strip("<>").split(":")[-1] == name)
        url = url.replace(token, value)
    return url


def _placeholders(url):
    parts, start = [], url.find("<")
    while start >= 0:
        end = url.index(">", start)
        parts.append(url[start:end + 1])
        start = url.find("<", end)
    return parts


def requests_for(app, world):
    """(method, url, query string, json body or None) for every walk step."""
    values, api_params = argument_values(world), openapi_params()
    fields = openapi_fields()
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in NOT_WALKED:
            continue
        is_api = rule.rule.startswith("/api/")
        names = api_params.get(rule.rule.replace("/api/v1", "").replace("<int:", "{").replace(">", "}"), []) \
            if is_api else PAGE_PARAMS
        names = names or PAGE_PARAMS[:4]
        for method in sorted(set(METHODS) & rule.methods):
            for label, value in HOSTILE.items():
                for arg in sorted(rule.arguments):
                    yield method, fill(rule, values, arg, value), "", HOSTILE_PATH
                if method == "GET" or not rule.arguments:
                    # (A POST on a real record with only a hostile query would act on it, rightly: skipped.)
                    query = "&".join(f"{name}={value}" for name in names)
                    yield method, fill(rule, values), query, None if method == "GET" else QUERY_ONLY
            if is_api and method in ("POST", "PATCH", "PUT"):
                for value in JSON_HOSTILE:
                    yield method, fill(rule, values), "", {name: value for name in fields}
                yield method, fill(rule, values), "", NESTED


def walk(client, steps, headers, problems):
    for method, url, query, body in steps:
        before = row_counts()
        kwargs = {"method": method, "headers": headers}
        if body == NESTED:
            kwargs.update(data=NESTED, content_type="application/json")
        elif isinstance(body, dict):
            kwargs["json"] = body
        try:
            response = client.open(url + ("?" + query if query else ""), **kwargs)
        except Exception as error:  # the test app propagates what production would answer with a 500
            problems.append((method, url[:120], query[:120], repr(error)[:200]))
            db.session.rollback()
            continue
        if response.status_code >= 500 and not (url == "/readyz" and response.status_code == 503):
            problems.append((method, url[:120], query[:120], response.status_code))
        elif body != QUERY_ONLY and (body is not None or method == "GET" or response.status_code >= 400) \
                and row_counts() != before:
            problems.append((method, url[:120], query[:120], f"{response.status_code} yet stored"))


def role_clients(app, world):
    token = {"Authorization": f"Bearer {world['token']}"}
    return {
        "anonymous": (FreshClient(app, app.response_class), {}),
        "user": (signed_in(app, world["user"]), {}),
        "admin": (signed_in(app, world["admin"]), {}),
        "api token": (FreshClient(app, app.response_class), token),
    }


@pytest.mark.parametrize("role", ["anonymous", "user", "admin", "api token"])
def test_hostile_values_give_no_5xx_and_store_nothing(app, world, role):
    client, headers = role_clients(app, world)[role]
    steps = list(requests_for(app, world))
    assert len(steps) > 1000
    # First visits set up their own rows (default settings, the wizard's state): done before counting.
    for method, url, query, body in steps:
        if method == "GET" and not query and body is None:
            client.get(url, headers=headers)
    for url in ("/admin/settings", "/admin/setup"):
        client.get(url, headers=headers)
    problems, started = [], time.monotonic()
    walk(client, steps, headers, problems)
    print(f"{role}: {len(steps)} requests in {time.monotonic() - started:.1f} s")
    assert problems == [], "\n".join(map(str, problems[:40]))
