"""The wizard's steps and the Google Cloud console checklist, as data (templates render them in order)."""
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Step:
    key: str
    title: object


STEPS = (
    Step("address", _l("Site address")),
    Step("values", _l("Values to register")),
    Step("console", _l("Google Cloud console")),
    Step("credentials", _l("Credentials")),
    Step("verify", _l("Verify")),
    Step("summary", _l("Summary")),
)
KEYS = tuple(s.key for s in STEPS)


def index(key: str) -> int:
    return KEYS.index(key)


def neighbours(key: str):
    i = index(key)
    return (KEYS[i - 1] if i > 0 else None), (KEYS[i + 1] if i + 1 < len(KEYS) else None)


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    title: object
    what_to_click: object
    path: str  # on the console's host
    warning: object = None


CHECKLIST = (
    ChecklistItem("project", _l("Create the project"),
                  _l("Sign in with your Google account, enter a project name and click “Create”."),
                  "projectcreate"),
    ChecklistItem("calendar_api", _l("Enable Google Calendar API"),
                  _l("With the new project selected, click “Enable”."),
                  "apis/library/calendar-json.googleapis.com"),
    ChecklistItem("people_api", _l("Enable Google People API"),
                  _l("Click “Enable”. The “Contacts API” named in the old manual was shut down in 2022; "
                     "Google People API replaces it."),
                  "apis/library/people.googleapis.com"),
    ChecklistItem("consent", _l("Configure the OAuth consent screen"),
                  _l("Enter the app name (the old manual's “Product name”) and a support e-mail. Choose the user "
                     "type: “Internal” if every user has an account in your Google Workspace organization (no "
                     "verification, no token expiry), otherwise “External”."),
                  "apis/credentials/consent",
                  _l("An External app left in “Testing” status gets refresh tokens that expire after 7 days: "
                     "every user's sync stops a week after connecting. Add your users under “Test users” only "
                     "while trying it out, then click “Publish app” (Audience → Publishing status → In "
                     "production).")),
    ChecklistItem("scopes", _l("Add the scopes"),
                  _l("Under Data access click “Add or remove scopes” and add: "
                     "https://www.googleapis.com/auth/contacts, https://www.googleapis.com/auth/calendar.events, "
                     "https://www.googleapis.com/auth/calendar.calendarlist.readonly, openid, email, profile."),
                  "auth/scopes"),
    ChecklistItem("client", _l("Create the OAuth client ID"),
                  _l("Click “Create credentials” → “OAuth client ID”, choose application type “Web application”, "
                     "paste the origin of step 2 under “Authorized JavaScript origins” and the redirect URI under "
                     "“Authorized redirect URIs”, click “Create”, then “Download JSON”."),
                  "apis/credentials/oauthclient"),
)


def console_link(item: ChecklistItem) -> str:
    base = current_app.config.get("GOOGLE_CONSOLE_URL") or "https://console.cloud.google.com/"
    return base.rstrip("/") + "/" + item.path
