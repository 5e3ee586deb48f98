"""Emulated Google accounts, Cloud projects and OAuth clients (shared by the control API and the console)."""
import hashlib
import secrets

from . import calendar, people

APIS = ("people", "calendar")
STATUSES = ("testing", "production", "internal")


def add_user(state, email, name=None, time_zone="UTC"):
    email = email.strip().lower()
    with state.lock:
        user = state.users.get(email)
        if user is None:
            sub = str(100000000000000000000 + int(hashlib.sha1(email.encode()).hexdigest()[:15], 16))
            user = {"email": email, "name": name or email.split("@")[0], "sub": sub, "time_zone": time_zone}
            state.users[email] = user
        elif name:
            user["name"] = name
        people.init_user(state, email)
        calendar.init_user(state, email, user.get("time_zone") or time_zone)
        state.dirty = True
        return user


def add_project(state, name, project_id=None, enabled_apis=(), status="testing", user_type=None,
                app_name=None, test_users=()):
    with state.lock:
        number = 100000000000 + state.next_seq()
        project_id = project_id or f"{slug(name)}-{number % 1000000}"
        project = {"project_id": project_id, "number": number, "name": name,
                   "enabled_apis": [a for a in enabled_apis if a in APIS],
                   "consent": {"app_name": app_name or name, "status": status,
                               "user_type": user_type or ("internal" if status == "internal" else "external"),
                               "test_users": list(test_users), "support_email": "", "configured": bool(app_name)}}
        state.projects[project_id] = project
        return project


def slug(text):
    cleaned = "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")
    return cleaned[:20] or "project"


def add_client(state, data, project_id=None):
    """Register an OAuth client. Without a project (control API) it gets its own, with both APIs enabled
    unless `disabled_apis` says otherwise."""
    status = data.get("status") or "testing"
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    with state.lock:
        client_id = data.get("client_id") or f"{secrets.randbelow(10**12):012d}-emu.apps.googleusercontent.com"
        if project_id is None:
            disabled = set(data.get("disabled_apis") or ())
            enabled = data.get("enabled_apis")
            enabled = [a for a in (enabled if enabled is not None else APIS) if a not in disabled]
            project = add_project(state, data.get("project_name") or client_id.split("-")[0], enabled_apis=enabled,
                                  status=status, app_name=data.get("app_name") or "Emulated app",
                                  test_users=data.get("test_users") or ())
            project_id = project["project_id"]
        client = {"client_id": client_id,
                  "client_secret": data.get("client_secret") or "GOCSPX-" + secrets.token_urlsafe(21),
                  "redirect_uris": list(data.get("redirect_uris") or []),
                  "javascript_origins": list(data.get("javascript_origins") or []),
                  "project_id": project_id, "name": data.get("name") or "Web client 1"}
        state.clients[client_id] = client
        state.dirty = True
        return client


def client_json(state, client):
    project = state.projects.get(client["project_id"], {})
    return {"client_id": client["client_id"], "client_secret": client["client_secret"],
            "redirect_uris": client["redirect_uris"], "javascript_origins": client["javascript_origins"],
            "status": project.get("consent", {}).get("status", "testing"), "project_id": client["project_id"],
            "enabled_apis": project.get("enabled_apis", [])}


def consent_of(state, client):
    return state.projects[client["project_id"]]["consent"]
