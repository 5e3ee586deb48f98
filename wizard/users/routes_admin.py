"""Administrators' pages: the list of users (search), inviting someone, one person's page (role, disable or
enable, a password reset link, ending their sessions, their audit log)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from wizard.accounts import domain
from wizard.auth import admin_required
from wizard.extensions import db
from wizard.models.users import User
from wizard.users import links, services
from wizard.users.blueprint import bp
from wizard.users.forms import ROLE_NAMES, ActionForm, InviteForm, RoleForm
from wizard.users.services import UserError

MAX_QUERY = 200


def _page_arg() -> int:
    raw = request.args.get("page", "1")
    # A page number beyond any list is the last page's problem, not an overflow: anything odd is page 1.
    return int(raw) if raw.isdigit() and len(raw) <= 6 else 1


def _person(user_id: int) -> User:
    user = db.session.get(User, user_id)  # (ids beyond an INTEGER are 404 already: wizard.main.guards)
    if user is None:
        abort(404)
    return user


def _link_url(token: str) -> str:
    return request.url_root.rstrip("/") + links.path(token)


@bp.route("/admin/users")
@admin_required
def index():
    q = request.args.get("q", "")[:MAX_QUERY]
    page = services.search(q, _page_arg())
    return render_template("users/index.html", page=page, q=q, action=ActionForm())


@bp.route("/admin/users/new", methods=["GET", "POST"])
@admin_required
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        try:
            user, token = services.invite(current_user, form.email.data, form.name.data, form.role.data)
        except UserError as error:
            form.email.errors = [*form.email.errors, str(error.message)]
        else:
            domain.enrol_new_user(user)  # domain mode: connected to Google before they first sign in
            return _show_link(user, token, _("The account of %(email)s is created. Send them this link to choose "
                                             "a password.", email=user.email))
    return render_template("users/invite.html", form=form)


def _show_link(user: User, token: str, message: str):
    """The one page that ever shows a link: it is not kept, so the administrator copies it now."""
    return render_template("users/link.html", person=user, link=_link_url(token), message=message)


@bp.route("/admin/users/<int:user_id>")
@admin_required
def person(user_id):
    user = _person(user_id)
    return render_template("users/person.html", person=user, role_form=RoleForm(role=user.role),
                           action=ActionForm(), entries=services.recent_audit(user.id),
                           live=len(services.sessions.live_sessions(user.id)))


def _guarded(user_id, operation, done_message):
    """Run one POSTed operation on a person; a refusal is shown on their page and changes nothing."""
    user = _person(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        operation(user)
    except UserError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        flash(done_message, "success")
    return redirect(url_for("users.person", user_id=user.id))


@bp.route("/admin/users/<int:user_id>/role", methods=["POST"])
@admin_required
def role(user_id):
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Choose a role from the list."), "error")
        return redirect(url_for("users.person", user_id=_person(user_id).id))
    return _guarded(user_id, lambda user: services.set_role(current_user, user, form.role.data),
                    _("The role is saved."))


@bp.route("/admin/users/<int:user_id>/disable", methods=["POST"])
@admin_required
def disable(user_id):
    return _guarded(user_id, lambda user: services.disable(current_user, user),
                    _("The account is disabled: its sessions and API tokens stopped working and its Google "
                      "accounts stopped syncing."))


@bp.route("/admin/users/<int:user_id>/enable", methods=["POST"])
@admin_required
def enable(user_id):
    return _guarded(user_id, lambda user: services.enable(current_user, user), _("The account is enabled."))


@bp.route("/admin/users/<int:user_id>/end-sessions", methods=["POST"])
@admin_required
def end_sessions(user_id):
    return _guarded(user_id, lambda user: services.end_sessions(current_user, user),
                    _("Every session of this person has ended."))


@bp.route("/admin/users/<int:user_id>/reset-link", methods=["POST"])
@admin_required
def reset_link(user_id):
    user = _person(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        token = services.reset_link(current_user, user)
    except UserError as error:
        flash(str(error.message), "error")
        return redirect(url_for("users.person", user_id=user.id))
    return _show_link(user, token, _("Send %(email)s this link to choose a new password.", email=user.email))


@bp.app_template_global()
def audit_text(entry) -> str:
    """An audit entry in words (the stored action is a code, so the log reads in either language)."""
    texts = {
        "created": lambda: _("Account created (%(role)s)", role=ROLE_NAMES.get(entry.detail, entry.detail)),
        "role": lambda: _("Role changed to %(role)s", role=ROLE_NAMES.get(entry.detail, entry.detail)),
        "disabled": lambda: _("Account disabled"),
        "enabled": lambda: _("Account enabled"),
        "reset_link": lambda: _("Password reset link issued"),
        "sessions_ended": lambda: _("All sessions ended"),
        "password_changed": lambda: _("Password changed"),
        "password_set": lambda: _("Password set from a one-time link"),
    }
    return texts[entry.action]() if entry.action in texts else entry.action
