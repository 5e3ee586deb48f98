"""Login throttling per account and per client IP, counted in the shared limiter storage (Redis).

Only failed attempts count (a successful login redirects), so a user who types the password right is never
locked out by their own successful logins; a breach answers 429 before the password is even checked.
"""
from flask import current_app, request
from flask_limiter.util import get_remote_address

from wizard.extensions import limiter
from wizard.models import User


def _account_key() -> str:
    return "login-account:" + User.normalize_email(request.form.get("email", ""))


def _ip_key() -> str:
    return "login-ip:" + (get_remote_address() or "unknown")


def _failed(response) -> bool:
    return response.status_code not in (301, 302, 303)


def throttled_login(view):
    per_account = limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_account_key,
                                methods=["POST"], deduct_when=_failed, scope="login-account")
    per_ip = limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], key_func=_ip_key,
                           methods=["POST"], deduct_when=_failed, scope="login-ip")
    return per_ip(per_account(view))
