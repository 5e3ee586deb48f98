"""JSON API v1: contacts, tags and tagging, activities. Each view reads input, calls a CRM service, and
returns the record in the shape the OpenAPI document (`wizard.api.openapi`) describes."""
from datetime import date

from flask import g, jsonify, request
from flask_babel import gettext as _

from wizard.api.blueprint import bp
from wizard.api.http import (
    ApiError,
    choice_query,
    field_error,
    int_query,
    json_body,
    page_body,
    text_query,
    token_required,
)
from wizard.crm import services
from wizard.crm.services import MAX_ID, MAX_PER_PAGE, Page
from wizard.crm.validation import zone_of
from wizard.models.crm import ACTIVITY_STATUSES, ACTIVITY_TYPES


def owner() -> int:
    return g.api_user.id


def user_zone() -> str:
    return zone_of(g.api_user)


def created(body):
    response = jsonify(body)
    response.status_code = 201
    return response


def no_content():
    return "", 204


def tag_to_dict(tag, counts=None):
    body = {"id": tag.id, "name": tag.name, "personal": tag.personal}
    if counts is not None:
        body["contact_count"] = counts.get(tag.id, 0)
    return body


# --- me -----------------------------------------------------------------------------------------------------

@bp.get("/me")
@token_required
def me():
    user = g.api_user
    return jsonify({"id": user.id, "email": user.email, "name": user.name or "", "timezone": user.timezone or "UTC",
                    "locale": user.locale})


# --- contacts -----------------------------------------------------------------------------------------------

@bp.get("/contacts")
@token_required
def contacts_list():
    # Every parameter is checked before any is used, so a bad one is always a 422.
    tag_id = int_query("tag", 0, 1, MAX_ID) or None
    tag_name = text_query("tag_name", 100)
    q = text_query("q", 200)
    sort = choice_query("sort", tuple(services.SORTS), "name")
    number, per_page = int_query("page", 1, 1, 100000), int_query("per_page", 50, 1, MAX_PER_PAGE)
    if tag_id is not None:
        services.get_tag(owner(), tag_id)  # another user's tag is 404, not an empty list
    elif tag_name.strip():
        tag = services.find_tag(owner(), " ".join(tag_name.split()))
        if tag is None:
            return jsonify(page_body(Page([], 0, number, per_page), dict))
        tag_id = tag.id
    page = services.list_contacts(owner(), q=q, tag_id=tag_id, sort=sort, page=number, per_page=per_page)
    return jsonify(page_body(page, services.contact_to_dict))


@bp.post("/contacts")
@token_required
def contacts_create():
    contact = services.create_contact(owner(), json_body(), origin="api")
    return created(services.contact_to_dict(contact))


@bp.get("/contacts/<int:contact_id>")
@token_required
def contacts_get(contact_id):
    return jsonify(services.contact_to_dict(services.get_contact(owner(), contact_id)))


@bp.patch("/contacts/<int:contact_id>")
@token_required
def contacts_update(contact_id):
    services.get_contact(owner(), contact_id)  # 404 before 4xx about the body
    contact = services.update_contact(owner(), contact_id, json_body(), origin="api")
    return jsonify(services.contact_to_dict(contact))


@bp.delete("/contacts/<int:contact_id>")
@token_required
def contacts_delete(contact_id):
    services.delete_contact(owner(), contact_id, origin="api")
    return no_content()


# --- tags ---------------------------------------------------------------------------------------------------

@bp.get("/tags")
@token_required
def tags_list():
    counts = services.tag_counts(owner())
    return jsonify({"items": [tag_to_dict(t, counts) for t in services.list_tags(owner())]})


@bp.post("/tags")
@token_required
def tags_create():
    data = json_body()
    unknown = set(data) - {"name"}
    if unknown:
        raise ApiError(422, "validation_failed", _("Some fields are not valid."),
                       {key: [_("Unknown field.")] for key in sorted(unknown)})
    tag = services.create_tag(owner(), data.get("name"))
    return created(tag_to_dict(tag, {}))


@bp.get("/tags/<int:tag_id>")
@token_required
def tags_get(tag_id):
    return jsonify(tag_to_dict(services.get_tag(owner(), tag_id), services.tag_counts(owner())))


@bp.patch("/tags/<int:tag_id>")
@token_required
def tags_update(tag_id):
    services.get_tag(owner(), tag_id)
    data = json_body()
    unknown = set(data) - {"name"}
    if unknown:
        raise ApiError(422, "validation_failed", _("Some fields are not valid."),
                       {key: [_("Unknown field.")] for key in sorted(unknown)})
    tag = services.rename_tag(owner(), tag_id, data.get("name"), origin="api") if "name" in data else \
        services.get_tag(owner(), tag_id)
    return jsonify(tag_to_dict(tag, services.tag_counts(owner())))


@bp.delete("/tags/<int:tag_id>")
@token_required
def tags_delete(tag_id):
    services.delete_tag(owner(), tag_id, origin="api")
    return no_content()


def contact_ids_body():
    data = json_body()
    unknown = set(data) - {"contact_ids"}
    ids = data.get("contact_ids")
    if unknown:
        raise ApiError(422, "validation_failed", _("Some fields are not valid."),
                       {key: [_("Unknown field.")] for key in sorted(unknown)})
    if not isinstance(ids, list) or not all(services.is_id(i) for i in ids):
        raise field_error("contact_ids", _("Must be a list of contact ids."))
    if len(ids) > 10000:
        raise field_error("contact_ids", _("At most %(max)d entries.", max=10000))
    return ids


@bp.post("/tags/<int:tag_id>/contacts")
@token_required
def tags_add_contacts(tag_id):
    services.get_tag(owner(), tag_id)
    changed = services.tag_contacts(owner(), tag_id, contact_ids_body(), origin="api")
    return jsonify({"changed": changed})


@bp.post("/tags/<int:tag_id>/contacts/remove")
@token_required
def tags_remove_contacts(tag_id):
    services.get_tag(owner(), tag_id)
    changed = services.untag_contacts(owner(), tag_id, contact_ids_body(), origin="api")
    return jsonify({"changed": changed})


# --- activities ---------------------------------------------------------------------------------------------

def date_query(name):
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise field_error(name, _("Not a valid date.")) from None
    if not 1900 <= value.year <= 2999:
        raise field_error(name, _("Not a valid date."))
    return value


@bp.get("/activities")
@token_required
def activities_list():
    status = choice_query("status", ACTIVITY_STATUSES)
    kind = choice_query("type", ACTIVITY_TYPES)
    number, per_page = int_query("page", 1, 1, 100000), int_query("per_page", 50, 1, MAX_PER_PAGE)
    first, last = date_query("from"), date_query("to")
    if first is None and last is None:
        page = services.list_activities(owner(), status=status, type=kind, page=number, per_page=per_page)
        return jsonify(page_body(page, services.activity_to_dict))
    if first is None or last is None:
        raise field_error("from" if first is None else "to", _("Give both “from” and “to”."))
    if last < first or (last - first).days > 366:
        raise field_error("to", _("“to” must be on or after “from”, at most a year later."))
    items = [a for a in services.activities_between(owner(), first, last, user_zone())
             if (status is None or a.status == status) and (kind is None or a.type == kind)]
    start = (number - 1) * per_page
    return jsonify(page_body(Page(items[start:start + per_page], len(items), number, per_page),
                             services.activity_to_dict))


@bp.post("/activities")
@token_required
def activities_create():
    activity = services.create_activity(owner(), json_body(), default_zone=user_zone(), origin="api")
    return created(services.activity_to_dict(activity))


@bp.get("/activities/<int:activity_id>")
@token_required
def activities_get(activity_id):
    return jsonify(services.activity_to_dict(services.get_activity(owner(), activity_id)))


@bp.patch("/activities/<int:activity_id>")
@token_required
def activities_update(activity_id):
    services.get_activity(owner(), activity_id)
    activity = services.update_activity(owner(), activity_id, json_body(), origin="api")
    return jsonify(services.activity_to_dict(activity))


@bp.delete("/activities/<int:activity_id>")
@token_required
def activities_delete(activity_id):
    services.delete_activity(owner(), activity_id, origin="api")
    return no_content()
