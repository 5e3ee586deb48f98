"""The API's plumbing: bearer-token authentication, JSON errors, and reading request input."""
from functools import wraps

from flask import g, jsonify, request
from flask_babel import gettext as _

from wizard.api.tokens import user_for_token
from wizard.crm.validation import ValidationError


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields


def error_response(status, code, message, fields=None):
    body = {"error": {"code": code, "message": message}}
    if fields is not None:
        body["error"]["fields"] = fields
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def validation_error(error: ValidationError):
    return error_response(422, "validation_failed", _("Some fields are not valid."), error.as_text())


def field_error(field: str, message: str):
    return ApiError(422, "validation_failed", _("Some fields are not valid."), {field: [message]})


def token_required(view):
    """Authenticate by `Authorization: Bearer <token>`; the user becomes Flask-Login's current_user for this
    request only (so the locale and time zone follow the user), without touching any session."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _sep, value = header.partition(" ")
        user = user_for_token(value.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            return error_response(401, "unauthorized", _("A valid API token is required (Authorization: Bearer …)."))
        g._login_user = user
        g.api_user = user
        return view(*args, **kwargs)

    return wrapper


def json_body() -> dict:
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, "invalid_json", _("The request body must be JSON."))
    if not isinstance(data, dict):
        raise ApiError(422, "validation_failed", _("Some fields are not valid."), {"": [_("Must be an object.")]})
    return data


def int_query(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise field_error(name, _("Must be a whole number.")) from None
    if not low <= value <= high:
        raise field_error(name, _("Must be between %(low)d and %(high)d.", low=low, high=high))
    return value


def text_query(name: str, max_length: int) -> str:
    value = request.args.get(name, "")
    if len(value) > max_length:
        raise field_error(name, _("At most %(max)d characters.", max=max_length))
    return value


def choice_query(name: str, choices, default=None):
    raw = request.args.get(name)
    if raw is None:
        return default
    if raw not in choices:
        raise field_error(name, _("Choose one of: %(choices)s.", choices=", ".join(choices)))
    return raw


def page_body(page, serialize):
    return {"items": [serialize(item) for item in page.items], "page": page.page, "per_page": page.per_page,
            "total": page.total, "pages": page.pages}
