"""Random JSON bodies (and non-JSON ones) to every writing endpoint of the JSON API, in Russian: never a 5xx,
every refusal's message and per-field messages in Russian, and a refused request stores nothing."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hardening.conftest import FreshClient, row_counts
from tests.hardening.fuzz import has_cyrillic, json_bodies, nasty_text
from tests.hardening.pages import argument_values, expand
from wizard.api.openapi import document

EXAMPLES = 8


class Problems(list):
    refusals = 0


def write_targets(app, world):
    values = argument_values(world)
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith("api.") or rule.endpoint == "api.unknown_path":
            continue
        for method in sorted(rule.methods & {"POST", "PATCH", "DELETE", "GET"}):
            for url in expand(rule, values):
                yield method, rule, url


def schema_fields():
    names = set()
    for schema in document().get("components", {}).get("schemas", {}).values():
        names |= set(schema.get("properties", {}))
    return sorted(names)


def messages(body):
    error = body.get("error", {}) if isinstance(body, dict) else {}
    texts = [error.get("message", "")]
    for field_messages in (error.get("fields") or {}).values():
        texts += field_messages if isinstance(field_messages, list) else [str(field_messages)]
    return texts


def check(client, method, url, body, headers, problems):
    before = row_counts()
    if isinstance(body, bytes):
        response = client.open(url, method=method, data=body, headers={**headers, "Content-Type": "application/json"})
    elif method == "GET":
        response = client.open(url, method=method, query_string=body if isinstance(body, dict) else {}, headers=headers)
    else:
        response = client.open(url, method=method, json=body, headers=headers)
    if response.status_code >= 500:
        problems.append((method, url, response.status_code, "server error"))
        return
    if response.status_code < 400:
        return
    problems.refusals += 1
    if not response.is_json:
        problems.append((method, url, response.status_code, "error is not JSON"))
        return
    english = [text for text in messages(response.json) if not has_cyrillic(text)]
    if english:
        problems.append((method, url, response.status_code, f"untranslated: {english[:3]}"))
    if row_counts() != before:
        problems.append((method, url, response.status_code, "refused yet stored"))


def test_api_survives_random_bodies_in_russian(app, world):
    client = FreshClient(app, app.response_class)
    headers = {"Authorization": f"Bearer {world['token']}", "Accept-Language": "ru"}
    fields = schema_fields()
    query = st.dictionaries(st.sampled_from(["q", "tag", "tag_name", "page", "per_page", "sort", "status", "type",
                                             "from", "to", "contact", "updated_since"]), nasty_text, max_size=4)
    problems, targets = Problems(), list(write_targets(app, world))
    assert len(targets) >= 15
    for method, rule, url in targets:
        strategy = query if method == "GET" else json_bodies(fields)

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(body=strategy)
        def run(body):
            check(client, method, url, body, headers, problems)

        run()
    unique = sorted({p for p in problems}, key=str)
    assert not unique, "\n".join(map(str, unique[:40]))
    assert problems.refusals >= 50, problems.refusals  # the bodies must actually be refused, not all accepted


def test_api_refusals_without_a_token_are_translated(app, world):
    client = FreshClient(app, app.response_class)
    for method, url in (("GET", "/api/v1/me"), ("POST", "/api/v1/contacts"), ("DELETE", "/api/v1/tags/1"),
                        ("GET", "/api/v1/no/such\nthing")):
        response = client.open(url, method=method, headers={"Accept-Language": "ru",
                                                           "Authorization": "Bearer swz_\x00forged"})
        assert response.status_code in (401, 404) and response.is_json
        assert all(has_cyrillic(text) for text in messages(response.json)), response.json
