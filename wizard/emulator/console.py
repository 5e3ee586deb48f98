"""A console page in the spirit of Google Cloud's, so the documented setup procedure can be walked offline:
create a project, enable the People and Calendar APIs, fill the OAuth consent screen, create a Web
application client (origins and redirect URIs checked with the product's own rule checker, refused with
Google's messages) and see or download its ID, secret and `client_secret_*.json`. The project page also
lists its service accounts; their own pages live in console_iam.py."""
import json
import re
import secrets

from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from wizard.google import rules as google_rules  # Google's published rules, shared with the product

from . import accounts, workspace
from .i18n import gettext as _
from .routing import route

API_TITLES = {"people": "Google People API", "calendar": "Google Calendar API"}


def page(method, path):
    return route(method, path, "page")


def lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def scope_list(text):
    """The console's "manually add scopes" field: one scope per line (commas and spaces also separate, as
    the real field accepts a pasted list)."""
    return [scope for scope in re.split(r"[\s,]+", text or "") if scope]


# What each save confirms, shown at the top of the project page after the redirect (the real console shows a
# notification after every save; without one, the setup instructions cannot say "you should now see ...").
CONFIRMATIONS = {
    "project": lambda project: _("Project “%(name)s” created.", name=project["name"]),
    "api-people": lambda project: _("Google People API enabled."),
    "api-calendar": lambda project: _("Google Calendar API enabled."),
    "api-people-off": lambda project: _("Google People API disabled."),
    "api-calendar-off": lambda project: _("Google Calendar API disabled."),
    "consent": lambda project: _("OAuth consent screen saved."),
    "client": lambda project: _("OAuth client saved."),
    "account-deleted": lambda project: _("Service account deleted."),
}


def saved(call, project, what, section):
    """Back to the project page after a save, with its confirmation (and the page's language, if chosen)."""
    language = f"&hl={call.arg('hl')}" if call.arg("hl") in ("en", "ru") else ""
    return redirect(f"/console/projects/{project['project_id']}?saved={what}{language}#{section}", code=303)


def rule_problems(origins, redirect_uris):
    """Google's refusal messages for the values, from the product's checker (wizard.google.rules)."""
    messages = []
    for origin in origins:
        messages += [f"{p.google_message} ({origin})" for p in google_rules.check_origin(origin)]
    for uri in redirect_uris:
        messages += [f"{p.google_message} ({uri})" for p in google_rules.check_redirect_uri(uri)]
    return messages


def project_of(call):
    return call.state.projects.get(call.params["pid"])


def show(call, project, status=200, **extra):
    clients = [c for c in call.state.clients.values() if c["project_id"] == project["project_id"]]
    confirmation = CONFIRMATIONS.get(call.arg("saved") or "")
    return call.app.render("console_project.html", status=status, project=project, clients=clients,
                           titles=API_TITLES, consent=project["consent"],
                           service_accounts=workspace.accounts_of(call.state, project["project_id"]),
                           confirmation=confirmation(project) if confirmation and status == 200 else None,
                           **extra)


@page("GET", "/")
def home(call):
    projects = sorted(call.state.projects.values(), key=lambda p: p["name"])
    return call.app.render("console_home.html", projects=projects)


@page("POST", "/console/projects")
def create_project(call):
    name = (call.request.form.get("name") or "").strip()
    if not name:
        projects = sorted(call.state.projects.values(), key=lambda p: p["name"])
        return call.app.render("console_home.html", status=400, projects=projects,
                               error=_("Project name is required."))
    project = accounts.add_project(call.state, name, status="testing")
    call.state.console["current_project"] = project["project_id"]
    return saved(call, project, "project", "apis")


@page("GET", "/console/projects/{pid}")
def project_page(call):
    project = project_of(call)
    if project is None:
        return call.app.render("not_found.html", status=404, path=call.request.path)
    call.state.console["current_project"] = project["project_id"]
    return show(call, project)


# Google's own console paths (the setup wizard links to them), sent to the selected project's section.
GOOGLE_PATHS = {
    "/apis/library/calendar-json.googleapis.com": "apis",
    "/apis/library/people.googleapis.com": "apis",
    "/apis/library": "apis",
    "/apis/dashboard": "apis",
    "/apis/credentials/consent": "consent",
    "/auth/overview": "consent",
    "/auth/branding": "consent",
    "/auth/audience": "consent",
    "/auth/scopes": "consent",
    "/apis/credentials": "credentials",
    "/auth/clients": "credentials",
    "/apis/credentials/oauthclient": "create-client",
    "/auth/clients/create": "create-client",
    "/iam-admin/serviceaccounts": "service-accounts",
    "/iam-admin/serviceaccounts/create": "create-service-account",
}


@page("GET", "/projectcreate")
def project_create_page(call):
    return home(call)


def to_section(call):
    project_id = call.arg("project") or call.state.console.get("current_project")
    if project_id not in call.state.projects:
        return redirect("/projectcreate", code=302)
    section = GOOGLE_PATHS[call.request.path]
    return redirect(f"/console/projects/{project_id}#{section}", code=302)


for _path in GOOGLE_PATHS:
    page("GET", _path)(to_section)


@page("POST", "/console/projects/{pid}/apis/{api}")
def toggle_api(call):
    project = project_of(call)
    api = call.params["api"]
    if project is None or api not in accounts.APIS:
        return call.app.render("not_found.html", status=404, path=call.request.path)
    enabled = set(project["enabled_apis"])
    if call.request.form.get("action") == "disable":
        enabled.discard(api)
    else:
        enabled.add(api)
    project["enabled_apis"] = sorted(enabled)
    call.state.dirty = True
    return saved(call, project, f"api-{api}" + ("-off" if api not in enabled else ""), "apis")


@page("POST", "/console/projects/{pid}/consent")
def save_consent(call):
    project = project_of(call)
    if project is None:
        return call.app.render("not_found.html", status=404, path=call.request.path)
    form = call.request.form
    consent = project["consent"]
    if not (form.get("app_name") or "").strip() or not (form.get("support_email") or "").strip():
        return show(call, project, status=400, consent_error=_("App name and user support email are required."))
    user_type = form.get("user_type") if form.get("user_type") in ("external", "internal") else "external"
    status = form.get("status") if form.get("status") in ("testing", "production") else "testing"
    consent.update(app_name=form["app_name"].strip(), support_email=form["support_email"].strip(),
                   user_type=user_type, status="internal" if user_type == "internal" else status,
                   test_users=lines(form.get("test_users")), scopes=scope_list(form.get("scopes")), configured=True,
                   domain=form["support_email"].split("@")[-1].lower() if user_type == "internal" else None)
    call.state.dirty = True
    return saved(call, project, "consent", "consent")


@page("POST", "/console/projects/{pid}/clients")
def create_client(call):
    project = project_of(call)
    if project is None:
        return call.app.render("not_found.html", status=404, path=call.request.path)
    form = call.request.form
    origins, uris = lines(form.get("javascript_origins")), lines(form.get("redirect_uris"))
    if not project["consent"].get("configured"):
        return show(call, project, status=400, client_errors=[
            _("To create an OAuth client ID, you must first configure your consent screen.")])
    if form.get("application_type", "web") != "web":
        return show(call, project, status=400, client_errors=[_("Only Web application clients are emulated.")])
    problems = rule_problems(origins, uris)
    if problems:
        return show(call, project, status=400, client_errors=problems, form=form)
    client = accounts.add_client(call.state, {"name": form.get("name") or "Web client 1", "redirect_uris": uris,
                                              "javascript_origins": origins}, project_id=project["project_id"])
    ticket = secrets.token_urlsafe(16)
    call.state.pending[f"download:{ticket}"] = client["client_id"]
    return call.app.render("console_created.html", project=project, client=client, ticket=ticket)


@page("POST", "/console/projects/{pid}/clients/{client_id}")
def edit_client(call):
    project = project_of(call)
    client = call.state.clients.get(call.params["client_id"])
    if project is None or client is None or client["project_id"] != project["project_id"]:
        return call.app.render("not_found.html", status=404, path=call.request.path)
    origins, uris = lines(call.request.form.get("javascript_origins")), lines(call.request.form.get("redirect_uris"))
    problems = rule_problems(origins, uris)
    if problems:
        return show(call, project, status=400, client_errors=problems)
    client.update(javascript_origins=origins, redirect_uris=uris)
    call.state.dirty = True
    return saved(call, project, "client", "credentials")


def client_secret_json(call, client):
    base = call.request.host_url.rstrip("/")
    return {"web": {"client_id": client["client_id"], "project_id": client["project_id"],
                    "auth_uri": base + "/o/oauth2/auth", "token_uri": base + "/token",
                    "auth_provider_x509_cert_url": base + "/oauth2/v1/certs",
                    "client_secret": client["client_secret"], "redirect_uris": client["redirect_uris"],
                    "javascript_origins": client["javascript_origins"]}}


@page("GET", "/console/download/{ticket}")
def download(call):
    client_id = call.state.pending.get(f"download:{call.params['ticket']}")
    client = call.state.clients.get(client_id or "")
    if client is None:
        return call.app.render("not_found.html", status=404, path=call.request.path)
    body = json.dumps(client_secret_json(call, client))
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="client_secret_{client["client_id"]}.json"'})
