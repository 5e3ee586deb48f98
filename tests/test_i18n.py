"""Russian and English: complete catalogues, the locale choice, the switch, plural forms."""
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from config import PROJECT_ROOT
from wizard.extensions import db
from wizard.i18n import TRANSLATIONS

CORE_PO = TRANSLATIONS / "ru" / "LC_MESSAGES" / "core.po"
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2),
            "lazy_ngettext": (1, 2)}
# The foundation's own sources; every string they mark must be in core.po.
CORE_SOURCES = ["wizard/auth", "wizard/main", "templates/_nav.html", "templates/base.html", "templates/auth",
                "templates/main", "templates/errors"]


def read_catalogue(path):
    with path.open("rb") as fh:
        return read_po(fh, locale="ru")


def marked_strings(paths):
    for rel in paths:
        root = PROJECT_ROOT / rel
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.suffix in (".py", ".html"))
        for path in files:
            method = "jinja2" if path.suffix == ".html" else "python"
            for _line, message, _comments, _ctx in extract_from_file(method, str(path), keywords=KEYWORDS):
                yield path, message


@pytest.mark.parametrize("po", sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.po")), ids=lambda p: p.name)
def test_every_message_is_translated(po):
    catalogue = read_catalogue(po)
    assert "nplurals=3" in catalogue.plural_forms
    for message in catalogue:
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(s.strip() for s in strings), f"{po.name}: no Russian for {message.id!r}"


def test_core_sources_are_all_in_the_catalogue():
    catalogue = read_catalogue(CORE_PO)
    marked = list(marked_strings(CORE_SOURCES))
    assert sum(1 for path, _ in marked if path.suffix == ".html") > 20  # the template extractor works
    missing = [(str(path.relative_to(PROJECT_ROOT)), msg) for path, msg in marked
               if catalogue.get(msg[0] if isinstance(msg, tuple) else msg) is None]
    assert missing == []


def test_browser_language_is_used_for_visitors(client):
    assert "Войти" in client.get("/login", headers={"Accept-Language": "ru-RU,ru;q=0.9"}).get_data(as_text=True)
    page = client.get("/login", headers={"Accept-Language": "en-US"}).get_data(as_text=True)
    assert "Войти" not in page and "Log in" in page


def test_switch_for_a_visitor_is_kept_in_the_session(client):
    response = client.post("/locale/ru", data={"next": "/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="ru">' in page and "Войти" in page


def test_switch_for_a_user_is_saved_on_the_profile(app, client, make_user, login):
    user = make_user()
    login(user)
    client.post("/locale/ru", data={"next": "/"})
    db.session.refresh(user)
    assert user.locale == "ru"
    other_device = app.test_client()
    other_device.post("/login", data={"email": user.email, "password": "correct horse battery"})
    assert "Контакты" in other_device.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_switch_refuses_unknown_language_and_foreign_next(client):
    assert client.post("/locale/xx").status_code == 404
    response = client.post("/locale/ru", data={"next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("count, expected", [
    (1, "1 пользователь может"), (3, "3 пользователя могут"), (5, "5 пользователей могут"),
    (21, "21 пользователь может"), (12, "12 пользователей могут"),
])
def test_russian_plural_forms_on_the_dashboard(client, make_user, login, count, expected):
    from wizard.models import User

    admin = make_user(email="boss@example.com", role="admin", locale="ru")
    # Same hash for everyone: hashing 20 passwords with scrypt would only slow the test down.
    db.session.add_all(User(email=f"u{i}@example.com", password_hash=admin.password_hash)
                       for i in range(count - 1))
    db.session.commit()
    login(admin)
    assert expected in client.get("/").get_data(as_text=True)


def test_error_pages_are_translated(client, make_user, login):
    page = client.get("/no-such-page", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Страница не найдена" in page


def test_unexpected_error_page_is_translated_and_api_errors_are_json(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom")
    def boom():
        raise RuntimeError("boom")

    client = app.test_client()
    response = client.get("/boom", headers={"Accept-Language": "ru"})
    assert response.status_code == 500 and "Что-то пошло не так" in response.get_data(as_text=True)
    # Paths under /api/ that no route matches (not even the API's catch-all) still answer the API's JSON shape.
    api = client.get("/api/v1/tags/%0A")
    assert api.status_code == 404 and api.get_json()["error"]["code"] == "not_found"


def test_forbidden_page_is_translated(app, client, make_user, login):
    from wizard.auth import admin_required

    @app.route("/probe/forbidden")
    @admin_required
    def forbidden_probe():
        return "never"

    login(make_user(locale="ru"))
    response = client.get("/probe/forbidden")
    assert response.status_code == 403 and "Доступ запрещен" in response.get_data(as_text=True)


def test_core_translations_agree_with_the_other_areas():
    """All catalogues merge into one: a msgid translated differently elsewhere would show one area's
    wording on another area's page (the first catalogue wins)."""
    core = {m.id: m.string for m in read_catalogue(CORE_PO) if m.id}
    clashes = []
    for po in sorted(TRANSLATIONS.glob("ru/LC_MESSAGES/*.po")):
        if po == CORE_PO:
            continue
        for message in read_catalogue(po):
            if message.id in core and message.string != core[message.id]:
                clashes.append((po.name, message.id, core[message.id], message.string))
    assert clashes == []
