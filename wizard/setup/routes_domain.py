"""The wizard's "whole Google Workspace domain" path (/admin/setup/domain): the mode choice, Google's steps,
the key and domain, the verification. The documented per-user path (routes.py) is unchanged and stays the
default; choosing it here only sets the mode back."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wizard.accounts import domain as domain_accounts
from wizard.auth.decorators import admin_required
from wizard.google import workspace
from wizard.settings import values as services
from wizard.setup import domain, forms
from wizard.setup.blueprint import bp


@bp.route("/admin/setup/mode", methods=["GET", "POST"])
@admin_required
def mode():
    form = forms.ModeForm()
    if request.method == "GET":
        form.mode.data = services.get_setting("GoogleConnectionMode")
    if form.validate_on_submit():
        services.set_setting("GoogleConnectionMode", form.mode.data, current_user)
        if form.mode.data == "domain":
            return redirect(url_for("setup.domain_path"))
        stopped = domain_accounts.stop_for_personal_mode()
        if stopped:
            flash(_("%(count)s users connected through the domain were stopped: each may now link their own "
                    "Google account. Choosing the domain again and verifying reconnects them.", count=stopped),
                  "warning")
        return redirect(url_for("setup.start"))
    return render_template("setup/mode.html", form=form,
                           through_domain=len(domain_accounts.connected_through_domain()))


@bp.route("/admin/setup/domain", methods=["GET", "POST"])
@admin_required
def domain_path():
    form = forms.DomainKeyForm()
    errors = {}
    if request.method == "GET":
        form.domain.data = services.get_setting("WorkspaceDomain") or ""
    elif form.validate_on_submit():
        upload = form.key_file.data if form.key_file.data and form.key_file.data.filename else None
        raw = upload.stream.read(workspace.MAX_KEY_BYTES + 1) if upload else None
        errors = domain.save(raw, form.domain.data or "", current_user)
        if not errors:
            flash(_("The key and the domain were saved."), "success")
            return redirect(url_for("setup.domain_path", _anchor="verify"))
    return _render(form, errors=errors)


@bp.post("/admin/setup/domain/verify")
@admin_required
def domain_verify():
    form = forms.DomainVerifyForm()
    outcome = None
    if form.validate_on_submit():
        outcome = domain.verify(form.address.data or "")
        if outcome.good:
            enrolled = domain_accounts.enrol_domain()
            flash(_("%(count)s users of the domain were connected.", count=len(enrolled)), "success")
    return _render(forms.DomainKeyForm(formdata=None, domain=services.get_setting("WorkspaceDomain") or ""),
                   verify_form=form, outcome=outcome)


def _render(form, errors=None, verify_form=None, outcome=None):
    key = services.service_account_key()
    grant_domain = services.get_setting("WorkspaceDomain") or ""
    texts = outcome.texts(key.client_id if key else "", grant_domain) if outcome else None
    return render_template(
        "setup/domain.html", form=form, errors={k: m.render() for k, m in (errors or {}).items()},
        verify_form=verify_form or forms.DomainVerifyForm(formdata=None), outcome=outcome, texts=texts, key=key,
        domain=grant_domain, scopes_text=domain.scopes_text(), scopes=workspace.SCOPES,
        cloud_link=domain.console_link(domain.SERVICE_ACCOUNTS_PATH),
        admin_link=domain.console_link(domain.ADMIN_DELEGATION_PATH, admin=True),
        domain_mode=services.domain_mode())
