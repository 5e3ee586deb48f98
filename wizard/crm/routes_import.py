"""Importing contacts from a CSV or vCard file. Any uploaded file gets an answer: the contacts imported, the
records refused with their reasons, or one clear error for a file that cannot be read (never a 5xx)."""
import csv

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from wizard.crm import importing
from wizard.crm.blueprint import bp
from wizard.crm.forms import ImportForm
from wizard.crm.validation import ValidationError


class UnreadableFile(Exception):
    pass


def read_records(upload) -> list[dict]:
    raw = upload.read()
    # NUL bytes do not occur in CSV or vCard text: an image, an archive or a spreadsheet's binary format.
    if b"\x00" in raw:
        raise UnreadableFile(_("This is not a CSV or vCard file. Export the contacts as CSV or vCard and try again."))
    try:
        return importing.parse_file(upload.filename or "", raw)
    except (csv.Error, ValueError, RecursionError):
        # e.g. a field longer than the csv module's limit (131,072 characters), or broken quoting
        raise UnreadableFile(_("The file could not be read: a field is too long or the file is damaged.")) from None


@bp.route("/contacts/import", methods=["GET", "POST"])
@login_required
def contacts_import():
    form = ImportForm()
    result = None
    if form.validate_on_submit():
        try:
            records = read_records(form.file.data)
        except UnreadableFile as error:
            form.file.errors = [str(error)]
            records = None
        if records == []:
            form.file.errors = [_("No contacts found in this file.")]
        elif records:
            try:
                result = importing.import_contacts(current_user.id, records, form.tag_name.data or "")
            except ValidationError as error:
                form.tag_name.errors = [m for ms in error.as_text().values() for m in ms]
            else:
                flash(ngettext("%(num)d contact imported.", "%(num)d contacts imported.", result.created), "success")
                if not result.failed:
                    return redirect(url_for("crm.contacts"))
    return render_template("crm/contacts_import.html", form=form, result=result)
