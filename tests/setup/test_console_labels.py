"""The wizard's console checklist names the console's own labels, in the language the console shows them, and
gives the scopes one per line as the console's scopes field takes them.

LABELS is what the wizard assumes the (emulated) Google Cloud console shows; each must be on the emulator's
console pages in that language, and in the wizard's checklist."""
import re

import pytest
import requests

from wizard.google.scopes import REQUESTED

LABELS = {
    "en": ["Project name", "Create", "APIs & Services", "Enable", "OAuth consent screen", "App name",
           "User support email", "User type", "Internal", "External", "Publishing status", "In production",
           "Testing", "Test users", "Manually add scopes (one per line)", "Save", "Create OAuth client ID", "Application type",
           "Web application", "Authorized JavaScript origins", "Authorized redirect URIs", "Download JSON"],
    "ru": ["Название проекта", "Создать", "API и сервисы", "Включить", "Экран согласия OAuth",
           "Название приложения", "Адрес электронной почты службы поддержки", "Тип пользователей", "Внутренний",
           "Внешний", "Статус публикации", "В рабочей среде", "Тестирование", "Тестовые пользователи",
           "Добавить области вручную (по одной в строке)", "Сохранить", "Создать идентификатор клиента OAuth",
           "Тип приложения", "Веб-приложение", "Разрешенные источники JavaScript",
           "Разрешенные URI перенаправления", "Скачать JSON"],
}
QUOTES = {"en": r"“([^”]+)”", "ru": r"«([^»]+)»"}
OLD_MANUAL = {"Product name", "Contacts API"}  # quoted as the old manual names them, not console labels


def console_text(emulator, language):
    """The emulated console's pages (home, a project, a created client) as a Russian or English browser sees them."""
    http = requests.Session()
    http.headers["Accept-Language"] = language
    home = http.get(emulator.url + "/", timeout=10).text
    project = http.post(emulator.url + "/console/projects", data={"name": "Labels"}, timeout=10)
    base = project.url.split("#")[0].split("?")[0]  # the console confirms a save with ?saved=...
    consent_url = base + "/consent"
    http.post(consent_url, data={"app_name": "x", "support_email": "a@example.com", "user_type": "external",
                                 "status": "production", "scopes": "openid"}, timeout=10)
    created = http.post(base + "/clients", timeout=10, data={
        "application_type": "web", "name": "w", "javascript_origins": "https://crm.example.com",
        "redirect_uris": "https://crm.example.com/oauth/google/callback"}).text
    return re.sub(r"\s+", " ", home + project.text + created)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_checklist_names_the_consoles_labels_in_its_language(admin_client, emulator, language):
    admin_client.post("/admin/setup/address", data={"site_address": "https://crm.example.com"})
    admin_client.get(f"/locale/{language}")
    page = admin_client.get("/admin/setup/console").get_data(as_text=True)
    checklist = re.sub(r"\s+", " ", re.search(r'<ol[^>]*id="checklist".*?</ol>', page, re.S).group(0))
    console = console_text(emulator, language)
    quoted = set(re.findall(QUOTES[language], checklist)) - OLD_MANUAL
    assert quoted and quoted <= set(LABELS[language]), quoted - set(LABELS[language])
    missing_on_console = [label for label in LABELS[language] if label not in console]
    assert missing_on_console == []
    assert [label for label in quoted if label not in checklist] == []


def test_scopes_are_given_one_per_line(admin_client):
    admin_client.post("/admin/setup/address", data={"site_address": "https://crm.example.com"})
    page = admin_client.get("/admin/setup/console").get_data(as_text=True)
    lines = re.search(r'<textarea[^>]*id="console-scopes"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert lines.strip().split("\n") == list(REQUESTED)
