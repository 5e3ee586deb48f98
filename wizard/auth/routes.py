"""Login, logout, the first administrator's page and the profile. A login opens a server-side session
(wizard.auth.sessions); logout ends it for every copy of its cookies."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from sqlalchemy import select

from wizard.auth import first_admin, sessions
from wizard.auth.blueprint import bp
from wizard.auth.passwords import dummy_check
from wizard.auth.forms import FirstAdminForm, LoginForm, ProfileForm
from wizard.auth.redirects import safe_next
from wizard.auth.throttle import throttled_login
from wizard.extensions import db
from wizard.models import User


def _find_user(email):
    return db.session.scalar(select(User).where(User.email == User.normalize_email(email)))


@bp.route("/login", methods=["GET", "POST"])
@throttled_login
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = _find_user(form.email.data)
        # The same scrypt work whether the account exists, is disabled or not: timing tells nothing.
        usable = user is not None and user.is_active
        if user.check_password(form.password.data) if usable else dummy_check(form.password.data):
            sessions.start(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")))
        # One message for a wrong e-mail and a wrong password: do not reveal which accounts exist.
        flash(_("Wrong e-mail or password."), "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        sessions.end_current(current_user)
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/setup/first-admin/<token>", methods=["GET", "POST"])
def first_admin_setup(token):
    if first_admin.admin_exists():
        abort(410)
    if not first_admin.token_is_valid(token):
        abort(404)
    form = FirstAdminForm()
    if form.validate_on_submit():
        user = first_admin.create_first_admin(token, form.email.data, form.password.data)
        if user is None:
            abort(410)
        sessions.start(user)
        flash(_("The administrator account is ready. Next: the setup wizard."), "success")
        return redirect(url_for("setup.start"))  # the message promises the wizard: go there
    return render_template("auth/first_admin.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(current_app.config["LANGUAGES"], obj=current_user)
    if request.method == "GET" and not current_user.locale:
        form.locale.data = current_app.config["BABEL_DEFAULT_LOCALE"]
    if form.validate_on_submit():
        current_user.name = form.name.data.strip()
        current_user.locale = form.locale.data
        current_user.timezone = form.timezone.data
        db.session.commit()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form)
