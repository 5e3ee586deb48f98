"""JSON API v1: linked Google accounts, their sync settings, "sync now" and sync runs.

Thin views over the accounts, health and queue services (the same ones the pages use), so the API and the
pages agree on rules and messages.
"""
from flask import g, jsonify, request
from flask_babel import gettext as _

from wizard.accounts import services as accounts
from wizard.accounts import settings
from wizard.api.blueprint import bp
from wizard.api.http import ApiError, json_body, token_required
from wizard.crm.services import NotFound, is_id
from wizard.extensions import db
from wizard.health import services as health
from wizard.jobs.queue import progress
from wizard.messages import render
from wizard.models.accounts import GoogleAccount
from wizard.models.clock import iso_z
from wizard.models.sync import SyncRun

OBJECTS = ("contacts", "activities")


def _account(account_id):
    if not is_id(account_id):  # beyond the database's integer range: cannot exist
        raise NotFound(account_id)
    return accounts.account_for(g.api_user, account_id)  # 404 for another user's or an unlinked account


def account_body(account):
    body = accounts.account_dict(account)
    body["linked_at"] = iso_z(account.linked_at)
    return body


def run_body(run):
    data = progress(run.id)
    return {
        "id": run.id, "account_id": run.account_id, "object": run.object, "status": run.status,
        "trigger": run.trigger, "queued_at": iso_z(run.queued_at), "started_at": iso_z(run.started_at),
        "finished_at": iso_z(run.finished_at), "duration_seconds": run.duration_seconds,
        "counts": run.counts or {}, "api_calls": run.api_calls or 0,
        "progress": {"done": data.get("done", 0), "total": data.get("total", 0), "percent": data.get("percent", 0)},
        "outcome_code": run.outcome_code, "outcome": run.outcome_text() or None,
    }


@bp.get("/accounts")
@token_required
def accounts_list():
    return jsonify({"items": [account_body(a) for a in accounts.linked_accounts(g.api_user)]})


@bp.get("/accounts/<int:account_id>")
@token_required
def accounts_get(account_id):
    return jsonify(account_body(_account(account_id)))


@bp.get("/accounts/<int:account_id>/settings")
@token_required
def account_settings_get(account_id):
    return jsonify(settings.as_dict(_account(account_id)))


@bp.patch("/accounts/<int:account_id>/settings")
@token_required
def account_settings_update(account_id):
    account = _account(account_id)
    errors = settings.update(account, g.api_user, json_body())
    if errors:
        raise ApiError(422, "validation_failed", _("Some fields are not valid."),
                       {key: [str(m) for m in messages] for key, messages in errors.items()})
    return jsonify(settings.as_dict(account))


@bp.post("/accounts/<int:account_id>/sync")
@token_required
def account_sync(account_id):
    account = _account(account_id)
    data = json_body() if request.get_data() else {}
    unknown = sorted(set(data) - {"object"})
    wanted = data.get("object")
    if unknown:
        raise ApiError(422, "validation_failed", _("Some fields are not valid."),
                       {key: [_("Unknown field.")] for key in unknown})
    if wanted is not None and wanted not in OBJECTS:
        raise ApiError(422, "validation_failed", _("Some fields are not valid."),
                       {"object": [_("Choose one of: %(choices)s.", choices=", ".join(OBJECTS))]})
    try:
        run_ids = health.sync_now(account, [wanted] if wanted else None)
    except health.HealthError as error:
        raise ApiError(409, error.code, render(error.code)) from None
    response = jsonify({"run_id": run_ids[0], "run_ids": run_ids})
    response.status_code = 202
    return response


@bp.get("/sync-runs/<int:run_id>")
@token_required
def sync_run_get(run_id):
    run = db.session.get(SyncRun, run_id) if is_id(run_id) else None
    account = db.session.get(GoogleAccount, run.account_id) if run else None
    if account is None or account.user_id != g.api_user.id:
        raise NotFound(run_id)
    return jsonify(run_body(run))
