"""Personal tags page: each user's own tags with their counts; create, rename, delete."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wizard.crm import services
from wizard.crm.blueprint import bp
from wizard.crm.forms import DeleteForm, TagForm
from wizard.crm.services import NotFound, ValidationError


@bp.route("/tags", methods=["GET", "POST"])
@login_required
def tags():
    form = TagForm()
    if form.validate_on_submit():
        try:
            tag = services.create_tag(current_user.id, form.name.data or "")
        except ValidationError as error:
            form.name.errors = error.as_text().get("name", [])
        else:
            flash(_("Tag “%(tag)s” created.", tag=tag.name), "success")
            return redirect(url_for("crm.tags"))
    return render_template("crm/tags.html", tags=services.list_tags(current_user.id), form=form,
                           counts=services.tag_counts(current_user.id), delete_form=DeleteForm())


@bp.route("/tags/<int:tag_id>/rename", methods=["POST"])
@login_required
def tag_rename(tag_id):
    form = TagForm()
    if form.validate_on_submit():
        try:
            services.rename_tag(current_user.id, tag_id, form.name.data or "")
        except NotFound:
            abort(404)
        except ValidationError as error:
            for messages in error.as_text().values():
                flash(" ".join(messages), "error")
        else:
            flash(_("Tag renamed."), "success")
    return redirect(url_for("crm.tags"))


@bp.route("/tags/<int:tag_id>/delete", methods=["POST"])
@login_required
def tag_delete(tag_id):
    if DeleteForm().validate_on_submit():
        try:
            services.delete_tag(current_user.id, tag_id)
        except NotFound:
            abort(404)
        flash(_("Tag deleted; the contacts stay."), "success")
    return redirect(url_for("crm.tags"))
