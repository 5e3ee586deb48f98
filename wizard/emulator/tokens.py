"""Opaque tokens the emulator hands out: sync tokens and page tokens carry their own state (base64 JSON),
so listing needs no server-side cursor table; access and refresh tokens look like Google's."""
import base64
import hashlib
import json
import secrets


def encode(payload: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def decode(token: str) -> dict | None:
    try:
        padded = token + "=" * (-len(token) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError):
        return None
    return value if isinstance(value, dict) else None


def params_hash(params: dict) -> str:
    """Fingerprint of the parameters a listing started with: a page token only works with the same ones."""
    text = json.dumps(sorted((k, v) for k, v in params.items() if v not in (None, "")))
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def access_token() -> str:
    return "ya29.emu-" + secrets.token_urlsafe(32)


def refresh_token() -> str:
    return "1//emu-" + secrets.token_urlsafe(32)


def auth_code() -> str:
    return "4/emu-" + secrets.token_urlsafe(24)
