"""Every POST form on every page carries a CSRF token: proven by rendering each GET-able page of the URL map
with CSRF protection on, as an anonymous visitor, a user and an administrator."""
import uuid
from html.parser import HTMLParser

import pytest

from config import TestingConfig
from wizard import create_app
from wizard.extensions import db
from wizard.models import User
from tests.apps import session_login

SAMPLE_VALUES = {"IntegerConverter": 1, "BoundedIntegerConverter": 1, "UUIDConverter": uuid.UUID(int=1),
                 "FloatConverter": 1.0}
SKIP_ENDPOINTS = {"static", "bootstrap.static", "main.switch_locale"}


class FormScanner(HTMLParser):
    """Collects each <form method=post> with the names and values of its hidden csrf_token inputs."""

    def __init__(self):
        super().__init__()
        self.forms, self._current = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = {"method": (attrs.get("method") or "get").lower(), "action": attrs.get("action"),
                             "tokens": []}
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None and attrs.get("name") == "csrf_token":
            self._current["tokens"].append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def post_forms(html):
    scanner = FormScanner()
    scanner.feed(html)
    return [f for f in scanner.forms if f["method"] == "post"]


@pytest.fixture
def csrf_app(tmp_path, redis_server):
    app = create_app(TestingConfig, INSTANCE_PATH=str(tmp_path), REDIS_URL=redis_server.url, WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.drop_all()  # a shared server database may hold another app's tables
        db.create_all()
        for email, role in (("user@example.com", "user"), ("boss@example.com", "admin")):
            user = User(email=email, role=role)
            user.set_password("correct horse battery")
            db.session.add(user)
        db.session.commit()
        yield app
        db.session.remove()


def get_pages(app):
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in SKIP_ENDPOINTS:
            continue
        values = {name: SAMPLE_VALUES.get(type(conv).__name__, "x") for name, conv in rule._converters.items()}
        yield adapter.build(rule.endpoint, values)


def client_as(app, email):
    client = app.test_client()
    if email:
        user = db.session.scalar(db.select(User).where(User.email == email))
        with client.session_transaction() as session:
            session["_user_id"] = session_login(user)
            session["_fresh"] = True
    return client


@pytest.mark.parametrize("who", [None, "user@example.com", "boss@example.com"])
def test_every_post_form_carries_a_csrf_token(csrf_app, who):
    client = client_as(csrf_app, who)
    rendered, forms_seen = [], 0
    for url in get_pages(csrf_app):
        response = client.get(url)
        if response.status_code != 200 or not response.content_type.startswith("text/html"):
            continue
        rendered.append(url)
        for form in post_forms(response.get_data(as_text=True)):
            forms_seen += 1
            assert form["tokens"] and all(form["tokens"]), f"{url}: POST form to {form['action']} lacks a CSRF token"
    assert rendered, "no page rendered"
    assert forms_seen, "no POST form found: the walk proves nothing"


def test_scanner_notices_a_missing_token():
    forms = post_forms('<form method="POST" action="/x"><input name="a"></form><form><input name="b"></form>')
    assert forms == [{"method": "post", "action": "/x", "tokens": []}]
