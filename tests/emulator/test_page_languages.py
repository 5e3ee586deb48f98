"""Every emulator page in Russian and English (issue #12): rendered in Russian, a page shows no English words
but proper names and Google's own product terms; rendered in English, no Cyrillic. The pages are walked with
data on them (a project with a client, a user with a contact and an event), so every section is rendered."""
import re
from html.parser import HTMLParser

import pytest
import requests

G = "https://www.googleapis.com/auth/"
USER = "ann@example.com"
# Names that stay in Latin letters in Google's Russian pages too.
PROPER = {"Google", "OAuth", "API", "APIs", "JSON", "JavaScript", "URI", "URL", "People", "Calendar", "Cloud",
          "Console", "ID", "UTC", "Gmail", "clientData", "Workspace", "P"}
SKIPPED_TAGS = {"style", "script", "code", "option"}  # code: identifiers; option: IANA zone names
VOID = {"input", "meta", "br", "img", "hr", "link"}


class VisibleText(HTMLParser):
    """The text a person reads: text nodes, labels for assistive technology, placeholders and button values.
    An element marked `lang="en"` is English on purpose (Google's refusal messages, which the product's setup
    instructions quote verbatim) and is left out."""

    def __init__(self):
        super().__init__()
        self.parts, self.skipping, self.stack = [], 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skip = tag in SKIPPED_TAGS or (attrs.get("lang") == "en" and tag != "html")
        self.stack.append(skip)
        if skip:
            self.skipping += 1
        for name in ("aria-label", "placeholder", "title"):
            if attrs.get(name):
                self.parts.append(attrs[name])

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if self.stack and self.stack.pop():
            self.skipping -= 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def visible(html):
    parser = VisibleText()
    parser.feed(html)
    text = " ".join(parser.parts)
    # Data the pages show back (addresses, URLs, scopes, ids, the names typed in) is not interface text.
    return re.sub(r"\S+@\S+|https?://\S+|(?<!\w)/\S+|\b\w*_\w*\b|\b[\w.-]*\d[\w.-]*\b", " ", text)


def english_words(text, data_words):
    words = re.findall(r"[A-Za-z][A-Za-z'’]*", text)
    return sorted({w for w in words if w not in PROPER and w not in data_words})


@pytest.fixture
def pages(emulator):
    """(name, path, method, form) of every page, with data behind each."""
    http = requests.Session()
    project_url = http.post(emulator.url + "/console/projects", data={"name": "Sync"}, timeout=5).url.split("?")[0]
    pid = project_url.rsplit("/", 1)[1]
    http.post(project_url + "/consent", data={"app_name": "Sync", "support_email": "admin@example.com",
                                              "scopes": G + "contacts"}, timeout=5)
    http.post(project_url + "/clients", data={"redirect_uris": "https://crm.example.com/cb",
                                              "javascript_origins": "https://crm.example.com"}, timeout=5)
    client_id = emulator.control("GET", "/clients")["clients"][0]["client_id"]
    emulator.add_user(USER, "Ann")
    token = emulator.token(USER, [G + "contacts", G + "calendar.events"])
    auth = {"Authorization": f"Bearer {token}"}
    requests.post(emulator.url + "/v1/people:createContact", headers=auth, timeout=5,
                  json={"names": [{"givenName": "Bob", "familyName": "Stone"}]})
    requests.post(emulator.url + "/calendar/v3/calendars/primary/events", headers=auth, timeout=5, json={
        "summary": "Call", "start": {"dateTime": "2026-03-02T10:00:00+03:00", "timeZone": "Europe/Moscow"},
        "end": {"dateTime": "2026-03-02T11:00:00+03:00", "timeZone": "Europe/Moscow"}})
    account_url = http.post(project_url + "/serviceaccounts", data={"display_name": "Sync",
                                                                  "account_id": "sync-robot"}, timeout=5).url
    account_path = account_url.split("?")[0][len(emulator.url):]
    http.post(emulator.url + account_path + "/keys", data={"key_type": "json"}, timeout=5)
    http.post(emulator.url + "/ac/domains", data={"name": "example.com"}, timeout=5)
    http.post(emulator.url + "/ac/users", data={"domain": "example.com", "first_name": "Bob", "last_name": "Stone",
                                                "username": "bob"}, timeout=5)
    unique_id = emulator.control("GET", "/service-accounts")["service_accounts"][0]["unique_id"]
    http.post(emulator.url + "/ac/owl/domainwidedelegation", timeout=5,
              data={"domain": "example.com", "client_id": unique_id, "scopes": G + "contacts"})
    consent = {"client_id": client_id, "redirect_uri": "https://crm.example.com/cb", "response_type": "code",
               "scope": f"openid email {G}contacts {G}calendar.events {G}calendar.calendarlist.readonly"}
    return [
        ("console home", "/", "GET", None),
        ("project", f"/console/projects/{pid}?saved=consent", "GET", None),
        ("project, a refused client", f"/console/projects/{pid}/clients", "POST",
         {"redirect_uris": "http://10.0.0.5:8080/cb"}),
        ("client created", f"/console/projects/{pid}/clients", "POST", {"redirect_uris": "https://crm.example.com/cb"}),
        ("consent", "/o/oauth2/v2/auth", "GET", consent),
        ("oauth error", "/o/oauth2/v2/auth", "GET", {**consent, "redirect_uri": "https://other.example.com/"}),
        ("not found", "/no/such/page", "GET", None),
        ("data index", "/_emulator/ui", "GET", None),
        ("data of a user", f"/_emulator/ui/{USER}", "GET", None),
        ("service account", account_path + "?saved=created", "GET", None),
        ("project, a refused service account", f"/console/projects/{pid}/serviceaccounts", "POST",
         {"display_name": "Sync", "account_id": "sync-robot"}),
        ("service account, a refused key type", account_path + "/keys", "POST", {"key_type": "p12"}),
        ("admin users", "/ac/users?saved=user", "GET", None),
        ("admin users, a refused user", "/ac/users", "POST", {"domain": "example.com", "first_name": "Bob",
                                                               "last_name": "Stone", "username": "bob@other.org"}),
        ("admin users, a refused domain", "/ac/domains", "POST", {"name": "not a domain"}),
        ("delegation", "/ac/owl/domainwidedelegation?saved=authorized", "GET", None),
        ("delegation, a refused client", "/ac/owl/domainwidedelegation", "POST",
         {"domain": "example.com", "client_id": "sync@x.iam.gserviceaccount.com", "scopes": G + "contacts"}),
        ("delegation, an existing client", "/ac/owl/domainwidedelegation", "POST",
         {"domain": "example.com", "client_id": unique_id, "scopes": G + "contacts"}),
        ("delegation, a refused edit", f"/ac/owl/domainwidedelegation/{unique_id}/edit", "POST",
         {"domain": "example.com", "scopes": ""}),
    ]


DATA_WORDS = {"Sync", "Ann", "Bob", "Stone", "Call", "Web", "client", "openid", "Europe", "Moscow"}


def fetch(emulator, path, method, form, language):
    params = {"hl": language}
    if method == "GET":
        return requests.get(emulator.url + path, params={**params, **(form or {})}, timeout=5)
    return requests.post(emulator.url + path, params=params, data=form, timeout=5)


def test_every_page_in_russian_shows_no_english_interface_text(emulator, pages):
    found = {}
    for name, path, method, form in pages:
        answer = fetch(emulator, path, method, form, "ru")
        assert 'lang="ru"' in answer.text, name
        words = english_words(visible(answer.text), DATA_WORDS)
        if words:
            found[name] = words
    assert found == {}


def test_every_page_in_english_shows_no_russian(emulator, pages):
    for name, path, method, form in pages:
        answer = fetch(emulator, path, method, form, "en")
        text = visible(answer.text)
        assert not re.search(r"[А-Яа-яЁё]", text), (name, re.findall(r"[А-Яа-яЁё][^<]{0,40}", text)[:3])
