"""Contacts pages: the list (search, tag filter, sort, pages, bulk actions) and the contact card."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from wizard.redirects import safe_next
from wizard.crm import participants, services
from wizard.crm.blueprint import bp
from wizard.crm.forms import BulkForm, ContactForm, DeleteForm, TagForm
from wizard.crm.services import NotFound, ValidationError

PER_PAGE_CHOICES = (25, 50, 100, 200)


MAX_PAGE = 1_000_000  # beyond any list; larger numbers would overflow the database's OFFSET


def int_arg(name, default=None):
    """A whole-number query argument; anything else, or one too large for the database, is the default."""
    try:
        value = int(request.args.get(name, ""))
    except ValueError:
        return default
    return value if abs(value) < 2**53 else default


def page_number() -> int:
    return min(max(1, int_arg("page", 1) or 1), MAX_PAGE)


def list_state():
    """The list's query state (search, tag, sort, page size), kept across pages and actions."""
    sort = request.args.get("sort", "name")
    per_page = int_arg("per_page", 50)
    return {
        "q": request.args.get("q", "").replace("\x00", "").strip()[:200],  # PostgreSQL text holds no NUL
        "tag": int_arg("tag"),
        "sort": sort if sort in services.SORTS else "name",
        "per_page": per_page if per_page in PER_PAGE_CHOICES else 50,
    }


def owned_contact(contact_id):
    try:
        return services.get_contact(current_user.id, contact_id)
    except NotFound:
        abort(404)


@bp.route("/contacts")
@login_required
def contacts():
    state = list_state()
    tags = services.list_tags(current_user.id)
    active_tag = next((t for t in tags if t.id == state["tag"]), None)
    page = services.list_contacts(current_user.id, q=state["q"], tag_id=active_tag.id if active_tag else None,
                                  sort=state["sort"], page=page_number(),
                                  per_page=state["per_page"])
    bulk = BulkForm(q=state["q"], tag=state["tag"] or "")
    return render_template("crm/contacts.html", page=page, state=state, tags=tags, active_tag=active_tag,
                           bulk=bulk, per_page_choices=PER_PAGE_CHOICES)


@bp.route("/contacts/bulk", methods=["POST"])
@login_required
def contacts_bulk():
    form = BulkForm()
    back = redirect(safe_next(request.form.get("next"), "crm.contacts"))  # the one check every redirect uses
    if not form.validate_on_submit():
        flash(_("The form expired; please try again."), "error")
        return back
    if form.all_matching.data:
        tag_id = int(form.tag.data) if (form.tag.data or "").isdigit() else None
        ids = services.matching_contact_ids(current_user.id, q=(form.q.data or "").replace("\x00", ""), tag_id=tag_id)
    else:
        ids = [int(v) for v in request.form.getlist("ids") if v.isdigit()]
    if not ids:
        flash(_("Select at least one contact."), "warning")
        return back
    action = form.action.data
    try:
        if action == "delete":
            count = services.delete_contacts(current_user.id, ids)
            flash(ngettext("%(num)d contact deleted.", "%(num)d contacts deleted.", count), "success")
        elif action in ("tag", "untag"):
            name = (form.tag_name.data or "").strip()
            if action == "tag":
                tag = services.get_or_create_tag(current_user.id, name)
                count = services.tag_contacts(current_user.id, tag.id, ids)
                flash(ngettext("Tag “%(tag)s” added to %(num)d contact.", "Tag “%(tag)s” added to %(num)d contacts.",
                               count, tag=tag.name), "success")
            else:
                tag = services.find_tag(current_user.id, name)
                if tag is None:
                    flash(_("You have no tag named “%(tag)s”.", tag=name), "warning")
                    return back
                count = services.untag_contacts(current_user.id, tag.id, ids)
                flash(ngettext("Tag “%(tag)s” removed from %(num)d contact.",
                               "Tag “%(tag)s” removed from %(num)d contacts.", count, tag=tag.name), "success")
        else:
            abort(400)
    except ValidationError as error:
        for messages in error.as_text().values():
            for message in messages:
                flash(message, "error")
    return back


@bp.route("/contacts/new", methods=["GET", "POST"])
@login_required
def contact_new():
    form = ContactForm()
    if request.method == "GET":
        form.fill({}, [])
    general = []
    if form.validate_on_submit():
        data, origins = form.to_input()
        try:
            contact = services.create_contact(current_user.id, data)
        except ValidationError as error:
            general = form.apply_errors(error.as_text(), origins)
        else:
            flash(_("Contact “%(name)s” created.", name=contact.display_name), "success")
            return redirect(url_for("crm.contact_card", contact_id=contact.id))
    return render_template("crm/contact_form.html", form=form, contact=None, general_errors=general,
                           tag_names=[t.name for t in services.list_tags(current_user.id)])


@bp.route("/contacts/<int:contact_id>")
@login_required
def contact_card(contact_id):
    contact = owned_contact(contact_id)
    return render_template("crm/contact_card.html", contact=contact, delete_form=DeleteForm(),
                           tag_form=TagForm(), tag_names=[t.name for t in services.list_tags(current_user.id)],
                           participations=participants.contact_activities(current_user.id, contact.id))


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@login_required
def contact_edit(contact_id):
    contact = owned_contact(contact_id)
    form = ContactForm()
    if request.method == "GET":
        form.fill(services.contact_to_input(contact), [t.name for t in contact.tags])
    general = []
    if form.validate_on_submit():
        data, origins = form.to_input()
        try:
            services.update_contact(current_user.id, contact.id, data)
        except ValidationError as error:
            general = form.apply_errors(error.as_text(), origins)
        else:
            flash(_("Contact saved."), "success")
            return redirect(url_for("crm.contact_card", contact_id=contact.id))
    return render_template("crm/contact_form.html", form=form, contact=contact, general_errors=general,
                           tag_names=[t.name for t in services.list_tags(current_user.id)])


@bp.route("/contacts/<int:contact_id>/delete", methods=["POST"])
@login_required
def contact_delete(contact_id):
    contact = owned_contact(contact_id)
    if DeleteForm().validate_on_submit():
        services.delete_contact(current_user.id, contact.id)
        flash(_("Contact “%(name)s” deleted.", name=contact.display_name), "success")
    return redirect(url_for("crm.contacts"))


@bp.route("/contacts/<int:contact_id>/tags", methods=["POST"])
@login_required
def contact_tag_add(contact_id):
    contact = owned_contact(contact_id)
    form = TagForm()
    if form.validate_on_submit():
        try:
            tag = services.get_or_create_tag(current_user.id, form.name.data or "")
            services.tag_contacts(current_user.id, tag.id, [contact.id])
        except ValidationError as error:
            for messages in error.as_text().values():
                flash(" ".join(messages), "error")
    return redirect(url_for("crm.contact_card", contact_id=contact.id))


@bp.route("/contacts/<int:contact_id>/tags/<int:tag_id>/remove", methods=["POST"])
@login_required
def contact_tag_remove(contact_id, tag_id):
    contact = owned_contact(contact_id)
    if DeleteForm().validate_on_submit():
        try:
            services.untag_contacts(current_user.id, tag_id, [contact.id])
        except NotFound:
            abort(404)
    return redirect(url_for("crm.contact_card", contact_id=contact.id))
