"""The wizard's steps and the Google Cloud console checklist, as data (templates render them in order)."""
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from wizard.google.scopes import REQUESTED


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


# The console's own labels, as it shows them in the admin's language (the emulated console: wizard/emulator;
# Google's in Russian uses the same words), in quotes; scopes go one per line, as the scopes field takes them.
CHECKLIST = (
    ChecklistItem("project", _l("Create the project"),
                  _l("Sign in with your Google account, enter the “Project name” and click “Create”."),
                  "projectcreate"),
    ChecklistItem("calendar_api", _l("Enable Google Calendar API"),
                  _l("With the new project open, under “APIs & Services” click “Enable” next to Google Calendar "
                     "API."),
                  "apis/library/calendar-json.googleapis.com"),
    ChecklistItem("people_api", _l("Enable Google People API"),
                  _l("Click “Enable” next to Google People API. The “Contacts API” named in the old manual was "
                     "shut down in 2022; Google People API replaces it."),
                  "apis/library/people.googleapis.com"),
    ChecklistItem("consent", _l("Configure the OAuth consent screen"),
                  _l("Under “OAuth consent screen” fill in “App name” (the old manual's “Product name”) and "
                     "“User support email”. “User type”: “Internal” if every user has an account in your Google "
                     "Workspace organization (no verification, no token expiry), otherwise “External”. "
                     "“Publishing status”: “In production”."),
                  "apis/credentials/consent",
                  _l("An “External” app left in “Testing” status gets refresh tokens that expire after 7 days: "
                     "every user's sync stops a week after connecting. Use “Test users” only while trying it out, "
                     "then set “Publishing status” to “In production”.")),
    ChecklistItem("scopes", _l("Add the scopes"),
                  _l("In the same form, paste the lines below into “Manually add scopes (one per line)” and click “Save”."),
                  "auth/scopes"),
    ChecklistItem("client", _l("Create the OAuth client ID"),
                  _l("Under “Create OAuth client ID” choose the “Application type” “Web application”, paste the "
                     "two values below into “Authorized JavaScript origins” and “Authorized redirect URIs”, click "
                     "“Create”, then “Download JSON”."),
                  "apis/credentials/oauthclient"),
)


def scope_lines() -> str:
    """The scopes to paste, one per line (the console's scopes field takes one per line)."""
    return "\n".join(REQUESTED)


def console_link(item: ChecklistItem) -> str:
    base = current_app.config.get("GOOGLE_CONSOLE_URL") or "https://console.cloud.google.com/"
    return base.rstrip("/") + "/" + item.path
