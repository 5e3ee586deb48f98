"""Importing contacts from a CSV or vCard file."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from wizard.crm import importing
from wizard.crm.blueprint import bp
from wizard.crm.forms import ImportForm
from wizard.crm.validation import ValidationError


@bp.route("/contacts/import", methods=["GET", "POST"])
@login_required
def contacts_import():
    form = ImportForm()
    result = None
    if form.validate_on_submit():
        upload = form.file.data
        records = importing.parse_file(upload.filename or "", upload.read())
        if not records:
            form.file.errors = [_("No contacts found in this file.")]
        else:
            try:
                result = importing.import_contacts(current_user.id, records, form.tag_name.data or "")
            except ValidationError as error:
                form.tag_name.errors = [m for ms in error.as_text().values() for m in ms]
            else:
                flash(ngettext("%(num)d contact imported.", "%(num)d contacts imported.", result.created), "success")
                if not result.failed:
                    return redirect(url_for("crm.contacts"))
    return render_template("crm/contacts_import.html", form=form, result=result)
