"""Every administrator page answers 403 to a plain user: proven by walking the whole URL map."""
import uuid

import pytest
from flask import Blueprint

from wizard.auth import admin_required

SAMPLE_VALUES = {"IntegerConverter": 1, "BoundedIntegerConverter": 1, "UUIDConverter": uuid.UUID(int=1),
                 "FloatConverter": 1.0}


def _probe_blueprint():
    """An admin view outside /admin: the walk must find it by its decorator, not by its path."""
    probe = Blueprint("roles_probe", __name__)

    @probe.route("/probe/admin-only/<int:item>", methods=["GET", "POST"])
    @admin_required
    def admin_only(item):
        return "secret"

    return probe


@pytest.fixture
def walked_app(app):
    app.register_blueprint(_probe_blueprint())
    return app


def admin_rules(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.rule.startswith("/admin") or getattr(view, "admin_required", False):
            yield rule


def build(app, rule):
    values = {name: SAMPLE_VALUES.get(type(conv).__name__, "x") for name, conv in rule._converters.items()}
    return app.url_map.bind("localhost").build(rule.endpoint, values, force_external=False)


def test_admin_rules_include_decorated_views(walked_app):
    endpoints = {rule.endpoint for rule in admin_rules(walked_app)}
    assert "roles_probe.admin_only" in endpoints
    assert "main.index" not in endpoints


def test_every_admin_page_is_forbidden_to_users(walked_app, client, make_user, login):
    login(make_user())
    checked = []
    for rule in admin_rules(walked_app):
        url = build(walked_app, rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code == 403, f"{method} {url} answered {response.status_code} to a user"
            checked.append((method, url))
    assert ("GET", "/probe/admin-only/1") in checked


def test_every_admin_page_sends_anonymous_visitors_to_login(walked_app, client):
    for rule in admin_rules(walked_app):
        url = build(walked_app, rule)
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        response = client.open(url, method=method)
        assert response.status_code in (302, 401), f"{method} {url} answered {response.status_code}"
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/login")


def test_admin_passes(walked_app, client, make_user, login):
    login(make_user(email="boss@example.com", role="admin"))
    assert client.get("/probe/admin-only/7").get_data(as_text=True) == "secret"


def test_dashboard_shows_system_designer_to_admins_only(client, make_user, login):
    login(make_user())
    page = client.get("/").get_data(as_text=True)
    assert "/contacts" in page and "/activities" in page and "/sync" in page
    assert "/admin/settings" not in page and "/admin/setup" not in page
    client.post("/logout")
    login(make_user(email="boss@example.com", role="admin"))
    page = client.get("/").get_data(as_text=True)
    assert "System designer" in page and "/admin/settings" in page and "/admin/setup" in page
