"""The administrator's table of users under domain-wide delegation (/admin/domain/users): each CRM user's
Google address and connection state, with a switch per user and the mapping of a user to a domain address
other than their CRM e-mail."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from wizard.accounts import domain
from wizard.auth import admin_required
from wizard.extensions import db
from wizard.models.users import User
from wizard.settings.values import delegation
from wizard.users.blueprint import bp
from wizard.users.forms import ActionForm, DomainAddressForm


@bp.get("/admin/domain/users")
@admin_required
def domain_members():
    grant = delegation()
    return render_template("users/domain.html", members=domain.members(), grant=grant, action=ActionForm(),
                           address_form=DomainAddressForm(formdata=None))


@bp.post("/admin/domain/users/enrol")
@admin_required
def domain_enrol_all():
    if not ActionForm().validate_on_submit():
        abort(400)
    enrolled = domain.enrol_domain()
    flash(_("%(count)s users of the domain were connected.", count=len(enrolled)), "success")
    return redirect(url_for("users.domain_members"))


@bp.post("/admin/domain/users/<int:user_id>/on")
@admin_required
def domain_switch_on(user_id):
    user = db.session.get(User, user_id) or abort(404)
    form = DomainAddressForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "danger")
        return redirect(url_for("users.domain_members", _anchor=f"member-{user.id}"))
    try:
        account = domain.enrol(user, (form.address.data or "").strip() or None)
    except domain.DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        flash(_("Google sync through the domain is on for %(email)s (%(address)s).", email=user.email,
                address=account.email), "success")
    return redirect(url_for("users.domain_members", _anchor=f"member-{user.id}"))


@bp.post("/admin/domain/users/<int:user_id>/off")
@admin_required
def domain_switch_off(user_id):
    user = db.session.get(User, user_id) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    account = domain.delegated_account(user)
    if account is not None and account.is_linked:
        domain.switch_off(account)
    flash(_("Google sync through the domain is off for %(email)s. Their CRM data and Google data are kept.",
            email=user.email), "success")
    return redirect(url_for("users.domain_members", _anchor=f"member-{user.id}"))
