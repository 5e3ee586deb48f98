"""The OpenAPI 3 document of /api/v1, written as data.

The schemas state exactly what the views return (`additionalProperties: false`), so the schemathesis run in
tests/api checks every response against them. Keep this file in step with `wizard.api.routes` and the
services' `*_to_dict` functions.
"""
from copy import deepcopy

from wizard.accounts.forms import CONFLICT_CHOICES, DIRECTION_CHOICES, NOTIFY_CHOICES, UNTAG_CHOICES
from wizard.crm.services import MAX_ID, MAX_PER_PAGE, SORTS
from wizard.models.crm import ACTIVITY_STATUSES, ACTIVITY_TYPES, CONTACT_FIELD_TYPES, RESPONSE_STATUSES


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def text(max_length, **extra):
    return {"type": "string", "maxLength": max_length, **extra}


def nullable(schema):
    return {**schema, "nullable": True}


ID = {"type": "integer", "format": "int32", "minimum": 1, "maximum": MAX_ID}
TIMESTAMP = {"type": "string", "format": "date-time"}
FIELD_TYPE = {"type": "string", "enum": list(CONTACT_FIELD_TYPES)}


def obj(properties, required=(), **extra):
    schema = {"type": "object", "properties": properties, "additionalProperties": False, **extra}
    if required:
        schema["required"] = list(required)
    return schema


EMAIL_IN = obj({"value": text(254, format="email"), "type": FIELD_TYPE}, ["value"])
PHONE_IN = obj({"value": text(50, pattern=r"^[0-9+\-() .]*[0-9][0-9+\-() .]*$"), "type": FIELD_TYPE}, ["value"])
ADDRESS = obj({"street": text(300), "city": text(100), "region": text(100), "postcode": text(20),
               "country": text(100), "type": FIELD_TYPE})
BIRTHDAY = obj({"day": {"type": "integer", "minimum": 1, "maximum": 31},
                "month": {"type": "integer", "minimum": 1, "maximum": 12},
                "year": nullable({"type": "integer", "minimum": 1850})}, ["day", "month"],
               description="A birthday; the year may be unknown (null).")
CONTACT_TEXT = {"first_name": text(100), "middle_name": text(100), "last_name": text(100),
                "display_name": text(300, description="Built from the name (or company, e-mail, phone) when empty."),
                "company": text(200), "job_title": text(200), "notes": text(10000)}

CONTACT_INPUT = obj({
    # The CRM reads null in a text field as empty (wizard.crm.validation.text), and the document says so.
    **{name: nullable({**schema, "description": f"{schema.get('description', '')} null is the same as empty.".strip()})
       for name, schema in CONTACT_TEXT.items()},
    "birthday": nullable(BIRTHDAY),
    "emails": {"type": "array", "maxItems": 20, "items": EMAIL_IN},
    "phones": {"type": "array", "maxItems": 20, "items": PHONE_IN},
    "addresses": {"type": "array", "maxItems": 20, "items": ADDRESS},
    "tags": {"type": "array", "items": text(100, minLength=1),
             "description": "Tag names; missing tags are created. On update, replaces the contact's tags."},
}, description="Needs at least a name, company, e-mail or phone. On PATCH, absent fields keep their values; "
               "lists given replace the old ones.")

CONTACT = obj({
    "id": ID, **{k: {"type": "string"} for k in CONTACT_TEXT},
    "birthday": nullable(obj({"day": {"type": "integer"}, "month": {"type": "integer"},
                              "year": nullable({"type": "integer"})}, ["day", "month", "year"])),
    "emails": {"type": "array", "items": obj({"value": {"type": "string"}, "normalized": {"type": "string"},
                                              "type": FIELD_TYPE}, ["value", "normalized", "type"])},
    "phones": {"type": "array", "items": obj({"value": {"type": "string"}, "normalized": {
        "type": "string", "description": "E.164 when the number parses, else its digits"}, "type": FIELD_TYPE},
        ["value", "normalized", "type"])},
    "addresses": {"type": "array", "items": {**ADDRESS, "required": list(ADDRESS["properties"])}},
    "tags": {"type": "array", "items": ref("TagRef")},
    "created_at": TIMESTAMP, "updated_at": TIMESTAMP, "deleted_at": nullable(TIMESTAMP),
}, ["id", *CONTACT_TEXT, "birthday", "emails", "phones", "addresses", "tags", "created_at", "updated_at",
    "deleted_at"])

TAG_REF = obj({"id": ID, "name": {"type": "string"}}, ["id", "name"])
TAG = obj({"id": ID, "name": {"type": "string"}, "personal": {"type": "boolean"},
           "contact_count": {"type": "integer", "minimum": 0}}, ["id", "name", "personal", "contact_count"],
          description="A tag, personal or public: only personal tags can select contacts for sync.")
TAG_INPUT = obj({"name": text(100, minLength=1),
                 "personal": {"type": "boolean", "default": True,
                              "description": "false: a public tag (shared; never selects contacts for sync)"}},
                ["name"])
TAG_PATCH = obj({"name": text(100, minLength=1)})
CONTACT_IDS = obj({"contact_ids": {"type": "array", "maxItems": 10000, "items": ID}}, ["contact_ids"])
CHANGED = obj({"changed": {"type": "integer", "minimum": 0}}, ["changed"])

RESPONSE_STATUS = {"type": "string", "enum": list(RESPONSE_STATUSES),
                   "description": "The participant's answer as Google Calendar reports it (attendee responseStatus)."}
PARTICIPANT_IN = obj({
    "contact_id": nullable({**ID, "description": "One of your contacts; invited at its first e-mail unless "
                                                "`email` says which."}),
    "email": nullable(text(254, format="email", description="Required without contact_id; an address held by "
                                                             "one of your contacts links that contact.")),
    "display_name": nullable(text(300)),
    "response_status": nullable({**RESPONSE_STATUS, "description": "Read-only: accepted and ignored (the "
                                                                   "answer comes from Google Calendar)."}),
})
PARTICIPANT = obj({"contact_id": nullable(ID), "email": {"type": "string"}, "display_name": {"type": "string"},
                   "response_status": RESPONSE_STATUS}, ["contact_id", "email", "display_name", "response_status"],
                  description="A participant: one of your contacts or a free e-mail address, synced with the "
                              "Google event's attendees.")

ACTIVITY_FIELDS = {
    "title": text(300), "type": {"type": "string", "enum": list(ACTIVITY_TYPES)},
    "status": {"type": "string", "enum": list(ACTIVITY_STATUSES)},
    "all_day": {"type": "boolean"},
    "start_at": nullable({**TIMESTAMP, "description": "Timed activities: the start instant (an offset-less "
                                                      "value is read in `timezone`)."}),
    "end_at": nullable({**TIMESTAMP, "description": "Defaults to an hour after the start."}),
    "timezone": {"type": "string", "description": "IANA zone, e.g. Europe/Moscow; defaults to the user's."},
    "start_date": nullable({"type": "string", "format": "date", "description": "All-day activities."}),
    "end_date": nullable({"type": "string", "format": "date", "description": "Inclusive; defaults to start_date."}),
    "location": text(300), "description": text(10000), "show_in_calendar": {"type": "boolean"},
    "participants": nullable({"type": "array", "maxItems": 200, "items": PARTICIPANT_IN,
                              "description": "The whole list: absent people are removed (on PATCH, leave it out "
                                             "to keep the participants)."}),
}
ACTIVITY_INPUT = obj(ACTIVITY_FIELDS, description="Timed: title and start_at. All-day: title, all_day=true and "
                                                  "start_date. On PATCH, absent fields keep their values.")
ACTIVITY_CREATE = {**ACTIVITY_INPUT, "required": ["title"]}
ACTIVITY = obj({
    "id": ID, **{k: {"type": "string"} for k in ("title", "timezone", "location", "description")},
    "type": ACTIVITY_FIELDS["type"], "status": ACTIVITY_FIELDS["status"], "all_day": {"type": "boolean"},
    "show_in_calendar": {"type": "boolean"},
    "start_at": nullable(TIMESTAMP), "end_at": nullable(TIMESTAMP),
    "start_date": nullable({"type": "string", "format": "date"}),
    "end_date": nullable({"type": "string", "format": "date"}),
    "created_at": TIMESTAMP, "updated_at": TIMESTAMP, "deleted_at": nullable(TIMESTAMP),
    "participants": {"type": "array", "items": ref("Participant")},
}, ["id", "title", "type", "status", "all_day", "start_at", "end_at", "timezone", "start_date", "end_date",
    "location", "description", "show_in_calendar", "created_at", "updated_at", "deleted_at", "participants"])

ERROR = obj({"error": obj({
    "code": {"type": "string"}, "message": {"type": "string"},
    "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
               "description": "Per-field messages: keys such as `first_name` or `emails.0.value`."},
}, ["code", "message"])}, ["error"])
ME = obj({"id": ID, "email": {"type": "string"}, "name": {"type": "string"}, "timezone": {"type": "string"},
          "locale": nullable({"type": "string"})}, ["id", "email", "name", "timezone", "locale"])


def page_of(name):
    return obj({"items": {"type": "array", "items": ref(name)}, "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1}, "total": {"type": "integer", "minimum": 0},
                "pages": {"type": "integer", "minimum": 1}}, ["items", "page", "per_page", "total", "pages"])


def json_content(schema):
    return {"application/json": {"schema": schema}}


def response(description, schema=None):
    body = {"description": description}
    if schema is not None:
        body["content"] = json_content(schema)
    return body


ERRORS = {
    "401": response("Missing, unknown or revoked token", ref("Error")),
}
NOT_FOUND = {"404": response("No such record (or another user's)", ref("Error"))}
INVALID = {"422": response("Validation failed; `error.fields` says why per field", ref("Error"))}
BAD_JSON = {"400": response("The body is not JSON", ref("Error"))}


def path_id(name):
    return {"name": name, "in": "path", "required": True, "schema": ID}


def query(name, schema, description=""):
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


PAGING = [query("page", {"type": "integer", "minimum": 1, "maximum": 100000}),
          query("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE})]


def operation(op_id, summary, tag, responses, *, params=(), body=None, invalid=False):
    result = {"operationId": op_id, "summary": summary, "tags": [tag], "responses": {**responses, **ERRORS}}
    if params:
        result["parameters"] = list(params)
    if body is not None:
        result["requestBody"] = {"required": True, "content": json_content(body)}
        result["responses"].update(BAD_JSON)
    if invalid or body is not None:
        result["responses"].update(INVALID)
    return result


def paths():
    contact_id, tag_id, activity_id = path_id("contact_id"), path_id("tag_id"), path_id("activity_id")
    return {
        "/me": {"get": operation("getMe", "The token's user", "me", {"200": response("The user", ref("Me"))})},
        "/contacts": {
            "get": operation("listContacts", "List contacts (search, tag filter, sort, pages)", "contacts",
                             {"200": response("A page of contacts", page_of("Contact")), **NOT_FOUND}, invalid=True,
                             params=[query("q", {"type": "string", "maxLength": 200},
                                           "Words matched in name, e-mail, phone and company"),
                                     query("tag", ID, "Only contacts with this tag id"),
                                     query("tag_name", {"type": "string", "maxLength": 100},
                                           "Only contacts with this tag name"),
                                     query("sort", {"type": "string", "enum": list(SORTS)}), *PAGING]),
            "post": operation("createContact", "Create a contact", "contacts",
                              {"201": response("Created", ref("Contact"))}, body=ref("ContactInput")),
        },
        "/contacts/{contact_id}": {
            "get": operation("getContact", "Get a contact", "contacts",
                             {"200": response("The contact", ref("Contact")), **NOT_FOUND}, params=[contact_id]),
            "patch": operation("updateContact", "Change some fields of a contact", "contacts",
                               {"200": response("The contact", ref("Contact")), **NOT_FOUND}, params=[contact_id],
                               body=ref("ContactInput")),
            "delete": operation("deleteContact", "Delete a contact (a tombstone stays for the sync)", "contacts",
                                {"204": response("Deleted"), **NOT_FOUND}, params=[contact_id]),
        },
        "/tags": {
            "get": operation("listTags", "List your personal tags", "tags",
                             {"200": response("Tags", obj({"items": {"type": "array", "items": ref("Tag")}},
                                                          ["items"]))}),
            "post": operation("createTag", "Create a tag", "tags", {"201": response("Created", ref("Tag"))},
                              body=ref("TagInput")),
        },
        "/tags/{tag_id}": {
            "get": operation("getTag", "Get a tag", "tags", {"200": response("The tag", ref("Tag")), **NOT_FOUND},
                             params=[tag_id]),
            "patch": operation("renameTag", "Rename a tag", "tags",
                               {"200": response("The tag", ref("Tag")), **NOT_FOUND}, params=[tag_id],
                               body=ref("TagPatch")),
            "delete": operation("deleteTag", "Delete a tag (its contacts stay)", "tags",
                                {"204": response("Deleted"), **NOT_FOUND}, params=[tag_id]),
        },
        "/tags/{tag_id}/contacts": {
            "post": operation("tagContacts", "Put the tag on contacts", "tags",
                              {"200": response("How many contacts newly got the tag", ref("Changed")), **NOT_FOUND},
                              params=[tag_id], body=ref("ContactIds")),
        },
        "/tags/{tag_id}/contacts/remove": {
            "post": operation("untagContacts", "Take the tag off contacts", "tags",
                              {"200": response("How many contacts lost the tag", ref("Changed")), **NOT_FOUND},
                              params=[tag_id], body=ref("ContactIds")),
        },
        "/activities": {
            "get": operation("listActivities", "List activities (newest first, or the days from..to)",
                             "activities", {"200": response("A page of activities", page_of("Activity"))},
                             invalid=True,
                             params=[query("status", {"type": "string", "enum": list(ACTIVITY_STATUSES)}),
                                     query("type", {"type": "string", "enum": list(ACTIVITY_TYPES)}),
                                     query("from", {"type": "string", "format": "date"},
                                           "First day (in the user's time zone); with `to`"),
                                     query("to", {"type": "string", "format": "date"}, "Last day, inclusive"),
                                     *PAGING]),
            "post": operation("createActivity", "Create an activity", "activities",
                              {"201": response("Created", ref("Activity"))}, body=ref("ActivityCreate")),
        },
        "/activities/{activity_id}": {
            "get": operation("getActivity", "Get an activity", "activities",
                             {"200": response("The activity", ref("Activity")), **NOT_FOUND}, params=[activity_id]),
            "patch": operation("updateActivity", "Change some fields of an activity", "activities",
                               {"200": response("The activity", ref("Activity")), **NOT_FOUND},
                               params=[activity_id], body=ref("ActivityInput")),
            "delete": operation("deleteActivity", "Delete an activity (a tombstone stays for the sync)",
                                "activities", {"204": response("Deleted"), **NOT_FOUND}, params=[activity_id]),
        },
    }


def sync_schemas():
    def enum(choices):
        return {"type": "string", "enum": [value for value, _label in choices]}

    settings = {
        "activities_auto": {"type": "boolean", "description": "Sync activities automatically"},
        "activities_period_minutes": {"type": "integer", "description": "Period of the automatic activities sync "
                                                                       "(5 minutes to 7 days)"},
        "activities_sync_from": {"type": "string", "format": "date", "description": "Sync activities starting from this date"},
        "contacts_auto": {"type": "boolean", "description": "Sync contacts automatically"},
        "sync_all_personal_tags": {"type": "boolean", "description": "Sync every personal tag of the user, each to "
                                   "a Google label of the same name (new tags included); `tags` then only renames "
                                   "labels. True for a newly linked account."},
        "contacts_period_minutes": {"type": "integer", "description": "Period of the automatic contacts sync "
                                                                     "(5 minutes to 1 day)"},
        "target_calendar_id": {"type": "string", "description": "From the account's calendar list; primary by default"},
        "contacts_direction": enum(DIRECTION_CHOICES), "activities_direction": enum(DIRECTION_CHOICES),
        "conflict_policy": enum(CONFLICT_CHOICES), "untag_policy": enum(UNTAG_CHOICES),
        "notify_attendees": enum(NOTIFY_CHOICES),
        "delete_in_google": {"type": "boolean", "description": "A record deleted in the CRM is deleted in Google"},
        "delete_in_crm": {"type": "boolean", "description": "A record deleted in Google is deleted in the CRM"},
        "tags": {"type": "array", "description": "Personal tags that select contacts, and their Google labels",
                 "items": obj({"tag_id": ID, "google_label": {"type": "string", "maxLength": 255}}, ["tag_id"])},
    }
    following = ("activities_period_minutes", "contacts_period_minutes", "conflict_policy", "delete_in_google",
                 "delete_in_crm")
    patch = {name: nullable(value) if name in following else value for name, value in settings.items()}
    shown = {**settings, "tags": {"type": "array", "items": obj({"tag_id": ID, "google_label": {"type": "string"}},
                                                                 ["tag_id", "google_label"])},
             "follows_system_defaults": {"type": "array", "items": {"type": "string", "enum": list(following)},
                                         "description": "Settings the account takes from the system settings "
                                                        "(Synchronization defaults), read at each run"}}
    return {
        "Account": obj({
            "id": ID, "email": {"type": "string"}, "name": {"type": "string"}, "status": {"type": "string"},
            "reason_code": nullable({"type": "string"}),
            "connection": {"type": "string", "enum": ["personal", "delegated"],
                           "description": "personal: its user linked it through Google's consent screen; "
                                          "delegated: the Workspace domain's delegation connects it, so "
                                          "reconnecting is the administrator's"},
            "features": {"type": "object", "additionalProperties": {"type": "boolean"},
                         "description": "Which features the granted scopes allow (contacts, activities, ...)"},
            "scopes_granted": {"type": "array", "items": {"type": "string"},
                               "description": "The OAuth scopes Google granted to this link"},
            "missing_features": {"type": "array", "items": {"type": "string"},
                                 "description": "Features the granted scopes do not allow (reconnect to grant them)"},
            "needs_reconnect": {"type": "boolean", "description": "Google refused the link (e.g. invalid_grant): "
                                                                  "only reconnecting brings it back"},
            "linked_at": nullable(TIMESTAMP)}, ["id", "email", "name", "status", "reason_code", "connection",
                                                "features", "scopes_granted", "missing_features", "needs_reconnect",
                                                "linked_at"]),
        "Guard": obj({
            "id": ID, "account_id": ID, "object": {"type": "string", "enum": ["contacts", "activities"]},
            "run_id": nullable(ID), "kind": {"type": "string"}, "code": {"type": "string"},
            "message": {"type": "string"}, "counts": {"type": "object"}, "created_at": nullable(TIMESTAMP),
            "confirmed_at": nullable(TIMESTAMP), "dismissed_at": nullable(TIMESTAMP), "open": {"type": "boolean"},
            "queued_run_id": {**ID, "description": "confirm: the forced run queued to go on"}},
            ["id", "account_id", "object", "run_id", "kind", "code", "message", "counts", "created_at",
             "confirmed_at", "dismissed_at", "open"],
            description="A run that stopped before writing anything and waits for a confirmation"),
        "AccountSettings": obj(shown, list(shown)),
        "AccountSettingsPatch": obj(patch, description="Absent fields keep their values; every value is "
                                                       "checked as on the settings page. null: follow the system "
                                                       "default again."),
        "SyncRequest": obj({"object": {"type": "string", "enum": ["contacts", "activities"]}},
                           description="Without `object`, every object the account granted access to."),
        "SyncStarted": obj({"run_id": ID, "run_ids": {"type": "array", "items": ID}}, ["run_id", "run_ids"]),
        "SyncRun": obj({
            "id": ID, "account_id": ID, "object": {"type": "string"}, "status": {"type": "string"},
            "trigger": {"type": "string"}, "queued_at": nullable(TIMESTAMP), "started_at": nullable(TIMESTAMP),
            "finished_at": nullable(TIMESTAMP), "duration_seconds": nullable({"type": "number"}),
            "counts": {"type": "object", "description": "created/updated/deleted per side, conflicts, issues"},
            "api_calls": {"type": "integer"},
            "progress": obj({"done": {"type": "integer"}, "total": {"type": "integer"},
                             "percent": {"type": "integer"}}, ["done", "total", "percent"]),
            "outcome_code": nullable({"type": "string"}), "outcome": nullable({"type": "string"})},
            ["id", "account_id", "object", "status", "trigger", "queued_at", "started_at", "finished_at",
             "duration_seconds", "counts", "api_calls", "progress", "outcome_code", "outcome"]),
    }


def sync_paths():
    account_id = path_id("account_id")
    conflict = {"409": response("The account cannot sync now (needs reconnecting, or no access granted)",
                                ref("Error"))}
    sync = operation("syncAccount", "Sync now: queue a run per object; returns the run ids", "sync",
                     {"202": response("Queued (or the run already queued)", ref("SyncStarted")), **NOT_FOUND,
                      **conflict}, params=[account_id], body=ref("SyncRequest"))
    sync["requestBody"]["required"] = False
    return {
        "/accounts": {"get": operation("listAccounts", "Your linked Google accounts", "accounts", {
            "200": response("Accounts", obj({"items": {"type": "array", "items": ref("Account")}}, ["items"]))})},
        "/accounts/{account_id}": {"get": operation(
            "getAccount", "A linked account (never its tokens)", "accounts",
            {"200": response("The account", ref("Account")), **NOT_FOUND}, params=[account_id])},
        "/accounts/{account_id}/settings": {
            "get": operation("getAccountSettings", "Sync settings of an account", "accounts",
                             {"200": response("Settings", ref("AccountSettings")), **NOT_FOUND}, params=[account_id]),
            "patch": operation("updateAccountSettings", "Change sync settings", "accounts",
                               {"200": response("Settings", ref("AccountSettings")), **NOT_FOUND},
                               params=[account_id], body=ref("AccountSettingsPatch")),
        },
        "/accounts/{account_id}/sync": {"post": sync},
        "/accounts/{account_id}/guards": {"get": operation(
            "listGuards", "Runs of the account waiting for a confirmation", "sync",
            {"200": response("Open guards", obj({"items": {"type": "array", "items": ref("Guard")}}, ["items"])),
             **NOT_FOUND}, params=[account_id])},
        "/accounts/{account_id}/guards/{guard_id}/confirm": {"post": operation(
            "confirmGuard", "Confirm a waiting run: a forced run is queued to go on", "sync",
            {"202": response("Confirmed; queued_run_id is the run that goes on", ref("Guard")), **NOT_FOUND,
             "409": response("The run no longer waits", ref("Error"))},
            params=[account_id, path_id("guard_id")])},
        "/accounts/{account_id}/guards/{guard_id}/dismiss": {"post": operation(
            "dismissGuard", "Dismiss a waiting run: nothing is written, the next run checks again", "sync",
            {"200": response("Dismissed", ref("Guard")), **NOT_FOUND}, params=[account_id, path_id("guard_id")])},
        "/sync-runs/{run_id}": {"get": operation(
            "getSyncRun", "A sync run: status, progress, counts, outcome", "sync",
            {"200": response("The run", ref("SyncRun")), **NOT_FOUND}, params=[path_id("run_id")])},
    }


SCHEMAS = {
    "Contact": CONTACT, "ContactInput": CONTACT_INPUT, "Tag": TAG, "TagRef": TAG_REF, "TagInput": TAG_INPUT,
    "TagPatch": TAG_PATCH, "ContactIds": CONTACT_IDS, "Changed": CHANGED, "Activity": ACTIVITY, "Participant": PARTICIPANT,
    "ActivityInput": ACTIVITY_INPUT, "ActivityCreate": ACTIVITY_CREATE, "Error": ERROR, "Me": ME,
}


def document() -> dict:
    schemas, all_paths = {**SCHEMAS, **sync_schemas()}, {**paths(), **sync_paths()}
    return deepcopy({
        "openapi": "3.0.3",
        "info": {"title": "Google Sync Wizard CRM API", "version": "1.0.0",
                 "description": "Contacts, personal tags and activities of the token's user. Send "
                                "`Authorization: Bearer <token>`; create tokens on the profile page "
                                "(/profile/api-tokens) or with `syncwizard token create EMAIL`."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "paths": all_paths,
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
        },
    })
