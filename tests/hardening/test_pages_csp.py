"""Every HTML page of the product, walked from the URL map as an administrator and as a user: a CSP whose
script-src has no 'unsafe-inline', and nothing on the page that only runs with inline scripts allowed."""
from tests.hardening.conftest import signed_in
from tests.hardening.pages import page_urls, scan, script_src


def walk(app, world, client):
    seen = []
    for endpoint, url in page_urls(app, world):
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        seen.append((endpoint, url, response))
    return seen


def check_page(url, response):
    csp = response.headers.get("Content-Security-Policy", "")
    src = script_src(csp)
    assert src, (url, csp)
    assert "'unsafe-inline'" not in src and "'unsafe-eval'" not in src, (url, src)
    if response.mimetype != "text/html":
        return
    found = scan(response.get_data(as_text=True))
    assert not found.inline_scripts, (url, "inline <script> at", found.inline_scripts)
    assert not found.handlers, (url, found.handlers)
    assert not found.js_urls, (url, found.js_urls)


def test_every_page_is_strict_for_admin_and_user(app, world):
    html_pages = 0
    for who in ("admin", "user"):
        client = signed_in(app, world[who])
        for endpoint, url, response in walk(app, world, client):
            check_page(url, response)
            html_pages += response.mimetype == "text/html" and response.status_code == 200
    # The walk must actually reach the product's pages (not only redirects and error pages).
    assert html_pages >= 30, html_pages


def test_anonymous_pages_and_error_pages_are_strict(app, world, client):
    for url in ("/login", "/no/such/page", "/contacts", f"/setup/first-admin/bogus"):
        check_page(url, client.get(url))


def test_walk_reaches_the_pages_that_matter(app, world):
    client = signed_in(app, world["user"])
    statuses = {url: r.status_code for _e, url, r in walk(app, world, client)}
    for url in ("/contacts", f"/contacts/{world['contact'].id}", "/activities", "/tags", "/sync",
                f"/sync/accounts/{world['account'].id}/settings", f"/sync/accounts/{world['account'].id}/health"):
        assert statuses[url] == 200, (url, statuses[url])
    admin = signed_in(app, world["admin"])
    assert admin.get("/admin/settings").status_code == 200
    assert admin.get("/admin/setup/credentials").status_code == 200
