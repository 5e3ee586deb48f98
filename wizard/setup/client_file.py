"""The `client_secret_*.json` file Google lets you download: parse it, check it, compare it with what the
wizard computed."""
import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from wizard.messages import Message, define
from wizard.settings import registry

# Google's files are under 1 kB; anything far larger is not one (and is not read into memory whole).
MAX_FILE_BYTES = 64 * 1024

ERR_TOO_LARGE = define("client_file.too_large", _l(
    "The file is too large (%(size)s) to be a client_secret JSON from Google, which is under 1 kB. Choose "
    "the file downloaded from the Credentials page."))
ERR_NOT_JSON = define("client_file.not_json", _l(
    "The file is not JSON. Choose the client_secret_….json file downloaded from the Credentials page."))
ERR_NOT_GOOGLE = define("client_file.not_google", _l(
    "This JSON is not a client file from Google: it has no “web” section with client_id and client_secret."))
ERR_INSTALLED = define("client_file.installed", _l(
    "This file belongs to a “Desktop app” client. Create an OAuth client ID of type “Web application” "
    "instead (step 3)."))
ERR_SERVICE_ACCOUNT = define("client_file.service_account", _l(
    "This is a service account key, not an OAuth client. Create an OAuth client ID of type “Web "
    "application” (step 3)."))
ERR_EMPTY = define("client_file.empty", _l("The file is empty."))

DIFF_MISSING_REDIRECT = define("client_file.missing_redirect", _l(
    "The file's Authorized redirect URIs do not include %(expected)s."))
DIFF_NO_REDIRECTS = define("client_file.no_redirects", _l(
    "The file lists no Authorized redirect URIs at all."))
DIFF_CLOSEST = define("client_file.closest", _l(
    "The closest one, %(found)s, differs in: %(parts)s."))
DIFF_OTHER_FORM = define("client_file.other_form", _l(
    "The file registers the other callback form, %(found)s. Either choose that form in step 2, or add "
    "%(expected)s in the console."))
DIFF_MISSING_ORIGIN = define("client_file.missing_origin", _l(
    "The file's Authorized JavaScript origins do not include %(expected)s."))
PART_NAMES = {
    "scheme": _l("scheme"), "host": _l("host"), "port": _l("port"), "path": _l("path"),
    "trailing slash": _l("trailing slash"), "query": _l("query"), "host case": _l("upper/lower case of the host"),
}


class ClientFileError(ValueError):
    def __init__(self, message: Message):
        super().__init__(message.code)
        self.message = message


@dataclass(frozen=True)
class ClientFile:
    client_id: str
    client_secret: str = field(repr=False)
    redirect_uris: tuple = ()
    javascript_origins: tuple = ()
    project_id: str = ""


def human_size(size: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


def read_upload(stream) -> bytes:
    """At most MAX_FILE_BYTES + 1 bytes from an upload stream; larger files are refused."""
    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        stream.seek(0, 2)
        raise ClientFileError(Message(ERR_TOO_LARGE, {"size": human_size(stream.tell())}))
    return data


def parse(data: bytes) -> ClientFile:
    if not data.strip():
        raise ClientFileError(Message(ERR_EMPTY))
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise ClientFileError(Message(ERR_NOT_JSON)) from None
    if not isinstance(doc, dict):
        raise ClientFileError(Message(ERR_NOT_GOOGLE))
    if doc.get("type") == "service_account":
        raise ClientFileError(Message(ERR_SERVICE_ACCOUNT))
    if "installed" in doc and "web" not in doc:
        raise ClientFileError(Message(ERR_INSTALLED))
    web = doc.get("web")
    if not isinstance(web, dict) or not isinstance(web.get("client_id"), str) \
            or not isinstance(web.get("client_secret"), str):
        raise ClientFileError(Message(ERR_NOT_GOOGLE))
    client_id, secret = web["client_id"].strip(), web["client_secret"]
    for code, value in (("GoogleClientId", client_id), ("GoogleClientSecret", secret)):
        _, error = registry.parse(registry.definition(code), value)
        if error:
            raise ClientFileError(error)
    return ClientFile(client_id, secret, _strings(web.get("redirect_uris")), _strings(web.get("javascript_origins")),
                      str(web.get("project_id") or ""))


def _strings(value) -> tuple:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def differing_parts(expected: str, found: str) -> list[str]:
    a, b = urlsplit(expected), urlsplit(found)
    parts = []
    if a.scheme != b.scheme:
        parts.append("scheme")
    if (a.hostname or "") != (b.hostname or ""):
        parts.append("host")
    elif a.netloc.split("@")[-1].rsplit(":", 1)[0] != b.netloc.split("@")[-1].rsplit(":", 1)[0]:
        parts.append("host case")
    if _port(a) != _port(b):
        parts.append("port")
    if a.path != b.path:
        parts.append("trailing slash" if a.path.rstrip("/") == b.path.rstrip("/") else "path")
    if a.query != b.query:
        parts.append("query")
    return parts


def _port(parts):
    try:
        return parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        return None


def _closest(expected: str, candidates) -> tuple[str, list[str]]:
    scored = sorted(((len(differing_parts(expected, c)), c) for c in candidates), key=lambda t: t[0])
    found = scored[0][1]
    return found, differing_parts(expected, found)


def cross_check(file: ClientFile, origin: str, redirect_uri: str, other_redirect_uri: str | None = None) -> list:
    """Messages saying exactly how the file's registrations differ from the values of step 2 ([] if none)."""
    messages = []
    if redirect_uri not in file.redirect_uris:
        messages.append(Message(DIFF_MISSING_REDIRECT, {"expected": redirect_uri}))
        if not file.redirect_uris:
            messages.append(Message(DIFF_NO_REDIRECTS))
        elif other_redirect_uri and other_redirect_uri in file.redirect_uris:
            messages.append(Message(DIFF_OTHER_FORM, {"found": other_redirect_uri, "expected": redirect_uri}))
        else:
            found, parts = _closest(redirect_uri, file.redirect_uris)
            names = ", ".join(str(PART_NAMES[p]) for p in parts)
            messages.append(Message(DIFF_CLOSEST, {"found": found, "parts": names}))
    if file.javascript_origins and origin not in file.javascript_origins:
        messages.append(Message(DIFF_MISSING_ORIGIN, {"expected": origin}))
        found, parts = _closest(origin, file.javascript_origins)
        names = ", ".join(str(PART_NAMES[p]) for p in parts)
        messages.append(Message(DIFF_CLOSEST, {"found": found, "parts": names}))
    return messages
