"""The Cloud console's "IAM & Admin → Service accounts" pages: create a service account in a project, see
its e-mail and unique ID (the OAuth 2 client ID the Admin console asks for), create a JSON key (downloaded
at once, the only copy of its private key, as Google does), list keys by ID and delete them, delete the
account."""
import json

from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from . import accounts, console, workspace
from .clock import rfc3339
from .i18n import gettext as _, with_values
from .routing import route


def page(method, path):
    return route(method, path, "page")


def translated(error):
    return with_values(error.message, **error.params)


def account_in(call):
    """(project, account) from the path; account None when it is not this project's."""
    project = console.project_of(call)
    account = workspace.find_account(call.state, call.params.get("account", ""))
    if project is None or account is None or account["project_id"] != project["project_id"]:
        return project, None
    return project, account


def not_found(call):
    return call.app.render("not_found.html", status=404, path=call.request.path)


def account_page(call, project, account, status=200, **extra):
    notices = {"key-deleted": _("Key deleted."), "created": _("Service account created.")}
    return call.app.render("console_service_account.html", status=status, project=project, account=account,
                           keys=[dict(k, created_text=rfc3339(k["created"], millis=False))
                                 for k in sorted(account["keys"].values(), key=lambda k: k["created"])],
                           confirmation=notices.get(call.arg("saved") or "") if status == 200 else None, **extra)


def language_suffix(call, first="?"):
    return f"{first}hl={call.arg('hl')}" if call.arg("hl") in ("en", "ru") else ""


def to_account(call, project, account, what):
    return redirect(f"/console/projects/{project['project_id']}/serviceaccounts/{account['email']}"
                    f"?saved={what}{language_suffix(call, '&')}", code=303)


@page("POST", "/console/projects/{pid}/serviceaccounts")
def create(call):
    project = console.project_of(call)
    if project is None:
        return not_found(call)
    form = call.request.form
    name = (form.get("display_name") or "").strip()
    account_id = (form.get("account_id") or "").strip() or accounts.slug(name)
    try:
        account = workspace.add_service_account(call.state, project["project_id"], account_id, name or None,
                                                (form.get("description") or "").strip())
    except workspace.WorkspaceError as error:
        return console.show(call, project, status=400, account_error=translated(error), account_form=form)
    return to_account(call, project, account, "created")


@page("GET", "/console/projects/{pid}/serviceaccounts/{account}")
def details(call):
    project, account = account_in(call)
    if account is None:
        return not_found(call)
    return account_page(call, project, account)


@page("POST", "/console/projects/{pid}/serviceaccounts/{account}/keys")
def create_key(call):
    """"Add key → Create new key → JSON → Create": the browser saves the key file straight away."""
    project, account = account_in(call)
    if account is None:
        return not_found(call)
    if call.request.form.get("key_type", "json") != "json":
        return account_page(call, project, account, status=400,
                            key_error=_("Only JSON keys are emulated (Google recommends JSON over P12)."))
    key_file = workspace.create_key(call.state, account, call.request.host_url)
    name = f"{project['project_id']}-{key_file['private_key_id'][:12]}.json"
    return Response(json.dumps(key_file, indent=2), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@page("POST", "/console/projects/{pid}/serviceaccounts/{account}/keys/{key_id}/delete")
def delete_key(call):
    project, account = account_in(call)
    if account is None or not workspace.delete_key(call.state, account, call.params["key_id"]):
        return not_found(call)
    return to_account(call, project, account, "key-deleted")


@page("POST", "/console/projects/{pid}/serviceaccounts/{account}/delete")
def delete(call):
    project, account = account_in(call)
    if account is None:
        return not_found(call)
    workspace.delete_service_account(call.state, account)
    return console.saved(call, project, "account-deleted", "service-accounts")
