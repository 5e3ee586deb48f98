"""Personal API tokens: created once (the plain value is shown a single time), stored as SHA-256, revoked."""
import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from wizard.extensions import db
from wizard.models import User
from wizard.models.crm import ApiToken

PREFIX = "swz_"
TOUCH_EVERY = timedelta(minutes=5)  # last-use stamps are advisory: don't write on every request


def hash_token(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def create_token(user_id: int, name: str = "") -> tuple[ApiToken, str]:
    """A new token for the user; returns the row and the plain value, which is not kept anywhere."""
    value = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user_id, name=(name or "").strip()[:100], token_hash=hash_token(value),
                     prefix=value[:12])
    db.session.add(token)
    db.session.commit()
    return token, value


def user_for_token(value: str):
    """The active user a presented token belongs to, or None (unknown, revoked, or inactive user)."""
    if not value or not value.startswith(PREFIX) or len(value) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(value)))
    if token is None or token.revoked_at is not None:
        return None
    user = db.session.get(User, token.user_id)
    if user is None or not user.is_active:
        return None
    now = datetime.now(timezone.utc)
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        token.last_used_at = now
        db.session.commit()
    return user


def list_tokens(user_id: int) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
                                   .order_by(ApiToken.created_at.desc())))


def revoke_token(user_id: int, token_id: int) -> bool:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id or token.revoked_at is not None:
        return False
    token.revoked_at = datetime.now(timezone.utc)
    db.session.commit()
    return True
