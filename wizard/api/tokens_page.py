"""The user's API tokens page (/profile/api-tokens): create a token (its value shown once), revoke one."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField

from wizard.api import tokens

bp = Blueprint("api_tokens", __name__, url_prefix="/profile/api-tokens")


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"), description=_l("What it is for, e.g. “reporting script”."))


class RevokeForm(FlaskForm):
    pass


@bp.route("", methods=["GET", "POST"])
@login_required
def index():
    form = TokenForm()
    new_value = None
    if form.validate_on_submit():
        _token, new_value = tokens.create_token(current_user.id, form.name.data or "")
        form.name.data = ""
    return render_template("crm/api_tokens.html", form=form, revoke_form=RevokeForm(), new_value=new_value,
                           tokens=tokens.list_tokens(current_user.id))


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id):
    if not RevokeForm().validate_on_submit():
        abort(400)
    if not tokens.revoke_token(current_user.id, token_id):
        abort(404)
    flash(_("The token is revoked."), "success")
    return redirect(url_for("api_tokens.index"))
