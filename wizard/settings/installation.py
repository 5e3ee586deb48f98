"""The installation's identity: one row of the `installation` table, the same for every process on every
machine of the installation.

It goes into every event written to Google (extendedProperties.private, the deterministic event ids), and a
full listing recognises a back-reference only when its installation matches; so two machines sharing one
database must share it. It is created once: by `syncwizard db upgrade`, `syncwizard run`'s first start, or
the first process that needs it. An identity an older version used is adopted, so the events it already put
in Google keep matching: the INSTALLATION_ID variable first, else the instance folder's `installation.id`
(where older versions generated it, one per machine). Once the row exists both are only compared with it,
and a difference is logged: the database's identity is the one used. The engine hands it to the Google side
when it builds it.
"""
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy.exc import IntegrityError

from wizard.extensions import db
from wizard.models.settings import Installation

ROW_ID = 1
INSTANCE_FILE = "installation.id"
CACHE_KEY = "syncwizard.installation_id"

log = logging.getLogger(__name__)


@dataclass
class Identity:
    value: str
    source: str  # created | environment | instance_file
    created_now: bool  # this call wrote the row
    ignored: list  # (where, value) of identities that differ from the database's


def installation_id() -> str:
    """This installation's identity, read from the database once per process (it never changes).

    The first call of a process may write the row: make it where the session holds nothing uncommitted (a
    run calls it when it builds its Google side, just after committing its start)."""
    app = current_app._get_current_object()
    value = app.extensions.get(CACHE_KEY)
    if value is None:
        value = app.extensions[CACHE_KEY] = ensure_identity().value
    return value


def ensure_identity() -> Identity:
    """The identity in the database, created (or adopted) when absent. Concurrent first starts agree: the
    row has a fixed primary key, so a second insert fails and that process reads the winner's."""
    row = db.session.get(Installation, ROW_ID)
    created_now = False
    if row is None:
        value, source = adoptable()
        db.session.add(Installation(id=ROW_ID, installation_id=value, source=source))
        try:
            db.session.commit()
            created_now = True
        except IntegrityError:
            db.session.rollback()
        row = db.session.get(Installation, ROW_ID)
    ignored = [(where, other) for where, other in local_identities() if other != row.installation_id]
    for where, other in ignored:
        log.warning("installation id %s from %s differs from the database's %s, which is the one used",
                    other, where, row.installation_id)
    return Identity(row.installation_id, row.source, created_now, ignored)


def local_identities() -> list[tuple[str, str]]:
    """Identities this machine was given before the database held one: (where, value)."""
    found = []
    configured = current_app.config.get("INSTALLATION_ID")
    if configured:
        found.append(("environment", str(configured).strip()))
    path = Path(current_app.instance_path) / INSTANCE_FILE
    if path.is_file():
        text = path.read_text().strip()
        if text:
            found.append(("instance_file", text))
    return found


def adoptable() -> tuple[str, str]:
    """(value, source) for a database without an identity: an older one of this machine, else a new one."""
    local = local_identities()
    if not local:
        return uuid.uuid4().hex, "created"
    where, value = local[0]
    return value, where


def describe(identity: Identity) -> list[str]:
    """What `syncwizard db upgrade` prints about the identity."""
    how = {"created": "created", "environment": "adopted from INSTALLATION_ID",
           "instance_file": f"adopted from the instance folder's {INSTANCE_FILE}"}[identity.source]
    lines = [f"Installation id: {identity.value} ({how} {'now' if identity.created_now else 'earlier'})"]
    for where, other in identity.ignored:
        source = "INSTALLATION_ID" if where == "environment" else f"this machine's {INSTANCE_FILE}"
        lines.append(f"  warning: {source} holds {other}, which is not used: every machine uses the database's")
    return lines
