"""Bad input to every form of the product (each POST endpoint of the URL map, outside the JSON API), as the
user and as the administrator, in Russian: never a 5xx; every rejection explains itself in Russian; and a
rejected request stores nothing (row counts of every table unchanged)."""
import time

from hypothesis import HealthCheck, given, settings

from tests.hardening.conftest import row_counts, signed_in
from tests.hardening.fuzz import error_texts, field_names, form_data, has_cyrillic
from tests.hardening.pages import argument_values, expand

RU = {"Accept-Language": "ru"}
# Signing out (here or everywhere) and switching language change the session, not the data; they would skew
# the later examples.
SKIP = {"auth.logout", "main.switch_locale", "users.end_sessions", "users.end_all_own_sessions"}
GENERIC_FIELDS = {"name", "value", "title", "email", "password", "tag", "tag_id", "contact_ids", "ids", "action",
                  "q", "choice", "start_at", "file"}
ADMIN_ONLY = ("setup.",)
EXAMPLES = 6


class Problems(list):
    refusals = 0


def post_targets(app, world):
    values = argument_values(world)
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "POST" not in rule.methods or rule.endpoint.startswith("api.") or rule.endpoint in SKIP:
            continue
        for url in expand(rule, values)[:3]:  # a few of the setting cards and wizard steps each
            yield rule, url


def fields_for(client, rule, url):
    if "GET" in rule.methods:
        page = client.get(url, headers=RU)
        if page.status_code == 200:
            return sorted(field_names(page.get_data(as_text=True)) | {"value"})
    return sorted(GENERIC_FIELDS)


def flashed(client):
    with client.session_transaction() as session:
        return session.pop("_flashes", [])


def check_one(client, url, data, problems):
    before = row_counts()
    response = client.post(url, data=data, headers=RU)
    status = response.status_code
    if status >= 500:
        problems.append((url, status, "server error"))
        return
    if status in (301, 302, 303):
        errors = [text for category, text in flashed(client) if category in ("error", "danger", "warning")]
    else:
        errors = error_texts(response.get_data(as_text=True)) if response.mimetype == "text/html" else []
    rejected = status >= 400 or bool(errors)  # a 200 without errors may be a success page (a new API token)
    if not rejected:
        return
    problems.refusals += 1
    english = [text for text in errors if not has_cyrillic(text)]
    if english:
        problems.append((url, status, f"untranslated: {english[:3]}"))
    if status >= 400 and response.mimetype == "text/html" and not has_cyrillic(response.get_data(as_text=True)):
        problems.append((url, status, "error page not in Russian"))
    after = row_counts()
    if after != before:
        changed = {t: (before[t], after[t]) for t in after if after[t] != before[t]}
        problems.append((url, status, f"rejected yet stored: {changed}"))


def fuzz_endpoint(client, rule, url, problems):
    fields = fields_for(client, rule, url)

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(data=form_data(fields))
    def run(data):
        check_one(client, url, data, problems)

    run()


def test_every_form_survives_bad_input_in_russian(app, world):
    started = time.monotonic()
    problems, fuzzed = Problems(), []
    admin, user = signed_in(app, world["admin"]), signed_in(app, world["user"])
    for rule, url in post_targets(app, world):
        client = admin if rule.endpoint.startswith(ADMIN_ONLY) else user
        fuzz_endpoint(client, rule, url, problems)
        fuzzed.append(url)
    assert len(fuzzed) >= 25, fuzzed
    unique = sorted({(u, s, p) for u, s, p in problems}, key=str)
    assert not unique, "\n".join(map(str, unique[:40]))
    assert problems.refusals >= 40, problems.refusals  # the input must actually be refused somewhere
    assert time.monotonic() - started < 80


def test_anonymous_forms_survive_bad_input(app, world, client):
    problems = Problems()
    rules = {r.endpoint: r for r in app.url_map.iter_rules()}
    for endpoint, url in (("auth.login", "/login"), ("auth.first_admin_setup", "/setup/first-admin/not-a-token")):
        fuzz_endpoint(client, rules[endpoint], url, problems)
    assert not problems, problems[:20]
