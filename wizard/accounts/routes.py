"""Pages of linked accounts: list, add (choose the service), OAuth start and callback, settings, unlink."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wizard.accounts import services, settings
from wizard.accounts.blueprint import bp
from wizard.accounts.forms import ConfirmForm
from wizard.accounts.linking import LinkError
from wizard.google import scopes

LEGACY_CALLBACK_ID = "3b22f0ff-034a-48da-8758-a0660e5a26ff"


@bp.get("/sync")
@login_required
def index():
    accounts = services.linked_accounts(current_user)
    return render_template("accounts/index.html", accounts=accounts, form=ConfirmForm(),
                           feature_states=scopes.feature_states, missing_scopes=scopes.missing)


@bp.get("/sync/add")
@bp.get("/sync/accounts/add", endpoint="add_alias")  # the CRM's Actions menu links here
@login_required
def add():
    return render_template("accounts/add.html", form=ConfirmForm())


@bp.post("/sync/connect/google")
@login_required
def connect():
    return _go_to_google(lambda: services.start_link(current_user))


@bp.post("/sync/accounts/<int:account_id>/reconnect")
@login_required
def reconnect(account_id):
    account = services.account_for(current_user, account_id)
    return _go_to_google(lambda: services.start_reconnect(current_user, account))


@bp.post("/sync/accounts/<int:account_id>/grant")
@login_required
def grant_missing(account_id):
    account = services.account_for(current_user, account_id)
    return _go_to_google(lambda: services.start_grant_missing(current_user, account))


def _go_to_google(start):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        return redirect(start())
    except LinkError as exc:
        flash(exc.message, "error")
        return redirect(url_for("accounts.index"))


@bp.get("/oauth/google/callback")
@bp.get("/0/ViewPage.aspx", endpoint="legacy_callback")
@login_required
def callback():
    if request.endpoint == "accounts.legacy_callback" and request.args.get("Id", "").lower() != LEGACY_CALLBACK_ID:
        abort(404)
    try:
        outcome = services.complete_link(current_user, request.args)
    except LinkError as exc:
        flash(exc.message, "error")
        return redirect(url_for("accounts.index"))
    if outcome.restart_url:
        return redirect(outcome.restart_url)
    flash(outcome.message, outcome.category)
    services.start_first_sync(outcome.account)
    return redirect(url_for("accounts.index"))


@bp.get("/sync/settings")
@login_required
def choose_settings():
    """"Действия → Синхронизировать контакты → Настроить...": straight to the only account, else a choice."""
    accounts = services.linked_accounts(current_user)
    if len(accounts) == 1:
        return redirect(url_for("accounts.edit_settings", account_id=accounts[0].id))
    if not accounts:
        flash(_("Link a Google account first."), "info")
        return redirect(url_for("accounts.add"))
    return render_template("accounts/choose.html", accounts=accounts)


@bp.route("/sync/accounts/<int:account_id>/settings", methods=["GET", "POST"])
@login_required
def edit_settings(account_id):
    account = services.account_for(current_user, account_id)
    form = settings.build_form(account, current_user, formdata=request.form if request.method == "POST" else None)
    tag_map, tag_errors = form.tag_choices(request.form) if request.method == "POST" else ({}, {})
    if form.validate_on_submit() and not tag_errors:
        settings.save(account, form, tag_map)
        flash(_("Sync settings saved."), "success")
        return redirect(url_for("accounts.edit_settings", account_id=account.id))
    if request.method == "POST":
        form.tag_labels = tag_map
    return render_template("accounts/settings.html", account=account, form=form, tag_errors=tag_errors,
                           features=scopes.feature_states(account.granted_scopes),
                           selected_tags=set(form.tag_labels)), (422 if request.method == "POST" else 200)


@bp.post("/sync/accounts/<int:account_id>/unlink")
@login_required
def unlink(account_id):
    account = services.account_for(current_user, account_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    flash(services.unlink(account), "success")
    return redirect(url_for("accounts.index"))
