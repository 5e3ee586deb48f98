"""Emulated service accounts with their keys, and Google Workspace domains with domain-wide delegation.

A service account belongs to a Cloud project (`name@project-id.iam.gserviceaccount.com`, a 21-digit unique
id that is also the OAuth2 client ID the Admin console asks for). Each key is an RSA 2048 key pair made on
the spot: the private half is handed out once, inside Google's JSON key file, and forgotten; the emulator
keeps only the public half (PEM) to check assertion signatures. A domain is a name (`example.com`) whose
users are the emulator's users with addresses in it, plus the Admin console's delegation table: client ID ->
the scopes granted to it (exact strings, as Google compares them).
"""
import re
import secrets
from datetime import datetime, timezone
from urllib.parse import quote

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from . import accounts

SA_DOMAIN = "iam.gserviceaccount.com"
# Google's rule for a service account ID: 6-30 characters, lowercase letters, digits and dashes, starting
# with a letter and not ending with a dash.
ACCOUNT_ID = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")
DOMAIN_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
SCOPE_SPLIT = re.compile(r"[\s,]+")


class WorkspaceError(ValueError):
    """Refused input: `message` is Google's wording (English, what the control API answers) with `%(name)s`
    placeholders, so the pages can look it up in the catalogue and fill in `params` after translating."""

    def __init__(self, message, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


# ---- service accounts ------------------------------------------------------------------------------------

def add_service_account(state, project_id, account_id, display_name=None, description=""):
    account_id = (account_id or "").strip().lower()
    if not ACCOUNT_ID.match(account_id):
        raise WorkspaceError("Service account ID must be between 6 and 30 characters, start with a lower case "
                             "letter and contain only lower case letters, digits and dashes.")
    if project_id not in state.projects:
        raise WorkspaceError("Unknown project %(project)s.", project=project_id)
    email = f"{account_id}@{project_id}.{SA_DOMAIN}"
    with state.lock:
        if email in state.service_accounts:
            raise WorkspaceError("Service account %(account)s already exists within project %(project)s.",
                                 account=account_id, project=f"projects/{project_id}")
        unique_id = new_unique_id(state)
        account = {"email": email, "unique_id": unique_id, "project_id": project_id,
                   "display_name": (display_name or account_id).strip(), "description": description or "",
                   "keys": {}}
        state.service_accounts[email] = account
        state.dirty = True
        return account


def new_unique_id(state):
    """21 digits starting with 1, like Google's unique ids; never the same twice in one world."""
    taken = {a["unique_id"] for a in state.service_accounts.values()}
    while True:
        candidate = str(10**20 + secrets.randbelow(10**20))
        if candidate not in taken:
            return candidate


def service_account_for_control(state, body):
    """Control API: a service account in the given project, or in a new project of its own with both APIs
    enabled unless `enabled_apis`/`disabled_apis` say otherwise."""
    project_id = body.get("project_id")
    if project_id and project_id not in state.projects:
        raise WorkspaceError("Unknown project %(project)s.", project=project_id)
    if not project_id:
        disabled = set(body.get("disabled_apis") or ())
        enabled = body.get("enabled_apis")
        enabled = [a for a in (enabled if enabled is not None else accounts.APIS) if a not in disabled]
        project = accounts.add_project(state, body.get("project_name") or "Workspace sync", enabled_apis=enabled,
                                       status="internal", app_name=body.get("project_name") or "Workspace sync")
        project_id = project["project_id"]
    return add_service_account(state, project_id, body.get("name") or body.get("account_id"),
                               body.get("display_name"))


def public_json(account):
    """What the console and the control API show: never a private key, only key ids."""
    return {"email": account["email"], "unique_id": account["unique_id"], "client_id": account["unique_id"],
            "project_id": account["project_id"], "display_name": account["display_name"],
            "keys": [{"key_id": k["key_id"], "created": k["created"]} for k in account["keys"].values()]}


def find_account(state, email_or_id):
    value = (email_or_id or "").strip().lower()
    account = state.service_accounts.get(value)
    if account is None:
        account = next((a for a in state.service_accounts.values() if a["unique_id"] == value), None)
    return account


def accounts_of(state, project_id):
    return sorted((a for a in state.service_accounts.values() if a["project_id"] == project_id),
                  key=lambda a: a["email"])


def create_key(state, account, base_url):
    """Make a key pair, keep its public half, return Google's JSON key file (the only copy of the private
    key: a lost file means a new key, as with Google)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_id = secrets.token_hex(20)
    public_pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    private_pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()).decode()
    with state.lock:
        account["keys"][key_id] = {"key_id": key_id, "public_pem": public_pem, "created": state.now(),
                                   "cert_pem": certificate(private, account, state.now())}
        state.dirty = True
    return key_file(account, key_id, private_pem, base_url)


def certificate(private, account, now):
    """The self-signed X.509 certificate Google publishes for a key (`client_x509_cert_url`): made while the
    private key is at hand, since only its public half is kept."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, account["unique_id"])])
    start = datetime.fromtimestamp(now, tz=timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(private.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start)
            # User-managed keys do not expire unless an organisation policy says so.
            .not_valid_after(datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc))
            .sign(private, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def key_file(account, key_id, private_pem, base_url):
    base = base_url.rstrip("/")
    return {"type": "service_account", "project_id": account["project_id"], "private_key_id": key_id,
            "private_key": private_pem, "client_email": account["email"], "client_id": account["unique_id"],
            "auth_uri": base + "/o/oauth2/auth", "token_uri": base + "/token",
            "auth_provider_x509_cert_url": base + "/oauth2/v1/certs",
            "client_x509_cert_url": base + "/robot/v1/metadata/x509/" + quote(account["email"]),
            "universe_domain": "googleapis.com"}


def delete_key(state, account, key_id):
    with state.lock:
        removed = account["keys"].pop(key_id, None)
        state.dirty = True
    return removed is not None


def delete_service_account(state, account):
    with state.lock:
        state.service_accounts.pop(account["email"], None)
        state.dirty = True


def public_key(account, key_id):
    record = account["keys"].get(key_id)
    if record is None:
        return None
    return serialization.load_pem_public_key(record["public_pem"].encode())


# ---- Workspace domains -------------------------------------------------------------------------------------

def add_domain(state, name):
    name = (name or "").strip().lower()
    if not DOMAIN_NAME.match(name):
        raise WorkspaceError("Enter a valid domain name.")
    with state.lock:
        domain = state.domains.setdefault(name, {"name": name, "delegations": {}})
        state.dirty = True
        return domain


def domain_of(state, email):
    """The Workspace domain an address belongs to, or None (a consumer account)."""
    host = (email or "").rsplit("@", 1)[-1].lower()
    return state.domains.get(host) if "@" in (email or "") else None


def add_domain_user(state, domain, email, name=None):
    email = (email or "").strip().lower()
    if "@" not in email:
        email = f"{email}@{domain['name']}"
    if email.rsplit("@", 1)[1] != domain["name"] or not re.match(r"^[a-z0-9._%+-]+@", email):
        raise WorkspaceError("The email address must be in the domain %(domain)s.", domain=domain["name"])
    return accounts.add_user(state, email, name)


def domain_users(state, domain):
    suffix = "@" + domain["name"]
    return sorted((u for u in state.users.values() if u["email"].endswith(suffix)), key=lambda u: u["email"])


def parse_scopes(text):
    """The Admin console's "OAuth scopes (comma-delimited)" field; spaces and new lines also separate."""
    if isinstance(text, (list, tuple)):
        text = ",".join(text)
    return list(dict.fromkeys(s for s in SCOPE_SPLIT.split(text or "") if s))


def set_delegation(state, domain, client_id, scopes):
    """Add or overwrite a client's grant, as the Admin console's "Add new" and "Edit" do."""
    client_id = (client_id or "").strip()
    scopes = parse_scopes(scopes)
    if not client_id.isdigit() or find_account(state, client_id) is None:
        # Google's form only takes the numeric client ID of an existing client; an e-mail here is the
        # documented mistake, a mistyped number the common one.
        raise WorkspaceError("Client ID is invalid. Enter the numeric client ID of the service account.")
    if not scopes:
        raise WorkspaceError("Enter at least one OAuth scope.")
    bad = [s for s in scopes if not s.startswith("https://")]
    if bad:
        raise WorkspaceError("Invalid scope: %(scope)s", scope=bad[0])
    with state.lock:
        entry = {"client_id": client_id, "scopes": scopes, "updated": state.now()}
        domain["delegations"][client_id] = entry
        state.dirty = True
        return entry


def delete_delegation(state, domain, client_id):
    with state.lock:
        removed = domain["delegations"].pop((client_id or "").strip(), None)
        state.dirty = True
    return removed is not None


def delegation_name(state, client_id):
    """The name the Admin console shows beside a client ID (the service account's display name)."""
    account = find_account(state, client_id)
    return account["display_name"] if account else ""
