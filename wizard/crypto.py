"""Encryption of secrets and tokens at rest (Fernet: AES-128-CBC + HMAC-SHA256).

Keys live outside the database (ENCRYPTION_KEYS, newest first, comma-separated). MultiFernet decrypts with
any listed key and encrypts with the first, so rotation is: put a new key first, run `syncwizard rotate-key`
(which re-encrypts every stored value), then drop the old key.
"""
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


class DecryptionError(Exception):
    """A stored value cannot be decrypted with any configured key."""


def _keys(app=None):
    app = app or current_app
    raw = app.config.get("ENCRYPTION_KEYS") or ""
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    if not keys:
        raise RuntimeError("ENCRYPTION_KEYS is empty")
    return keys


def fernet(app=None) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in _keys(app)])


def encrypt(plaintext: str, app=None) -> str:
    return fernet(app).encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str, app=None) -> str:
    try:
        return fernet(app).decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise DecryptionError("stored secret cannot be decrypted with the configured keys") from exc


def rotate(token: str, app=None) -> str:
    """Re-encrypt a stored value with the newest key."""
    try:
        return fernet(app).rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise DecryptionError("stored secret cannot be decrypted with the configured keys") from exc
