"""Every page of both roles, rendered in Russian, shows no English words and, rendered in English, no Russian ones,
besides proper names and the labels Google itself shows in English.

What a person sees is read from the HTML: text outside <script>, <style>, <code>, <pre> and outside elements
marked with another language (lang="en" on a quotation of Google's own message, lang="ru" on "Русский" in the
language menu), plus the placeholder, title, aria-label and alt attributes and the labels of buttons. Data the
test itself puts in (names, e-mails, addresses) is Cyrillic in the Russian walk and Latin in the English one,
or is a URL or an e-mail, which is no language."""
import re
import zoneinfo
from html.parser import HTMLParser

import pytest

from tests.accounts.helpers import add_account
from wizard.auth import first_admin
from wizard.crm import services as crm
from wizard.extensions import db
from wizard.settings import registry
from wizard.setup.steps import KEYS

# Proper names, product names and terms that stay Latin in Russian text.
PROPER = {"Google", "Gmail", "Calendar", "Contacts", "People", "API", "APIs", "Workspace", "Cloud", "OAuth",
          "JSON", "JavaScript", "IAM", "URI", "URIs", "URL", "CSV", "vCard", "Redis", "RQ", "ID", "SQLite", "PostgreSQL",
          "Prometheus", "Bearer", "Fernet", "https", "http", "localhost", "IP", "DNS", "IANA", "UTC", "E.164",
          "Alembic", "Flask", "Sync", "Wizard", "Ctrl", "OK", "TLS", "SMTP", "HTTP", "HTTPS", "ISO", "UUID",
          "E-mail", "e-mail", "email", "openid", "profile", "CRM", "Authorization", "json", "vcf",
          # a language's own name in the language list ("Русский" is marked lang="ru"; the profile's select is not)
          "English"}
# Labels Google shows in English (the client_secret file's keys, the seed's own “Client ID”/“Client Secret”
# and “Product name”, which the procedure names in English), and words of an e-mail/URL shape.
GOOGLE_ENGLISH = {"Client", "Secret", "secret", "Product", "name", "client_secret", "client_id", "redirect_uris",
                  "javascript_origins", "web", "installed", "invalid_grant", "redirect_uri_mismatch",
                  "access_denied", "invalid_client", "Testing", "Internal", "External", "In", "production"}
ZONES = zoneinfo.available_timezones()
SKIPPED_TAGS = {"script", "style", "code", "pre", "kbd", "samp", "textarea"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
URLISH = re.compile(r"\S+@\S+|\w+://\S+|/[\w/.\-?=&%#]+|\b[\w-]+(\.[\w-]+)+\b")
COMMAND = re.compile(r"\bsyncwizard [a-z-]+")  # a command to type is no language
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9_’'-]*")
CYRILLIC = re.compile(r"[А-Яа-яЁё]+")


class VisibleText(HTMLParser):
    def __init__(self, language):
        super().__init__(convert_charrefs=True)
        self.language, self.stack, self.parts = language, [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in VOID:
            self.stack.append(tag in SKIPPED_TAGS or attrs.get("lang", self.language) != self.language
                              or "hidden" in attrs or self._identifier_option(tag, attrs))
        if self.skipping or attrs.get("type") == "hidden":
            return
        for name in ("placeholder", "title", "aria-label", "alt"):
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def _identifier_option(self, tag, attrs):
        """<option value="Europe/Moscow">Europe/Moscow</option>: an IANA zone name is an identifier, no language."""
        return tag == "option" and attrs.get("value") in ZONES

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)

    @property
    def skipping(self):
        return any(self.stack)


def foreign_words(html, language):
    parser = VisibleText(language)
    parser.feed(html)
    text = COMMAND.sub(" ", URLISH.sub(" ", " ".join(parser.parts)))
    if language == "ru":  # "OAuth-клиент", "client_secret_….json": the Latin part alone
        words = {w.strip("-_’'") for w in LATIN.findall(text)}
        return sorted(w for w in words if w and w not in PROPER | GOOGLE_ENGLISH)
    return sorted(set(CYRILLIC.findall(text)) - {"Русский"})  # the language's own name in the profile's list


DATA = {"ru": {"first": "Иван", "last": "Петров", "tag": "Личные контакты", "title": "Звонок Ивану"},
        "en": {"first": "Ivan", "last": "Petrov", "tag": "Personal contacts", "title": "Call Ivan"}}


def user_pages(user, language):
    words = DATA[language]
    tag = crm.get_or_create_tag(user.id, words["tag"])
    contact = crm.create_contact(user.id, {"first_name": words["first"], "last_name": words["last"]})
    crm.tag_contacts(user.id, tag.id, [contact.id])
    activity = crm.create_activity(user.id, {"title": words["title"], "start_at": "2026-12-10T10:00",
                                             "timezone": "Europe/Moscow"})
    account = add_account(user, "olga@gmail.com")
    return ["/", "/contacts", f"/contacts/{contact.id}", f"/contacts/{contact.id}/edit", "/contacts/new",
            "/contacts/import", "/tags", "/activities", "/activities/week", "/activities/new",
            f"/activities/{activity.id}/edit", "/sync", "/sync/add", f"/sync/accounts/{account.id}/settings",
            f"/sync/accounts/{account.id}/health", "/profile", "/profile/api-tokens"]


def admin_pages():
    from wizard.settings.values import set_setting

    set_setting("SiteAddress", "https://crm.example.com")  # the later wizard steps need it
    return (["/admin/settings", "/admin/jobs"] + [f"/admin/settings/{d.code}" for d in registry.SETTINGS]
            + [f"/admin/setup/{key}" for key in KEYS]
            + ["/admin/setup/mode", "/admin/setup/domain", "/admin/domain/users"])


def visit(client, paths, language):
    found = {}
    for path in paths:  # every page answers, and is read whole
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        words = foreign_words(response.get_data(as_text=True), language)
        if words:
            found[path] = words
    return found


@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_page_of_both_roles_is_in_one_language(client, make_user, login, language):
    client.get(f"/locale/{language}")
    found = visit(client, ["/login", f"/setup/first-admin/{first_admin.issue_token()}"], language)
    user, admin = make_user("olga@example.com", name=DATA[language]["first"]), make_user(
        "boss@example.com", role="admin", name=DATA[language]["last"])
    login(user)
    client.get(f"/locale/{language}")
    found.update(visit(client, user_pages(user, language), language))
    client.post("/logout")
    login(admin)
    client.get(f"/locale/{language}")
    found.update(visit(client, admin_pages(), language))
    db.session.rollback()
    assert found == {}, "\n".join(f"{path}: {words}" for path, words in found.items())
