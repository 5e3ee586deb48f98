"""Sync settings of a linked account ("Настроить..."): defaults, the calendar list, saving."""
import json
import logging

import requests
from authlib.integrations.base_client import OAuthError
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from wizard.accounts.forms import SettingsForm, period_minutes, split_period
from wizard.extensions import db
from wizard.form_choices import label_of, select_choices
from wizard.google import scopes
from wizard.google.tokens import NotConfigured, ReconnectNeeded, get_oauth_session
from wizard.models.accounts import AccountSettings, AccountTagMapping, map_personal_tags
from wizard.models.crm import Tag
from wizard.redis import get_redis
from wizard.settings.values import google_credentials

log = logging.getLogger(__name__)
CALENDAR_CACHE_SECONDS = 300
WRITABLE_ROLES = {"owner", "writer"}

PLAIN_FIELDS = ("activities_auto", "activities_sync_from", "contacts_auto", "contacts_direction",
                "activities_direction", "conflict_policy", "delete_in_google", "delete_in_crm", "untag_policy",
                "notify_attendees", "sync_all_personal_tags")


def settings_of(account) -> AccountSettings:
    if account.settings is None:
        account.settings = new_settings()
        db.session.commit()
    return account.settings


def new_settings() -> AccountSettings:
    """A new account's settings: the periods and policies follow the administrator's defaults (the system
    settings) until the user sets their own; every personal tag syncs until the user chooses tags."""
    return AccountSettings(sync_all_personal_tags=True)


def follow_personal_tags(account, user) -> None:
    """While the account syncs every personal tag, map each one its user has, to a label of the same name."""
    map_personal_tags(account, personal_tags(user))


def personal_tags(user):
    """The user's personal tags (public tags never sync)."""
    return db.session.scalars(
        select(Tag).where(Tag.owner_id == user.id, Tag.personal.is_(True)).order_by(Tag.name)).all()


def calendars(account):
    """[(id, name)] of the calendars the account can write to, primary first; None when Google cannot say."""
    if not scopes.has(account.granted_scopes, scopes.CALENDAR_LIST):
        return None
    key = f"accounts:calendars:{account.id}"
    cached = get_redis().get(key)
    if cached:
        return [tuple(item) for item in json.loads(cached)]
    try:
        items = _fetch_calendars(account)
    except (ReconnectNeeded, NotConfigured, OAuthError, requests.RequestException, ValueError) as exc:
        log.warning("calendar list of account %s unavailable: %s", account.id, exc.__class__.__name__)
        return None
    get_redis().set(key, json.dumps(items), ex=CALENDAR_CACHE_SECONDS)
    return items


def _fetch_calendars(account):
    url = current_app.config["GOOGLE_CALENDAR_API_URL"].rstrip("/") + "/users/me/calendarList"
    session = get_oauth_session(account, google_credentials(account))
    items, page = [], None
    for _ in range(20):  # 250 calendars a page: more than anyone has
        params = {"maxResults": 250, **({"pageToken": page} if page else {})}
        response = session.get(url, params=params, timeout=15)
        response.raise_for_status()
        body = response.json()
        for item in body.get("items", []):
            if item.get("accessRole") in WRITABLE_ROLES and not item.get("deleted"):
                calendar_id = "primary" if item.get("primary") else item["id"]
                items.append((calendar_id, item.get("summaryOverride") or item.get("summary") or item["id"]))
        page = body.get("nextPageToken")
        if not page:
            break
    items.sort(key=lambda pair: pair[0] != "primary")
    return items


def calendar_choices(account, current):
    found = calendars(account)
    choices = list(found) if found else [("primary", _("Primary calendar"))]
    choices = [(cid, _("%(name)s (primary)", name=name) if cid == "primary" and found else name)
               for cid, name in choices]
    if current and current not in {cid for cid, _name in choices}:
        choices.append((current, account.settings.target_calendar_name or current))
    return select_choices(choices), found is not None


def build_form(account, user, formdata=None):
    current = settings_of(account)
    form = SettingsForm(formdata=formdata, obj=None if formdata else current, tags=personal_tags(user))
    if formdata is None:
        form.activities_period.data, form.activities_period_unit.data = split_period(current.activities_period_minutes)
        form.contacts_period.data, form.contacts_period_unit.data = split_period(current.contacts_period_minutes)
    form.target_calendar_id.choices, calendars_known = calendar_choices(account, current.target_calendar_id)
    form.calendars_known = calendars_known
    form.tag_labels = {m.tag_id: m.google_label for m in account.tag_mappings}
    form.sends_nothing = account.sends_no_contacts
    return form


def save(account, form, tag_map, reset=()) -> None:
    """`reset`: settings to follow the system default again (the API's null)."""
    current = settings_of(account)
    for name in PLAIN_FIELDS:
        _assign(current, name, getattr(form, name).data)
    _assign(current, "activities_period_minutes", period_minutes(form.activities_period, form.activities_period_unit))
    _assign(current, "contacts_period_minutes", period_minutes(form.contacts_period, form.contacts_period_unit))
    for name in reset:
        setattr(current, name, None)
    current.target_calendar_id = form.target_calendar_id.data
    current.target_calendar_name = label_of(form.target_calendar_id.choices, form.target_calendar_id.data)
    _save_tag_map(account, form, tag_map)
    db.session.commit()


def _assign(current, name, value):
    """A value equal to the system default the setting follows is not made the account's own: saving the
    page without touching it keeps following the installation's default."""
    if name in AccountSettings.FOLLOWING and current.follows(name) and getattr(current, name) == value:
        return
    setattr(current, name, value)


def _save_tag_map(account, form, tag_map):
    if form.sync_all_personal_tags.data:  # every tag; a label typed for it is kept
        tag_map = {tag.id: tag_map.get(tag.id) or tag.name for tag in form.tags}
    allowed = {tag.id for tag in form.tags}
    wanted = {tag_id: label for tag_id, label in tag_map.items() if tag_id in allowed}
    for mapping in list(account.tag_mappings):
        if mapping.tag_id not in wanted:
            account.tag_mappings.remove(mapping)
        else:
            mapping.google_label = wanted.pop(mapping.tag_id)
    for tag_id, label in wanted.items():
        account.tag_mappings.append(AccountTagMapping(tag_id=tag_id, google_label=label))


# For the JSON API: the same fields and the same validation as the page, periods in minutes.
API_FIELDS = PLAIN_FIELDS + ("activities_period_minutes", "contacts_period_minutes", "target_calendar_id")
BOOLEAN_FIELDS = ("activities_auto", "contacts_auto", "delete_in_google", "delete_in_crm", "sync_all_personal_tags")


def as_dict(account) -> dict:
    current = settings_of(account)
    data = {name: getattr(current, name) for name in API_FIELDS}
    data["activities_sync_from"] = current.activities_sync_from.isoformat()
    data["tags"] = [{"tag_id": m.tag_id, "google_label": m.google_label} for m in account.tag_mappings]
    data["follows_system_defaults"] = [name for name in AccountSettings.FOLLOWING if current.follows(name)]
    return data


def update(account, user, data: dict) -> dict:
    """Apply a partial update; return {field: [messages]} and save nothing when any value is refused."""
    unknown = sorted(set(data) - set(API_FIELDS) - {"tags"})
    if unknown:
        return {name: [_("Unknown field.")] for name in unknown}
    # null: follow the system default again (validated as the value it stands for)
    reset = [name for name in AccountSettings.FOLLOWING if name in data and data[name] is None]
    data = {name: value for name, value in data.items() if name not in reset}
    merged = {**as_dict(account), **data}
    errors = {name: [_("Must be true or false.")] for name in BOOLEAN_FIELDS if not isinstance(merged[name], bool)}
    for name in ("activities_period_minutes", "contacts_period_minutes"):
        if isinstance(merged[name], bool) or not isinstance(merged[name], int):
            errors[name] = [_("Must be a whole number of minutes.")]
    tag_map, tag_errors = _tags_from_api(merged["tags"], user)
    errors.update(tag_errors)
    if errors:
        return errors
    formdata = MultiDict({name: str(merged[name]) for name in API_FIELDS if name not in BOOLEAN_FIELDS})
    formdata.update({name: "y" for name in BOOLEAN_FIELDS if merged[name]})
    formdata["activities_period"] = str(merged["activities_period_minutes"])
    formdata["activities_period_unit"] = "minutes"
    formdata["contacts_period"] = str(merged["contacts_period_minutes"])
    formdata["contacts_period_unit"] = "minutes"
    form = SettingsForm(formdata=formdata, meta={"csrf": False}, tags=personal_tags(user))
    form.target_calendar_id.choices, _known = calendar_choices(account, settings_of(account).target_calendar_id)
    if not form.validate():
        renamed = {"activities_period": "activities_period_minutes", "contacts_period": "contacts_period_minutes"}
        return {renamed.get(name, name): [str(m) for m in messages] for name, messages in form.errors.items()}
    save(account, form, tag_map, reset)
    return {}


def _tags_from_api(items, user):
    allowed = {tag.id: tag.name for tag in personal_tags(user)}
    if not isinstance(items, list):
        return {}, {"tags": [_("Must be a list of {tag_id, google_label}.")]}
    tag_map = {}
    for item in items:
        tag_id = item.get("tag_id") if isinstance(item, dict) else None
        if isinstance(tag_id, bool) or not isinstance(tag_id, int) or tag_id not in allowed:
            return {}, {"tags": [_("Unknown personal tag.")]}
        label = item.get("google_label") or allowed[tag_id]
        if not isinstance(label, str) or len(label) > 255:
            return {}, {"tags": [_("The Google label can be at most 255 characters long.")]}
        tag_map[tag_id] = label.strip() or allowed[tag_id]
    return tag_map, {}
