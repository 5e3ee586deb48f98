"""One-time links an administrator hands to a person: an invitation (choose a first password) or a password
reset. Like the first administrator's link (wizard.auth.first_admin), only the token's SHA-256 is kept, in
Redis, expiring after USER_LINK_TTL_HOURS; using it deletes it atomically, and a new link for the same person
replaces the old one, so at most one works at a time.
"""
import hashlib
import secrets

from flask import current_app

from wizard.redis import get_redis

PREFIX = "syncwizard:user-link:"
OF_USER = "syncwizard:user-link-of:"
PURPOSES = ("invite", "reset")

# Read and delete in one step: two browsers racing with one link cannot both use it.
_TAKE = """
local value = redis.call('GET', KEYS[1])
if value then
  redis.call('DEL', KEYS[1])
end
return value
"""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(user_id: int, purpose: str) -> str:
    """A new link token for the user (any earlier one stops working); the caller shows it once."""
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    connection = get_redis()
    ttl = current_app.config["USER_LINK_TTL_HOURS"] * 3600
    revoke(user_id)
    token = secrets.token_urlsafe(32)
    digest = _digest(token)
    connection.set(PREFIX + digest, f"{user_id}:{purpose}", ex=ttl)
    connection.set(OF_USER + str(user_id), digest, ex=ttl)
    return token


def revoke(user_id: int) -> None:
    connection = get_redis()
    old = connection.get(OF_USER + str(user_id))
    if old:
        connection.delete(PREFIX + old.decode())
    connection.delete(OF_USER + str(user_id))


def _parse(value) -> tuple[int, str] | None:
    if not value:
        return None
    user_id, _sep, purpose = value.decode().partition(":")
    return int(user_id), purpose


def peek(token: str) -> tuple[int, str] | None:
    """(user id, purpose) of a live link, without using it up."""
    if not token or len(token) > 100:
        return None
    return _parse(get_redis().get(PREFIX + _digest(token)))


def take(token: str) -> tuple[int, str] | None:
    """(user id, purpose), using the link up; None when it was unknown, used or expired."""
    if not token or len(token) > 100:
        return None
    found = _parse(get_redis().eval(_TAKE, 1, PREFIX + _digest(token)))
    if found:
        get_redis().delete(OF_USER + str(found[0]))
    return found


def path(token: str) -> str:
    return f"/account/link/{token}"
