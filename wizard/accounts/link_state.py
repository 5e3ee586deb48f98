"""OAuth `state`: server-side, bound to the user's session, single use.

The cookie session is signed but readable and replayable, so it only carries a random binding nonce; the
state record (user, PKCE verifier, redirect URI, purpose) lives in Redis and is taken with GETDEL, so a state
works once. The callback accepts it only for the same user in the same browser session.
"""
import json
import secrets
from dataclasses import asdict, dataclass, field

from flask import session

from wizard.redis import get_redis

TTL_SECONDS = 15 * 60
_SESSION_KEY = "oauth_binding"


def _key(user_id, binding, state):
    # The user and the session binding are part of the key, so another user or browser presenting this
    # state finds nothing, and cannot even burn it.
    return f"oauth:state:{user_id}:{binding}:{state}"


@dataclass
class PendingAuthorization:
    user_id: int
    binding: str
    code_verifier: str
    redirect_uri: str
    scopes: list = field(default_factory=list)
    account_id: int | None = None  # set when reconnecting or granting to a known account
    prompted_consent: bool = False


def _binding():
    if _SESSION_KEY not in session:
        session[_SESSION_KEY] = secrets.token_urlsafe(24)
    return session[_SESSION_KEY]


def remember(user_id, code_verifier, redirect_uri, scopes, account_id=None, prompted_consent=False) -> str:
    """Store a pending authorization; return the new state value for the authorization request."""
    state = secrets.token_urlsafe(32)
    pending = PendingAuthorization(user_id=user_id, binding=_binding(), code_verifier=code_verifier,
                                   redirect_uri=redirect_uri, scopes=list(scopes), account_id=account_id,
                                   prompted_consent=prompted_consent)
    get_redis().set(_key(user_id, pending.binding, state), json.dumps(asdict(pending)), ex=TTL_SECONDS)
    return state


def take(state, user_id) -> PendingAuthorization | None:
    """The pending authorization for this state, consumed; None when unknown, used, expired or not ours."""
    binding = session.get(_SESSION_KEY)
    if not state or len(state) > 200 or not binding:
        return None
    raw = get_redis().getdel(_key(user_id, binding, state))
    if raw is None:
        return None
    pending = PendingAuthorization(**json.loads(raw))
    if pending.user_id != user_id or not secrets.compare_digest(pending.binding, binding):
        return None
    return pending
