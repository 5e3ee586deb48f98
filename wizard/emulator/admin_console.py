"""The Google Workspace Admin console, as far as domain-wide delegation needs it, at Google's own paths:
"Directory → Users" (`/ac/users`: the domain's users, add one) and "Security → Access and data control →
API controls → Manage Domain Wide Delegation" (`/ac/owl/domainwidedelegation`: the table of client IDs and
their scopes; "Add new" takes a client ID and comma-delimited OAuth scopes, each row can be edited or
deleted). A domain is made here too (the real one comes from signing up for Workspace)."""
from urllib.parse import urlencode

from werkzeug.utils import redirect

from . import workspace
from .i18n import gettext as _, with_values
from .routing import route

USERS = "/ac/users"
DELEGATION = "/ac/owl/domainwidedelegation"


def page(method, path):
    return route(method, path, "page")


def chosen_domain(call):
    """The domain the page is about: asked for (query or form), else the first one."""
    name = (call.arg("domain") or call.request.form.get("domain") or "").strip().lower()
    if name in call.state.domains:
        return call.state.domains[name]
    return next((call.state.domains[n] for n in sorted(call.state.domains)), None)


def back_to(call, path, domain, saved=None):
    query = {"domain": domain["name"]}
    if saved:
        query["saved"] = saved
    if call.arg("hl") in ("en", "ru"):
        query["hl"] = call.arg("hl")
    return redirect(f"{path}?{urlencode(query)}", code=303)


def translated(error):
    return with_values(error.message, **error.params)


SAVED = {"domain": lambda: _("Domain added."), "user": lambda: _("User added."),
         "authorized": lambda: _("Client authorized."), "deleted": lambda: _("Client deleted.")}


def render(call, template, domain, status=200, **extra):
    notice = SAVED.get(call.arg("saved") or "")
    return call.app.render(template, status=status, domain=domain, domains=sorted(call.state.domains),
                           confirmation=notice() if notice and status == 200 else None, **extra)


# ---- the domain and its users ----------------------------------------------------------------------------

def users_page(call, domain, status=200, **extra):
    users = workspace.domain_users(call.state, domain) if domain else []
    return render(call, "admin_users.html", domain, status, users=users, **extra)


@page("GET", USERS)
def users(call):
    return users_page(call, chosen_domain(call))


@page("POST", "/ac/domains")
def add_domain(call):
    try:
        domain = workspace.add_domain(call.state, call.request.form.get("name"))
    except workspace.WorkspaceError as error:
        return users_page(call, chosen_domain(call), status=400, domain_error=translated(error))
    return back_to(call, USERS, domain, "domain")


@page("POST", USERS)
def add_user(call):
    domain = chosen_domain(call)
    if domain is None:
        return users_page(call, None, status=400, domain_error=_("Add a domain first."))
    form = call.request.form
    name = " ".join(p for p in ((form.get("first_name") or "").strip(), (form.get("last_name") or "").strip()) if p)
    username = (form.get("username") or "").strip().lower()
    if not username or not name:
        return users_page(call, domain, status=400, user_error=_("First name, last name and primary email are "
                                                                  "required."), form=form)
    try:
        workspace.add_domain_user(call.state, domain, username, name)
    except workspace.WorkspaceError as error:
        return users_page(call, domain, status=400, user_error=translated(error), form=form)
    return back_to(call, USERS, domain, "user")


# ---- domain-wide delegation ------------------------------------------------------------------------------

def rows(state, domain):
    return [{"client_id": g["client_id"], "scopes": g["scopes"], "name": workspace.delegation_name(state, g["client_id"])}
            for g in sorted(domain["delegations"].values(), key=lambda g: g["client_id"])]


def delegation_page(call, domain, status=200, **extra):
    return render(call, "admin_delegation.html", domain, status,
                  rows=rows(call.state, domain) if domain else [], **extra)


@page("GET", DELEGATION)
def delegation(call):
    return delegation_page(call, chosen_domain(call))


@page("GET", "/ac/owl")
def api_controls(call):
    return delegation(call)


@page("POST", DELEGATION)
def authorize(call):
    """"Add new": Client ID, OAuth scopes (comma-delimited), "Overwrite existing client ID", Authorize."""
    domain = chosen_domain(call)
    if domain is None:
        return delegation_page(call, None, status=400, add_error=_("Add a domain first."))
    form = call.request.form
    client_id = (form.get("client_id") or "").strip()
    if client_id in domain["delegations"] and not form.get("overwrite"):
        return delegation_page(call, domain, status=400, form=form, add_error=_(
            "This client ID already has access. Select “Overwrite existing client ID” to replace its scopes."))
    try:
        workspace.set_delegation(call.state, domain, client_id, form.get("scopes"))
    except workspace.WorkspaceError as error:
        return delegation_page(call, domain, status=400, form=form, add_error=translated(error))
    return back_to(call, DELEGATION, domain, "authorized")


@page("POST", DELEGATION + "/{client_id}/edit")
def edit(call):
    domain = chosen_domain(call)
    client_id = call.params["client_id"]
    if domain is None or client_id not in domain["delegations"]:
        return call.app.render("not_found.html", status=404, path=call.request.path)
    try:
        workspace.set_delegation(call.state, domain, client_id, call.request.form.get("scopes"))
    except workspace.WorkspaceError as error:
        return delegation_page(call, domain, status=400, edit_error=translated(error), editing=client_id)
    return back_to(call, DELEGATION, domain, "authorized")


@page("POST", DELEGATION + "/{client_id}/delete")
def delete(call):
    domain = chosen_domain(call)
    if domain is None or not workspace.delete_delegation(call.state, domain, call.params["client_id"]):
        return call.app.render("not_found.html", status=404, path=call.request.path)
    return back_to(call, DELEGATION, domain, "deleted")
