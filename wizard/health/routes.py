"""Sync health of one account: token health, runs per object, progress, issues, conflicts, guards."""
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wizard.accounts import services as accounts
from wizard.accounts.forms import ConfirmForm
from wizard.health import services
from wizard.health.blueprint import bp
from wizard.health.services import HealthError
from wizard.messages import render


def _back(account):
    return redirect(url_for("health.account_health", account_id=account.id))


def _checked():
    if not ConfirmForm().validate_on_submit():
        abort(400)


@bp.get("/sync/accounts/<int:account_id>/health")
@login_required
def account_health(account_id):
    account = accounts.account_for(current_user, account_id)
    objects = services.object_health(account)
    return render_template(
        "health/account.html", account=account, form=ConfirmForm(), token=services.token_health(account),
        objects=objects, active=any(o.active_run for o in objects), issues=services.open_issues(account),
        conflicts=services.open_conflicts(account), guards=services.open_guards(account),
        reason_text=lambda code: render(services.reason_text_code(code)))


@bp.get("/sync/accounts/<int:account_id>/health/progress")
@login_required
def progress(account_id):
    account = accounts.account_for(current_user, account_id)
    return jsonify(services.progress(account))


@bp.post("/sync/accounts/<int:account_id>/health/sync")
@login_required
def sync_now(account_id):
    account = accounts.account_for(current_user, account_id)
    _checked()
    wanted = request.form.get("object")
    try:
        services.sync_now(account, [wanted] if wanted else None)
        flash(_("Sync started."), "success")
    except HealthError as exc:
        flash(render(exc.code), "error")
    return _back(account)


@bp.post("/sync/accounts/<int:account_id>/health/issues/<int:issue_id>/retry")
@login_required
def retry_issue(account_id, issue_id):
    account = accounts.account_for(current_user, account_id)
    _checked()
    try:
        services.retry_issue(account, issue_id)
        flash(_("The record will be tried again now."), "success")
    except HealthError as exc:
        flash(render(exc.code), "error")
    return _back(account)


@bp.post("/sync/accounts/<int:account_id>/health/conflicts/<int:conflict_id>/resolve")
@login_required
def resolve_conflict(account_id, conflict_id):
    account = accounts.account_for(current_user, account_id)
    _checked()
    services.resolve_conflict(account, conflict_id, request.form.get("keep"), current_user)
    flash(_("Your choice is saved; the next sync applies it."), "success")
    return _back(account)


@bp.post("/sync/accounts/<int:account_id>/health/guards/<int:guard_id>/confirm")
@login_required
def confirm_guard(account_id, guard_id):
    account = accounts.account_for(current_user, account_id)
    _checked()
    services.confirm_guard(account, guard_id, current_user)
    flash(_("Confirmed: the sync runs now."), "success")
    return _back(account)


@bp.post("/sync/accounts/<int:account_id>/health/guards/<int:guard_id>/dismiss")
@login_required
def dismiss_guard(account_id, guard_id):
    account = accounts.account_for(current_user, account_id)
    _checked()
    services.dismiss_guard(account, guard_id)
    return _back(account)
