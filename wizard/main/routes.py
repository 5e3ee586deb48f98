from flask import abort, current_app, redirect, render_template, request, session
from flask_babel import refresh
from flask_login import current_user, login_required
from sqlalchemy import func, select

from wizard.auth.redirects import safe_next
from wizard.extensions import db
from wizard.main.blueprint import bp
from wizard.models import User


@bp.route("/")
@login_required
def index():
    user_count = db.session.scalar(select(func.count(User.id))) if current_user.is_admin else None
    return render_template("main/index.html", user_count=user_count)


@bp.route("/locale/<code>", methods=["GET", "POST"])
def switch_locale(code):
    """Saved on the user's profile when logged in (it follows them to every device), else in the session."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["locale"] = code
    if current_user.is_authenticated:
        current_user.locale = code
        db.session.commit()
    refresh()
    return redirect(safe_next(request.values.get("next") or _same_site_referrer()))


def _same_site_referrer():
    referrer = request.referrer or ""
    host = request.host_url
    return "/" + referrer[len(host):] if referrer.startswith(host) else None
