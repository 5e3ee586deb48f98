"""Login sessions kept on the server (wizard.models.users.UserSession): opened at login, checked on every
request, ended by logout, a password change, a disabled account or "log out everywhere".

The cookie session and the remember-me cookie carry "<user id>:<random key>" (Flask-Login stores get_id()
in both); only the key's SHA-256 is stored, so a copy of the database opens no session. A request whose key
names no live session of an active user is anonymous, whichever cookie it came with.

Lifetimes (config): a plain login ends after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS
after it began; a "remember me" login lasts REMEMBER_DAYS from its start, idle or not (surviving a break is
what the user asked for), and then ends like any other.
"""
import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app, request, session
from flask_login import login_user
from sqlalchemy import select, update

from wizard.extensions import db
from wizard.models.clock import as_utc as aware
from wizard.models.clock import utcnow
from wizard.models.users import User, UserSession

TOUCH_EVERY = timedelta(minutes=1)  # last-seen stamps need minute precision only: don't write on every request


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _lifetimes(row: UserSession) -> tuple[timedelta | None, timedelta]:
    """(idle limit or None, absolute limit) for this login."""
    config = current_app.config
    if row.remember:
        return None, timedelta(days=config["REMEMBER_DAYS"])
    return timedelta(minutes=config["SESSION_IDLE_MINUTES"]), timedelta(hours=config["SESSION_MAX_HOURS"])


def is_expired(row: UserSession, now: datetime) -> bool:
    idle, absolute = _lifetimes(row)
    if now - aware(row.created_at) > absolute:
        return True
    return idle is not None and now - aware(row.last_seen_at) > idle


def open_row(user: User, remember: bool = False, user_agent: str = "", ip: str = "") -> str:
    """A new live login for the user; returns its key (the caller puts it in the cookies, never stores it)."""
    key = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, key_hash=_digest(key), remember=bool(remember),
                               user_agent=user_agent[:200], ip=ip[:45]))
    db.session.commit()
    return key


def start(user: User, remember: bool = False) -> None:
    """Log the user in on a new login session: the old cookie session's content (and with it the CSRF token)
    is dropped first, so nothing issued before the login carries over."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale  # the visitor's language choice is not a secret; keep it
    user.login_session_key = open_row(user, remember, request.user_agent.string or "", request.remote_addr or "")
    login_user(user, remember=remember, duration=timedelta(days=current_app.config["REMEMBER_DAYS"]))


def load(user_id: str) -> User | None:
    """Flask-Login's user loader: the user of a live login session named by "<id>:<key>", else None."""
    user_part, _sep, key = (user_id or "").partition(":")
    if not key or not user_part.isdigit():
        return None  # cookies from before server-side sessions, or forged: anonymous
    row = db.session.scalar(select(UserSession).where(UserSession.key_hash == _digest(key)))
    if row is None or row.ended_at is not None or row.user_id != int(user_part):
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    now = utcnow()
    if is_expired(row, now):
        row.ended_at = now
        db.session.commit()
        return None
    if now - aware(row.last_seen_at) > TOUCH_EVERY:
        row.last_seen_at = now
        db.session.commit()
    user.login_session_key = key
    return user


def current_row(user: User) -> UserSession | None:
    key = getattr(user, "login_session_key", None)
    if not key:
        return None
    return db.session.scalar(select(UserSession).where(UserSession.key_hash == _digest(key)))


def end_current(user: User) -> None:
    """Logout: the login this request belongs to ends, for every copy of its cookies."""
    row = current_row(user)
    if row is not None and row.ended_at is None:
        row.ended_at = utcnow()
        db.session.commit()


def end_all(user_id: int, keep: UserSession | None = None) -> int:
    """End every live login of the user (but `keep`, if given); returns how many ended. The caller commits."""
    query = update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    return db.session.execute(query.values(ended_at=utcnow())).rowcount or 0


def end_one(user_id: int, session_id: int) -> bool:
    """End one of the user's own logins (the sessions page); False when it is not theirs or already ended."""
    row = db.session.get(UserSession, session_id)
    if row is None or row.user_id != user_id or row.ended_at is not None:
        return False
    row.ended_at = utcnow()
    db.session.commit()
    return True


def live_sessions(user_id: int) -> list[UserSession]:
    now = utcnow()
    rows = db.session.scalars(select(UserSession).where(UserSession.user_id == user_id,
                                                        UserSession.ended_at.is_(None))
                              .order_by(UserSession.last_seen_at.desc()))
    return [row for row in rows if not is_expired(row, now)]
