"""The emulator's pages: the console walk of the documented procedure, and the data page whose edits
reach the product through the API like edits made in Google."""
import json
import re

import requests

G = "https://www.googleapis.com/auth/"


def test_console_walk(emulator):
    http = requests.Session()
    created = http.post(emulator.url + "/console/projects", data={"name": "CRM sync"}, timeout=5)
    assert created.status_code == 200 and "CRM sync" in created.text
    project_url = created.url.split("?")[0]
    pid = project_url.rsplit("/", 1)[1]
    # A client cannot be created before the consent screen is configured.
    early = http.post(project_url + "/clients", timeout=5, data={
        "redirect_uris": "https://crm.example.com/oauth/google/callback"})
    assert early.status_code == 400 and "configure your consent screen" in early.text
    saved = http.post(project_url + "/consent", timeout=5, data={
        "app_name": "CRM", "support_email": "admin@example.com", "user_type": "external", "status": "testing",
        "test_users": "ann@example.com"})
    assert saved.status_code == 200
    # Google's rules, through the product's checker: an intranet IP redirect URI is refused.
    refused = http.post(project_url + "/clients", timeout=5, data={
        "name": "Web", "javascript_origins": "https://crm.example.com",
        "redirect_uris": "http://192.168.1.45:5678/0/ViewPage.aspx"})
    assert refused.status_code == 400
    assert "Invalid Redirect: must end with a public top-level domain" in refused.text
    origin_refused = http.post(project_url + "/clients", timeout=5, data={
        "javascript_origins": "https://crm.example.com/", "redirect_uris": ""})
    assert origin_refused.status_code == 400 and "Invalid Origin" in origin_refused.text
    ok = http.post(project_url + "/clients", timeout=5, data={
        "name": "Web", "javascript_origins": "https://crm.example.com",
        "redirect_uris": "https://crm.example.com/oauth/google/callback"})
    assert ok.status_code == 200
    client_id = re.search(r'id="client-id">([^<]+)<', ok.text).group(1)
    secret = re.search(r'id="client-secret">([^<]+)<', ok.text).group(1)
    download = http.get(emulator.url + re.search(r'href="(/console/download/[^"]+)"', ok.text).group(1), timeout=5)
    assert f'client_secret_{client_id}.json' in download.headers["Content-Disposition"]
    web = json.loads(download.text)["web"]
    assert web["client_secret"] == secret and web["redirect_uris"] == ["https://crm.example.com/oauth/google/callback"]
    assert web["token_uri"] == emulator.url + "/token"
    # APIs start disabled: a call gets SERVICE_DISABLED until "Enable" is pressed.
    emulator.add_user("ann@example.com")
    token = emulator.control("POST", "/tokens", json={"email": "ann@example.com", "scopes": [G + "contacts"],
                                                      "client_id": client_id})["access_token"]
    def call():
        return http.get(emulator.url + "/v1/people/me/connections", params={"personFields": "names"},
                        headers={"Authorization": f"Bearer {token}"}, timeout=5)
    disabled = call()
    assert disabled.status_code == 403
    assert disabled.json()["error"]["details"][-1]["reason"] == "SERVICE_DISABLED"
    http.post(project_url + "/apis/people", data={"action": "enable"}, timeout=5)
    assert call().status_code == 200
    clients = emulator.control("GET", "/clients")["clients"]
    assert clients[0]["project_id"] == pid and clients[0]["status"] == "testing"


def test_data_page_edit_reaches_sync(emulator):
    email = "demo@example.com"
    emulator.add_user(email, "Demo")
    token = emulator.token(email, [G + "contacts"])
    auth = {"Authorization": f"Bearer {token}"}
    person = requests.post(emulator.url + "/v1/people:createContact", headers=auth, timeout=5,
                           json={"names": [{"givenName": "Old"}]}).json()
    sync = requests.get(emulator.url + "/v1/people/me/connections", headers=auth, timeout=5, params={
        "personFields": "names", "requestSyncToken": "true"}).json()["nextSyncToken"]
    page = requests.get(emulator.url + f"/_emulator/ui/{email}", timeout=5)
    assert page.status_code == 200 and 'value="Old"' in page.text
    cid = person["resourceName"].split("/")[1]
    edited = requests.post(emulator.url + f"/_emulator/ui/{email}/contacts/{cid}/edit", timeout=5,
                           data={"given": "Edited in Google", "family": ""})
    assert edited.status_code == 200
    delta = requests.get(emulator.url + "/v1/people/me/connections", headers=auth, timeout=5, params={
        "personFields": "names", "syncToken": sync}).json()
    assert delta["connections"][0]["names"][0]["givenName"] == "Edited in Google"
    assert delta["connections"][0]["etag"] != person["etag"]


def test_pages_speak_russian_when_asked(emulator):
    emulator.add_client("ru.apps.googleusercontent.com", "s", ["https://crm.example.com/cb"])
    params = {"client_id": "ru.apps.googleusercontent.com", "redirect_uri": "https://crm.example.com/cb",
              "response_type": "code", "scope": G + "contacts"}
    english = requests.get(emulator.url + "/o/oauth2/v2/auth", params=params, timeout=5)
    assert "Continue" in english.text and "Продолжить" not in english.text
    russian = requests.get(emulator.url + "/o/oauth2/v2/auth", params=params, timeout=5,
                           headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    assert "Продолжить" in russian.text and "Выберите, к чему приложение Emulated app получит доступ" in russian.text
    mismatch = requests.get(emulator.url + "/o/oauth2/v2/auth", timeout=5, params={**params, "hl": "ru",
                                                                                    "redirect_uri": "https://x.example.com/"})
    assert mismatch.status_code == 400 and "Ошибка 400: redirect_uri_mismatch" in mismatch.text


def test_google_console_paths_lead_to_the_selected_project(emulator):
    http = requests.Session()
    first = http.get(emulator.url + "/apis/library/people.googleapis.com", allow_redirects=False, timeout=5)
    assert first.status_code == 302 and first.headers["Location"].endswith("/projectcreate")
    assert "Project name" in http.get(emulator.url + "/projectcreate", timeout=5).text
    project_url = http.post(emulator.url + "/console/projects", data={"name": "Demo"}, timeout=5).url.split("?")[0]
    for path, section in (("/apis/library/calendar-json.googleapis.com", "#apis"),
                          ("/apis/credentials/consent", "#consent"), ("/auth/scopes", "#consent"),
                          ("/apis/credentials/oauthclient", "#create-client")):
        answer = http.get(emulator.url + path, allow_redirects=False, timeout=5)
        assert answer.headers["Location"] == project_url[len(emulator.url):] + section, path


def test_data_page_shows_event_times_with_their_offset_and_zone(emulator):
    email = "zone@example.com"
    emulator.add_user(email, "Zone")
    auth = {"Authorization": f"Bearer {emulator.token(email, [G + 'calendar.events'])}"}
    events = emulator.url + "/calendar/v3/calendars/primary/events"
    created = requests.post(events, headers=auth, timeout=5, json={
        "summary": "Moscow call", "start": {"dateTime": "2026-03-02T10:00:00+03:00", "timeZone": "Europe/Moscow"},
        "end": {"dateTime": "2026-03-02T11:00:00+03:00", "timeZone": "Europe/Moscow"}}).json()
    page = requests.get(emulator.url + f"/_emulator/ui/{email}", timeout=5, params={"hl": "en"}).text
    assert 'value="2026-03-02T10:00+03:00"' in page and "Europe/Moscow" in page
    assert "(UTC)" not in page and 'name="time_zone"' in page
    # Saving the row unchanged keeps the instant (it was re-read as UTC before).
    requests.post(emulator.url + f"/_emulator/ui/{email}/events/{created['id']}/edit", timeout=5, data={
        "summary": "Moscow call", "start": "2026-03-02T10:00+03:00", "end": "2026-03-02T11:00+03:00",
        "time_zone": "Europe/Moscow"})
    kept = requests.get(f"{events}/{created['id']}", headers=auth, timeout=5).json()
    assert kept["start"]["dateTime"] == "2026-03-02T10:00:00+03:00"
    # The add form's zone is explicit: 09:30 in Yekaterinburg is 04:30 UTC.
    requests.post(emulator.url + f"/_emulator/ui/{email}/events", timeout=5, data={
        "summary": "Urals", "start": "2026-03-03T09:30", "end": "2026-03-03T10:00", "time_zone": "Asia/Yekaterinburg"})
    added = [e for e in requests.get(events, headers=auth, timeout=5).json()["items"] if e["summary"] == "Urals"][0]
    assert added["start"] == {"dateTime": "2026-03-03T09:30:00+05:00", "timeZone": "Asia/Yekaterinburg"}


def test_console_confirms_each_save_and_takes_scopes_one_per_line(emulator):
    http = requests.Session()
    created = http.post(emulator.url + "/console/projects", data={"name": "CRM sync"}, params={"hl": "ru"},
                        timeout=5)
    assert "Проект «CRM sync» создан." in created.text
    project_url = created.url.split("?")[0]
    enabled = http.post(project_url + "/apis/people", data={"action": "enable"}, params={"hl": "ru"}, timeout=5)
    assert "Google People API включен." in enabled.text
    scopes = [G + "contacts", G + "calendar.events", G + "calendar.calendarlist.readonly", "openid", "email"]
    saved = http.post(project_url + "/consent", params={"hl": "en"}, timeout=5, data={
        "app_name": "CRM", "support_email": "admin@example.com", "scopes": "\n".join(scopes[:3]) + "\nopenid, email"})
    assert "OAuth consent screen saved." in saved.text
    project = emulator.state.projects[project_url.rsplit("/", 1)[1]]
    assert project["consent"]["scopes"] == scopes
    for label in ("Add or remove scopes", "Create credentials", "OAuth client ID", "Create"):
        assert f">{label}<" in saved.text or f"+ {label}<" in saved.text, label
    russian = http.get(project_url, params={"hl": "ru"}, timeout=5).text
    for label in ("Добавить или удалить области", "Создать учетные данные", "Идентификатор клиента OAuth",
                  "Создать", "Экран согласия OAuth", "Учетные данные", "Доступ к данным"):
        assert label in russian, label
    assert "сохранен" not in russian  # a confirmation belongs to the save that made it
