"""The first administrator's one-time setup link.

While no administrator exists, `syncwizard run` issues a random token and prints a URL carrying it. Only the
token's SHA-256 is kept (in Redis, expiring after SETUP_TOKEN_TTL), so reading Redis does not reveal a usable
link; the token is consumed atomically, so two browsers racing with the same link cannot both use it.
"""
import hashlib
import hmac
import secrets

from flask import current_app
from sqlalchemy import select

from wizard.extensions import db
from wizard.models import User
from wizard.redis import get_redis

TOKEN_KEY = "syncwizard:first-admin-token"

# Compare-and-delete in one step: the token is single use even under concurrent requests.
_CONSUME = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
"""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def admin_exists() -> bool:
    return db.session.scalar(select(User.id).where(User.role == "admin").limit(1)) is not None


def issue_token() -> str:
    """A new token (replacing any earlier one); the caller shows it once."""
    token = secrets.token_urlsafe(32)
    get_redis().set(TOKEN_KEY, _digest(token), ex=current_app.config["SETUP_TOKEN_TTL"])
    return token


def token_is_valid(token: str) -> bool:
    stored = get_redis().get(TOKEN_KEY)
    return stored is not None and hmac.compare_digest(stored.decode(), _digest(token))


def consume_token(token: str) -> bool:
    return bool(get_redis().eval(_CONSUME, 1, TOKEN_KEY, _digest(token)))


def create_first_admin(token: str, email: str, password: str):
    """The administrator, or None when the token was already used, expired, or an admin exists."""
    if admin_exists() or not consume_token(token):
        return None
    user = User(email=User.normalize_email(email), role="admin")
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user
