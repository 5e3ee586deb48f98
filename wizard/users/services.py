"""User administration: the operations both the pages and the CLI (`syncwizard user ...`) use, each written
to the audit log (wizard.models.users.UserAudit).

Rules kept here, so no caller can skip them: the last active administrator can be neither demoted nor disabled;
disabling a person ends their login sessions at once, refuses their API tokens (wizard.api.tokens checks the
account) and stops their Google accounts' sync (the engine skips accounts of disabled owners); nothing of theirs
is deleted, so enabling them again gives everything back but the ended sessions.
"""
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from wizard.auth import sessions
from wizard.extensions import db
from wizard.models.users import ROLES, User, UserAudit
from wizard.users import links

PER_PAGE = 50


class UserError(Exception):
    """A refused operation; `message` is translatable and shown to the person who asked."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _label(actor) -> str:
    return actor.email if actor is not None else "command line"


def audit(action: str, actor, target: User, detail: str = "") -> None:
    """One audit entry (the caller commits). `actor` None means the command line."""
    db.session.add(UserAudit(action=action, actor_id=getattr(actor, "id", None), actor_label=_label(actor),
                             target_id=target.id, target_label=target.email, detail=detail[:100]))


def search(q: str = "", page: int = 1):
    query = select(User).order_by(User.email)
    q = (q or "").replace("\x00", "").strip()  # PostgreSQL text holds no NUL: it is never part of a match
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(User.email.ilike(pattern, escape="\\"), User.name.ilike(pattern, escape="\\")))
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


def find(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == User.normalize_email(email)))


def recent_audit(user_id: int | None = None, limit: int = 50) -> list[UserAudit]:
    query = select(UserAudit).order_by(UserAudit.at.desc(), UserAudit.id.desc()).limit(limit)
    if user_id is not None:
        query = query.where(UserAudit.target_id == user_id)
    return list(db.session.scalars(query))


def _other_active_admins(user: User) -> int:
    # Lock the administrators' rows (PostgreSQL): two admins demoting each other at once cannot both pass.
    rows = db.session.scalars(select(User.id).where(User.role == "admin", User.active.is_(True),
                                                    User.id != user.id).with_for_update())
    return len(list(rows))


def _keep_an_admin(user: User) -> None:
    if user.is_admin and user.active and _other_active_admins(user) == 0:
        raise UserError(_l("This is the last administrator: make someone else an administrator first."))


def invite(actor, email: str, name: str = "", role: str = "user") -> tuple[User, str]:
    """A new person with no usable password yet, and their one-time link token (shown once)."""
    email = User.normalize_email(email)
    if role not in ROLES:
        raise UserError(_l("Unknown role."))
    if find(email) is not None:
        raise UserError(_l("A user with this e-mail already exists."))
    user = User(email=email, name=(name or "").strip()[:200], role=role)
    user.set_password(secrets.token_urlsafe(32))  # nobody knows it: the link sets the real one
    db.session.add(user)
    db.session.flush()
    audit("created", actor, user, role)
    db.session.commit()
    return user, links.issue(user.id, "invite")


def set_role(actor, user: User, role: str) -> None:
    if role not in ROLES:
        raise UserError(_l("Unknown role."))
    if role == user.role:
        return
    if role != "admin":
        _keep_an_admin(user)
    user.role = role
    audit("role", actor, user, role)
    db.session.commit()


def disable(actor, user: User) -> None:
    if not user.active:
        return
    _keep_an_admin(user)
    user.active = False
    sessions.end_all(user.id)
    links.revoke(user.id)
    audit("disabled", actor, user)
    db.session.commit()


def enable(actor, user: User) -> None:
    if user.active:
        return
    user.active = True
    audit("enabled", actor, user)
    db.session.commit()


def reset_link(actor, user: User) -> str:
    """A one-time, expiring link to choose a new password (the old one keeps working until then)."""
    if not user.active:
        raise UserError(_l("The account is disabled: enable it first."))
    token = links.issue(user.id, "reset")
    audit("reset_link", actor, user)
    db.session.commit()
    return token


def end_sessions(actor, user: User) -> int:
    ended = sessions.end_all(user.id)
    audit("sessions_ended", actor, user, str(ended))
    db.session.commit()
    return ended


def change_password(user: User, password: str, keep=None, action: str = "password_changed") -> None:
    """New password; every other login of the user ends (a thief's copy of a cookie with them)."""
    user.set_password(password)
    sessions.end_all(user.id, keep=keep)
    audit(action, user, user)
    db.session.commit()


def count_admins() -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.role == "admin",
                                                                          User.active.is_(True))) or 0
