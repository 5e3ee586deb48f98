"""The control API under /_emulator/ (JSON): set up users and clients, mint tokens, expire sync tokens,
inject faults, revoke grants, move the clock, set quotas, seed data and read the stats."""
import gc
from datetime import datetime, timedelta, timezone
import threading
from urllib.parse import parse_qsl, urlsplit

from . import accounts, calendar, faults, oauth, people
from .routing import json_response, route


def control(method, path):
    return route(method, "/_emulator" + path, "control")


def bad(message, status=400):
    return json_response({"error": message}, status)


def need(body, *names):
    missing = [n for n in names if not body.get(n)]
    if missing:
        raise KeyError(missing[0])


def guarded(handler):
    def run(call):
        try:
            return handler(call)
        except KeyError as error:
            return bad(f"missing field: {error.args[0]}")
        except (ValueError, TypeError) as error:
            return bad(str(error))

    run.__name__ = handler.__name__
    return run


@control("POST", "/reset")
def reset(call):
    call.state.reset()
    return {"ok": True}


# ---- users and clients ----------------------------------------------------------------------------------------

@control("GET", "/users")
def list_users(call):
    return {"users": list(call.state.users.values())}


@control("POST", "/users")
@guarded
def create_user(call):
    body = call.body()
    need(body, "email")
    return (201, accounts.add_user(call.state, body["email"], body.get("name"), body.get("time_zone") or "UTC"))


@control("GET", "/clients")
def list_clients(call):
    return {"clients": [accounts.client_json(call.state, c) for c in call.state.clients.values()]}


@control("POST", "/clients")
@guarded
def create_client(call):
    body = call.body()
    need(body, "client_id")
    client = accounts.add_client(call.state, body)
    return (201, accounts.client_json(call.state, client))


@control("PATCH", "/clients/{client_id}")
@guarded
def update_client(call):
    client = call.state.clients.get(call.params["client_id"])
    if client is None:
        return bad("unknown client", 404)
    body = call.body()
    for key in ("client_secret", "redirect_uris", "javascript_origins"):
        if key in body:
            client[key] = body[key]
    project = call.state.projects[client["project_id"]]
    if "status" in body:
        if body["status"] not in accounts.STATUSES:
            raise ValueError("bad status")
        project["consent"]["status"] = body["status"]
        project["consent"]["user_type"] = "internal" if body["status"] == "internal" else "external"
    if "test_users" in body:
        project["consent"]["test_users"] = list(body["test_users"])
    if "enabled_apis" in body:
        project["enabled_apis"] = [a for a in body["enabled_apis"] if a in accounts.APIS]
    if "disabled_apis" in body:
        project["enabled_apis"] = [a for a in accounts.APIS if a not in body["disabled_apis"]]
    call.state.dirty = True
    return accounts.client_json(call.state, client)


# ---- tokens, grants, sync tokens ------------------------------------------------------------------------------

@control("POST", "/tokens")
@guarded
def mint_token(call):
    body = call.body()
    need(body, "email")
    email = body["email"].lower()
    if email not in call.state.users:
        accounts.add_user(call.state, email, body.get("name"))
    return (201, oauth.mint(call.state, email, body.get("scopes") or [], body.get("client_id"),
                            body.get("expires_in")))


@control("POST", "/grants/revoke")
@guarded
def revoke_grants(call):
    body = call.body()
    need(body, "email")
    return {"revoked": oauth.revoke_user(call.state, body["email"], body.get("client_id"))}


@control("POST", "/sync-tokens/expire")
@guarded
def expire_sync_tokens(call):
    body = call.body()
    need(body, "email")
    api = body.get("api", "all")
    epochs = call.state.sync_epochs.setdefault(body["email"].lower(), {})
    now = call.state.now() + 0.000001
    for kind in ("people", "groups", "calendar"):
        if api in ("all", kind) or (api == "people" and kind == "groups"):
            epochs[kind] = now
    call.state.dirty = True
    return {"expired": sorted(epochs)}


@control("POST", "/authorize")
@guarded
def authorize(call):
    """Walk the consent page without a browser: give the product's authorization URL and an account."""
    body = call.body()
    need(body, "email")
    params = dict(parse_qsl(urlsplit(body["url"]).query)) if body.get("url") else dict(body.get("params") or {})
    result = oauth.check_authorization(call.state, params)
    if "page" in result:
        status, error, message, *_rest = result["page"]
        return json_response({"error": error, "message": message}, status)
    if "redirect" in result:
        return bad(result["redirect"]["error"])
    email = body["email"].lower()
    if email not in call.state.users:
        accounts.add_user(call.state, email)
    if body.get("deny"):
        query = {"error": "access_denied", "state": params.get("state")}
    else:
        granted = result["scopes"]
        if body.get("granted_scopes") is not None:
            allowed = set(oauth.normalise_scopes(" ".join(body["granted_scopes"])))
            granted = [s for s in granted if s in allowed or s in oauth.IDENTITY]
        query = oauth.approve(call.state, params, email, granted)
    location = oauth.redirect_with(params["redirect_uri"], **query).headers["Location"]
    return {"redirect_url": location, "code": query.get("code"), "state": params.get("state")}


# ---- time, quotas, settings, faults ---------------------------------------------------------------------------

@control("GET", "/clock")
def get_clock(call):
    return {"now": call.state.now(), "offset": call.state.clock.offset}


@control("POST", "/clock")
@guarded
def advance_clock(call):
    body = call.body()
    seconds = float(body.get("advance_seconds", body.get("advance", 0)))
    seconds += float(body.get("advance_days", 0)) * 86400
    call.state.clock.advance(seconds)
    return {"now": call.state.now(), "offset": call.state.clock.offset}


@control("GET", "/quota")
def get_quota(call):
    return call.state.quotas


@control("POST", "/quota")
@guarded
def set_quota(call):
    body = call.body()
    need(body, "api")
    if body["api"] not in accounts.APIS:
        raise ValueError("api must be people or calendar")
    quota = call.state.quotas.setdefault(body["api"], {})
    for key in ("per_user_per_minute", "per_project_per_minute", "full_sync_first_pages_per_minute"):
        if key in body:
            quota[key] = body[key]
    if "status" in body:
        quota["status"] = int(body["status"])
    call.state.windows.clear()
    return call.state.quotas


@control("GET", "/settings")
def get_settings(call):
    return call.state.settings


@control("PATCH", "/settings")
@guarded
def set_settings(call):
    body = call.body()
    unknown = set(body) - set(call.state.settings)
    if unknown:
        raise ValueError(f"unknown setting: {sorted(unknown)[0]}")
    call.state.settings.update({k: float(v) if isinstance(v, float) else int(v) for k, v in body.items()})
    return call.state.settings


@control("GET", "/faults")
def list_faults(call):
    return {"faults": call.state.faults}


@control("POST", "/faults")
@guarded
def add_fault(call):
    fault = faults.normalise(call.body(), len(call.state.faults) + call.state.next_seq())
    call.state.faults.append(fault)
    return (201, fault)


@control("DELETE", "/faults")
def clear_faults(call):
    call.state.faults = []
    call.state.hang_release.set()  # wake requests hung by a fault; later hangs wait on a fresh event
    call.state.hang_release = threading.Event()
    return {"ok": True}


@control("GET", "/stats")
def stats(call):
    return call.state.stats_json()


@control("POST", "/stats/reset")
def reset_stats(call):
    call.state.reset_stats()
    return {"ok": True}


@control("GET", "/mail")
def mail(call):
    return {"messages": call.state.mail_log}


@control("POST", "/save")
def save(call):
    call.state.save()
    return {"saved": bool(call.state.state_file)}


# ---- seeding data ------------------------------------------------------------------------------------------------

@control("POST", "/contacts")
@guarded
def seed_contacts(call):
    """Create contacts as if the user typed them in Google: `{"email", "person"}` or `{"email", "count"}`."""
    body = call.body()
    need(body, "email")
    email = body["email"].lower()
    accounts.add_user(call.state, email)
    created = []
    if body.get("count"):
        for index in range(int(body["count"])):
            created.append(people.new_person(call.state, email, {
                "names": [{"givenName": f"Contact{index}", "familyName": "Seeded"}],
                "emailAddresses": [{"value": f"contact{index}@example.org"}]}))
    else:
        created.append(people.new_person(call.state, email, body.get("person") or {}))
    if len(created) >= 1000:
        # A bulk-seeded address book is long-lived: keep the cyclic collector from rescanning it on every
        # full collection (which otherwise dominates listing time in a busy test process).
        gc.freeze()
    return (201, {"resource_names": [p["resourceName"] for p in created],
                  "etags": [p["etag"] for p in created]})


@control("POST", "/events")
@guarded
def seed_events(call):
    """Create `count` one-hour events in a user's primary calendar, one a day from 2026-01-05 09:00 UTC (for
    benchmarks of the listings: the API would take one request per event)."""
    body = call.body()
    need(body, "email", "count")
    email = body["email"].lower()
    accounts.add_user(call.state, email)
    primary = call.state.calendars[email][email]
    first = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    for index in range(int(body["count"])):
        start = first + timedelta(days=index)
        calendar.store_event(call.state, email, primary, {
            "summary": f"Event {index}", "start": {"dateTime": start.isoformat()},
            "end": {"dateTime": (start + timedelta(hours=1)).isoformat()}, "reminders": {"useDefault": True}})
    return (201, {"count": int(body["count"])})


@control("POST", "/people/rename")
@guarded
def rename_person(call):
    body = call.body()
    need(body, "email", "resource_name")
    moved = people.rename(call.state, body["email"].lower(), body["resource_name"])
    if moved is None:
        return bad("unknown contact", 404)
    return {"resource_name": moved["resourceName"], "previous": moved["_prev"]}


@control("POST", "/calendars")
@guarded
def add_calendar(call):
    body = call.body()
    need(body, "email", "id")
    accounts.add_user(call.state, body["email"])
    entry = calendar.add_calendar(call.state, body["email"].lower(), body["id"], body.get("summary") or body["id"],
                                  body.get("time_zone") or "UTC")
    return (201, entry["meta"])
