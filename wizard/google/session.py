"""Clients for a linked account, built from the app's configuration and the OAuth client the caller hands in.

The HTTP session is Authlib's `OAuth2Session` from `wizard.google.tokens.get_oauth_session(account, client)`
(it refreshes and persists tokens); this module adds the endpoints and the account's pacer. The Google
project's shared budget is keyed by the OAuth client's ID (one client, one project). Limits are
configuration (each with an environment-driven default in the app config, else the value here):

- `GOOGLE_PEOPLE_PER_MINUTE` (default 90): People calls per minute per account; Google shows the real
  per-project limits only in its console (tens per minute per user are observed defaults).
- `GOOGLE_CALENDAR_PER_MINUTE` (default 600): Google's documented per-user Calendar quota; a batch costs one
  unit per inner call.
- `GOOGLE_CALENDAR_PROJECT_PER_MINUTE` (default 10,000): Google's documented per-project Calendar quota,
  shared by every account and worker (a Redis window keyed by the OAuth client id).
- `GOOGLE_PEOPLE_PROJECT_PER_MINUTE` (default unset: no project budget): People's per-project limits are
  shown only in the project's console; set it to the lowest per-minute quota shown there.
- `GOOGLE_PACING_WINDOW` (60 s), `GOOGLE_MAX_ATTEMPTS` (6), `GOOGLE_BACKOFF_BASE` (1 s),
  `GOOGLE_BACKOFF_MAX` (64 s), `GOOGLE_WRITE_LOCK_TIMEOUT` (30 s: how long a killed worker's write lock
  blocks the account; a live writer's lock is renewed while it works).
"""
from __future__ import annotations

from flask import current_app

from wizard.redis import get_redis

from .calendar import CalendarClient
from .pacing import Pacer, PacingPolicy
from .people import PeopleClient
from .tokens import get_oauth_session

DEFAULT_PER_MINUTE = {"people": 90, "calendar": 600}
DEFAULT_PROJECT_PER_MINUTE = {"people": None, "calendar": 10000}


def pacing_policy(api: str, config=None) -> PacingPolicy:
    config = current_app.config if config is None else config
    per_minute = config.get(f"GOOGLE_{api.upper()}_PER_MINUTE", DEFAULT_PER_MINUTE[api])
    project = config.get(f"GOOGLE_{api.upper()}_PROJECT_PER_MINUTE", DEFAULT_PROJECT_PER_MINUTE[api])
    return PacingPolicy(
        per_minute=int(per_minute) if per_minute else None,
        project_per_minute=int(project) if project else None,
        window=float(config.get("GOOGLE_PACING_WINDOW", 60.0)),
        max_attempts=int(config.get("GOOGLE_MAX_ATTEMPTS", 6)),
        base_delay=float(config.get("GOOGLE_BACKOFF_BASE", 1.0)),
        max_delay=float(config.get("GOOGLE_BACKOFF_MAX", 64.0)),
        lock_timeout=float(config.get("GOOGLE_WRITE_LOCK_TIMEOUT", 30.0)),
    )


def account_key(account) -> str:
    """The stable identity of a Google account (its `sub`), the key of its lock and budget."""
    return str(getattr(account, "google_sub", None) or getattr(account, "id", None) or account)


def project_key(client=None) -> str:
    """The Google project's identity for its shared budget: the OAuth client's ID ("default" without one)."""
    return getattr(client, "client_id", None) or "default"


def pacer_for(account, api: str, redis=None, config=None, client=None) -> Pacer:
    redis = get_redis() if redis is None else redis
    return Pacer(account_key(account), api, redis, pacing_policy(api, config), project_key=project_key(client))


def people_client(account, http=None, config=None, redis=None, client=None) -> PeopleClient:
    config = current_app.config if config is None else config
    http = http if http is not None else get_oauth_session(account, client)
    return PeopleClient(http, config["GOOGLE_PEOPLE_API_URL"], pacer_for(account, "people", redis, config, client))


def calendar_client(account, http=None, config=None, redis=None, client=None) -> CalendarClient:
    config = current_app.config if config is None else config
    http = http if http is not None else get_oauth_session(account, client)
    return CalendarClient(http, config["GOOGLE_CALENDAR_API_URL"], config["GOOGLE_BATCH_URL"],
                          pacer_for(account, "calendar", redis, config, client))
