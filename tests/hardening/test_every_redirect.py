"""Every route of the URL map, GET and POST, as a user and as an administrator, is sent off-site `next` and
`return_to` values in the query and in the form: no redirect may leave the site (except to Google's sign-in
page, which the OAuth routes exist to reach). The routes that do follow `next` are found and must keep a local
target, so the walk proves they all use the one check (wizard.auth.redirects.safe_next)."""
from tests.hardening.conftest import signed_in
from tests.hardening.pages import argument_values
from tests.hardening.test_hostile_walk import fill
from tests.hardening.test_login_redirects import OFF_SITE, is_local

FOLLOWS_NEXT = {"auth.login", "main.switch_locale", "crm.contacts_bulk"}
LOCAL = "/contacts?q=kept"
# Destructive routes run last, so the records the other routes need still exist when they are walked.
LAST = ("delete", "unlink", "disable", "end", "revoke", "logout")


def ordered_rules(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in ("static", "bootstrap.static")]
    return sorted(rules, key=lambda r: (any(word in r.endpoint for word in LAST), r.rule))


def leaves_site(app, location: str) -> bool:
    google = app.config["GOOGLE_AUTH_URL"]
    return not is_local(location) and not location.startswith(google)


def send(client, method, url, target):
    data = {"next": target, "return_to": target}
    if method == "GET":
        return client.get(url, query_string=data)
    return client.post(url, query_string=data, data=data)


def test_no_route_redirects_off_site(app, world):
    values, problems, followed = argument_values(world), [], set()
    for who in ("user", "admin"):
        client = signed_in(app, world[who])
        for rule in ordered_rules(app):
            url = "/locale/ru" if rule.endpoint == "main.switch_locale" else fill(rule, values)
            for method in sorted({"GET", "POST"} & rule.methods):
                for target in OFF_SITE[:6]:
                    response = send(client, method, url, target)
                    location = response.headers.get("Location", "")
                    if response.status_code in (301, 302, 303, 307, 308) and leaves_site(app, location):
                        problems.append((who, method, rule.endpoint, target, location))
                if rule.endpoint in FOLLOWS_NEXT and rule.endpoint != "auth.logout":
                    location = send(client, method, url, LOCAL).headers.get("Location", "")
                    if location.endswith(LOCAL):
                        followed.add(rule.endpoint)
            if rule.endpoint == "auth.logout":
                client = signed_in(app, world[who])
    assert problems == [], problems[:20]
    assert followed >= FOLLOWS_NEXT - {"auth.login"}  # a signed-in visitor of /login is sent on too, below


def test_bulk_form_next_goes_nowhere_off_site(app, world):
    client = signed_in(app, world["user"])
    for target in OFF_SITE:
        response = client.post("/contacts/bulk", data={"next": target, "action": "tag", "tag_name": "x"})
        assert response.status_code == 302 and is_local(response.headers["Location"]), target
    response = client.post("/contacts/bulk", data={"next": LOCAL, "action": "tag", "tag_name": "x"})
    assert response.headers["Location"].endswith(LOCAL)
