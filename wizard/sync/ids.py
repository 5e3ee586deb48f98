"""Deterministic Google event ids: a retried insert answers 409 `duplicate` and is paired, never duplicated.

Google accepts client-chosen event ids made of base32hex characters (`a-v`, `0-9`), 5..1024 long, unique
per calendar. The id is derived from (installation, activity) so that two installations syncing into the
same calendar never collide, and the same activity always maps to the same id.
"""
from __future__ import annotations

import base64
import hashlib
import re

EVENT_ID_RE = re.compile(r"^[a-v0-9]{5,1024}$")


def event_id_for(installation_id: str, activity_id: str | int) -> str:
    """base32hex(sha256(installation \\0 activity)), lower case, no padding: 52 characters in a-v0-9."""
    digest = hashlib.sha256(f"{installation_id}\0{activity_id}".encode("utf-8")).digest()
    return base64.b32hexencode(digest).decode("ascii").rstrip("=").lower()


def is_valid_event_id(value: str) -> bool:
    return bool(EVENT_ID_RE.match(value))
