"""Every user's own security: changing the password (the current one required), the login sessions (see them,
end one, log out everywhere) with the API tokens listed beside them, and choosing a password from a one-time
link (an invitation or a reset, which opens no session of its own until the password is set)."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from wizard.api.tokens import list_tokens
from wizard.auth import sessions
from wizard.auth.forms import ChangePasswordForm, SetPasswordForm
from wizard.extensions import db
from wizard.models.users import User
from wizard.users import links, services
from wizard.users.blueprint import bp
from wizard.users.forms import ActionForm


@bp.route("/profile/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors = [*form.current.errors, _("The current password is wrong.")]
        else:
            services.change_password(current_user, form.password.data, keep=sessions.current_row(current_user))
            flash(_("Your password is changed. Your other sessions have ended."), "success")
            return redirect(url_for("users.own_sessions"))
    return render_template("users/change_password.html", form=form)


@bp.route("/profile/sessions")
@login_required
def own_sessions():
    current = sessions.current_row(current_user)
    return render_template("users/sessions.html", rows=sessions.live_sessions(current_user.id),
                           current_id=current.id if current else None, tokens=list_tokens(current_user.id),
                           action=ActionForm())


@bp.route("/profile/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def end_own_session(session_id):
    if not ActionForm().validate_on_submit():
        abort(400)
    if not sessions.end_one(current_user.id, session_id):
        abort(404)
    flash(_("The session has ended."), "success")
    return redirect(url_for("users.own_sessions"))


@bp.route("/profile/sessions/end-all", methods=["POST"])
@login_required
def end_all_own_sessions():
    """Log out everywhere, this browser included."""
    if not ActionForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    services.end_sessions(user, user)
    logout_user()
    flash(_("You have logged out everywhere."), "info")
    return redirect(url_for("auth.login"))


def _link_user(token: str):
    found = links.peek(token)
    user = db.session.get(User, found[0]) if found else None
    if user is None or not user.is_active:
        abort(404)
    return user, found[1]


@bp.route("/account/link/<token>", methods=["GET", "POST"])
def link(token):
    user, purpose = _link_user(token)
    form = SetPasswordForm(user)
    if form.validate_on_submit():
        if links.take(token) is None:
            abort(410)  # used by another browser meanwhile
        if current_user.is_authenticated:
            sessions.end_current(current_user)
            logout_user()
        services.change_password(user, form.password.data, action="password_set")
        sessions.start(user)
        flash(_("Your password is saved. Welcome!"), "success")
        return redirect(url_for("main.index"))
    return render_template("users/set_password.html", form=form, person=user, purpose=purpose)
