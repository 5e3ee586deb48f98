"""After login the user goes only to a page of this site, whatever `next` says."""
import pytest

from tests.hardening.conftest import PASSWORD

OFF_SITE = ["//evil.com", "https://evil.com", "http://evil.com/contacts", "/\\evil.com", "\\\\evil.com",
            "javascript:alert(1)", "JaVaScRiPt:alert(1)", "/\t/evil.com", "/\n/evil.com", "///evil.com",
            "https:evil.com", "data:text/html,<script>alert(1)</script>", " //evil.com", "%2F%2Fevil.com",
            "http://localhost@evil.com", "/%09/evil.com"]


def login_to(client, user, target):
    return client.post("/login", query_string={"next": target}, data={"email": user.email, "password": PASSWORD})


def is_local(location):
    # Werkzeug may make Location absolute against the request's own host; either form must stay on-site.
    for prefix in ("http://localhost/", "https://localhost/"):
        if location.startswith(prefix):
            location = "/" + location[len(prefix):]
    return location.startswith("/") and not location.startswith("//") and "\\" not in location \
        and "evil.com" not in location.split("?")[0].lstrip("/").split("/")[0]


@pytest.mark.parametrize("target", OFF_SITE)
def test_off_site_targets_fall_back_to_the_home_page(client, make_user, target):
    user = make_user()
    response = login_to(client, user, target)
    assert response.status_code == 302
    assert is_local(response.headers["Location"]), response.headers["Location"]
    assert "evil.com" not in response.headers["Location"] or response.headers["Location"].startswith("/%")


def test_local_target_is_kept(client, make_user):
    response = login_to(client, make_user(), "/contacts?q=ivan")
    assert response.headers["Location"].endswith("/contacts?q=ivan")


def test_already_signed_in_user_is_not_bounced_off_site(client, make_user):
    user = make_user()
    login_to(client, user, "/")
    for target in OFF_SITE:
        response = client.get("/login", query_string={"next": target})
        assert response.status_code == 302
        assert is_local(response.headers["Location"]), (target, response.headers["Location"])
