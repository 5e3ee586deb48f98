"""JSON errors for everything under /api/v1, including unknown paths (never the HTML error pages)."""
from flask import jsonify
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from wizard.api.blueprint import bp
from wizard.api.http import ApiError, error_response, validation_error
from wizard.api.openapi import document
from wizard.crm.services import NotFound
from wizard.crm.validation import ValidationError
from wizard.main.errors import PAGES

TRANSLATED_PAGES = (400, 405, 413)


def not_found():
    return error_response(404, "not_found", _("Not found."))


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())


@bp.route("/<anypath:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown_path(rest):
    return not_found()


@bp.errorhandler(ValidationError)
def on_validation(error):
    return validation_error(error)


@bp.errorhandler(ApiError)
def on_api_error(error):
    return error_response(error.status, error.code, error.message, error.fields)


@bp.errorhandler(NotFound)
def on_not_found(error):
    return not_found()


@bp.errorhandler(HTTPException)
def on_http(error):
    if error.code == 404:
        return not_found()
    if error.code == 429:  # Flask-Limiter's description is its limit string, untranslated
        return error_response(429, "too_many_requests", _("Too many requests. Please wait a minute and try again."))
    code = error.code or 500
    # Werkzeug's descriptions are English only; the site's translated wording for the generic ones.
    message = PAGES[code][1] if code in TRANSLATED_PAGES else (error.description or error.name)
    return error_response(code, (error.name or "error").lower().replace(" ", "_"), str(message))
