"""The control API for domain-wide delegation (JSON under /_emulator/): service accounts and their keys,
Workspace domains with users, and the Admin console's delegation grants — what a test or the demo sets up
before the product signs its first assertion. The same operations have console pages (workspace_pages.py).
"""
from . import workspace
from .control import bad, control, guarded, need
from .routing import json_response


def refused(handler):
    """A refused value answers 400 with Google's message (the `guarded` wrapper handles missing fields)."""
    def run(call):
        try:
            return handler(call)
        except workspace.WorkspaceError as error:
            return bad(str(error))

    run.__name__ = handler.__name__
    return guarded(run)


def account_or_404(call):
    return workspace.find_account(call.state, call.params["account"])


# ---- service accounts and keys ------------------------------------------------------------------------------

@control("GET", "/service-accounts")
def list_service_accounts(call):
    return {"service_accounts": [workspace.public_json(a) for a in call.state.service_accounts.values()]}


@control("POST", "/service-accounts")
@refused
def create_service_account(call):
    """`{"name", "project_id"?, "display_name"?, "enabled_apis"?|"disabled_apis"?, "key"?: true}`; with
    `key` the answer also carries a first JSON key file under `key_file`."""
    body = call.body()
    need(body, "name")
    account = workspace.service_account_for_control(call.state, body)
    answer = workspace.public_json(account)
    if body.get("key"):
        answer["key_file"] = workspace.create_key(call.state, account, call.request.host_url)
        answer["keys"] = workspace.public_json(account)["keys"]
    return (201, answer)


@control("POST", "/service-accounts/{account}/keys")
def create_key(call):
    account = account_or_404(call)
    if account is None:
        return bad("unknown service account", 404)
    return (201, workspace.create_key(call.state, account, call.request.host_url))


@control("DELETE", "/service-accounts/{account}/keys/{key_id}")
def delete_key(call):
    account = account_or_404(call)
    if account is None or not workspace.delete_key(call.state, account, call.params["key_id"]):
        return bad("unknown key", 404)
    return {"ok": True}


@control("DELETE", "/service-accounts/{account}")
def delete_service_account(call):
    account = account_or_404(call)
    if account is None:
        return bad("unknown service account", 404)
    workspace.delete_service_account(call.state, account)
    return {"ok": True}


@control("POST", "/service-accounts/{account}/tokens/revoke")
def revoke_tokens(call):
    """Drop the access tokens a service account minted (Google lets them live out their hour after a key or
    grant is removed; a test that wants the product to meet the removal at once calls this)."""
    account = account_or_404(call)
    if account is None:
        return bad("unknown service account", 404)
    store = call.state.access_tokens
    gone = [k for k, v in store.items() if v.get("service_account") == account["email"]]
    for key in gone:
        store.pop(key)
    call.state.dirty = True
    return {"revoked": len(gone)}


# ---- Workspace domains, users and delegation ----------------------------------------------------------------

def domain_json(state, domain):
    return {"domain": domain["name"],
            "users": [{"email": u["email"], "name": u["name"]} for u in workspace.domain_users(state, domain)],
            "delegations": [{**g, "name": workspace.delegation_name(state, g["client_id"])}
                            for g in domain["delegations"].values()]}


@control("GET", "/domains")
def list_domains(call):
    return {"domains": [domain_json(call.state, d) for d in call.state.domains.values()]}


@control("POST", "/domains")
@refused
def create_domain(call):
    """`{"domain", "users": ["ann@example.com" | "ann" | {"email", "name"}, ...]}`."""
    body = call.body()
    need(body, "domain")
    domain = workspace.add_domain(call.state, body["domain"])
    add_users(call.state, domain, body.get("users") or ())
    return (201, domain_json(call.state, domain))


def add_users(state, domain, users):
    for entry in users:
        if isinstance(entry, dict):
            workspace.add_domain_user(state, domain, entry.get("email"), entry.get("name"))
        else:
            workspace.add_domain_user(state, domain, str(entry))


def domain_or_none(call):
    return call.state.domains.get(call.params["domain"].lower())


@control("POST", "/domains/{domain}/users")
@refused
def create_domain_users(call):
    domain = domain_or_none(call)
    if domain is None:
        return bad("unknown domain", 404)
    body = call.body()
    add_users(call.state, domain, body.get("users") or ([body] if body.get("email") else []))
    return (201, domain_json(call.state, domain))


@control("POST", "/domains/{domain}/delegations")
@refused
def grant_delegation(call):
    """`{"client_id": "<numeric unique id>", "scopes": [..] | "a,b"}`: add or overwrite the grant."""
    domain = domain_or_none(call)
    if domain is None:
        return bad("unknown domain", 404)
    body = call.body()
    need(body, "client_id", "scopes")
    return (201, workspace.set_delegation(call.state, domain, str(body["client_id"]), body["scopes"]))


@control("DELETE", "/domains/{domain}/delegations/{client_id}")
def remove_delegation(call):
    domain = domain_or_none(call)
    if domain is None or not workspace.delete_delegation(call.state, domain, call.params["client_id"]):
        return bad("unknown delegation", 404)
    return json_response({"ok": True})
