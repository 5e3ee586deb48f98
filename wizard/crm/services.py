"""CRM services: every write to contacts, tags and activities goes through here.

Pages, the API, the demo seed and the sync engine all call these functions. Each write validates its input
(`wizard.crm.validation`), keeps the derived columns (display/sort/search text) in step, and appends to the
change cursor in the same transaction. `origin` says who wrote ("user", "api", or the engine's own value such
as "sync"), so the engine can skip echoes of its own applies. By default each call commits; the engine may
pass `commit=False` to batch several writes into one transaction.

Records of another owner, and tombstones, are "not found" (`NotFound`), never "forbidden": a user cannot
even learn that another's record exists.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, func, insert, or_, select, union_all
from sqlalchemy.orm import aliased, selectinload

from wizard.crm import participants as activity_participants
from wizard.crm.changes import record_change
from wizard.crm.sync_soon import contacts_soon
from wizard.crm.validation import (
    ValidationError,
    clean_activity,
    clean_contact,
    compose_display_name,
    is_storable,
)
from wizard.extensions import db
from wizard.models.accounts import map_new_personal_tag
from wizard.models.clock import iso_z
from wizard.models.crm import (
    Activity,
    Contact,
    ContactAddress,
    ContactEmail,
    ContactPhone,
    Tag,
    contact_tags,
)

__all__ = [
    "NotFound", "ValidationError", "Page", "create_contact", "update_contact", "delete_contact",
    "delete_contacts", "get_contact", "get_contacts", "list_contacts", "contact_to_dict", "list_tags",
    "get_tag", "get_or_create_tag", "create_tag", "rename_tag", "delete_tag", "tag_contacts",
    "untag_contacts", "create_activity", "update_activity", "delete_activity", "get_activity",
    "list_activities", "activities_between", "activity_to_dict",
]

SORTS = {
    "name": (Contact.sort_name, Contact.id),
    "-name": (Contact.sort_name.desc(), Contact.id.desc()),
    "company": (Contact.company_key, Contact.id),
    "-company": (Contact.company_key.desc(), Contact.id.desc()),
    "updated": (Contact.updated_at, Contact.id),
    "-updated": (Contact.updated_at.desc(), Contact.id.desc()),
}
MAX_PER_PAGE = 200


class NotFound(LookupError):
    pass


def now():
    return datetime.now(timezone.utc)


def _commit(commit):
    if commit:
        db.session.commit()
    else:
        db.session.flush()


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


# --- contacts -----------------------------------------------------------------------------------------------

def contact_to_input(contact: Contact) -> dict:
    """The editable fields of a stored contact, in input shape (for partial updates and forms)."""
    return {
        "first_name": contact.first_name, "middle_name": contact.middle_name, "last_name": contact.last_name,
        "display_name": contact.display_name if contact.display_name != _automatic_display_name(contact) else "",
        "company": contact.company, "job_title": contact.job_title, "notes": contact.notes,
        "birthday": ({"day": contact.birthday_day, "month": contact.birthday_month, "year": contact.birthday_year}
                     if contact.birthday_day else None),
        "emails": [{"value": e.value, "type": e.type} for e in contact.emails],
        "phones": [{"value": p.value, "type": p.type} for p in contact.phones],
        "addresses": [{"street": a.street, "city": a.city, "region": a.region, "postcode": a.postcode,
                       "country": a.country, "type": a.type} for a in contact.addresses],
    }


def _automatic_display_name(contact):
    """What the display name would be if the user had not typed one (an explicit one is kept apart)."""
    composed = compose_display_name({
        "first_name": contact.first_name, "middle_name": contact.middle_name, "last_name": contact.last_name,
        "company": contact.company, "emails": [{"value": e.value} for e in contact.emails]})
    return composed or (contact.phones[0].value if contact.phones else "")


def contact_to_dict(contact: Contact) -> dict:
    """The public shape of a contact (API responses, and the record the sync engine reads)."""
    data = contact_to_input(contact)
    data["display_name"] = contact.display_name
    data["emails"] = [{"value": e.value, "normalized": e.normalized, "type": e.type} for e in contact.emails]
    data["phones"] = [{"value": p.value, "normalized": p.normalized, "type": p.type} for p in contact.phones]
    data.update(
        id=contact.id,
        tags=[{"id": t.id, "name": t.name} for t in contact.tags],
        created_at=iso_z(contact.created_at), updated_at=iso_z(contact.updated_at),
        deleted_at=iso_z(contact.deleted_at),
    )
    return data


def _apply_contact(contact: Contact, data: dict) -> None:
    for name in ("first_name", "middle_name", "last_name", "company", "job_title", "notes"):
        setattr(contact, name, data[name])
    birthday = data["birthday"] or {}
    contact.birthday_day, contact.birthday_month = birthday.get("day"), birthday.get("month")
    contact.birthday_year = birthday.get("year")
    contact.emails = [ContactEmail(position=i, **e) for i, e in enumerate(data["emails"])]
    contact.phones = [ContactPhone(position=i, **p) for i, p in enumerate(data["phones"])]
    contact.addresses = [ContactAddress(position=i, **a) for i, a in enumerate(data["addresses"])]
    contact.display_name = compose_display_name(data) or (data["phones"][0]["value"] if data["phones"] else "")
    contact.sort_name = contact.display_name.casefold()[:300]
    contact.company_key = contact.company.casefold()[:200]
    contact.search_text = _search_text(data, contact.display_name)
    contact.updated_at = now()


def _search_text(data, display_name):
    parts = [display_name, data["first_name"], data["middle_name"], data["last_name"], data["company"],
             data["job_title"]]
    parts += [e["value"] for e in data["emails"]]
    for phone in data["phones"]:
        parts += [phone["value"], phone["normalized"], "".join(ch for ch in phone["value"] if ch.isdigit())]
    return "\n".join(p for p in parts if p).casefold()


MAX_ID = 2**31 - 1  # ids are INTEGER columns (32-bit on PostgreSQL): larger ones cannot exist, and overflow


def is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def _owned(model, owner_id, record_id, *, include_deleted=False):
    if not is_id(record_id):
        raise NotFound(record_id)
    record = db.session.get(model, record_id)
    if record is None or record.owner_id != owner_id or (record.is_deleted and not include_deleted):
        raise NotFound(record_id)
    return record


def get_contact(owner_id: int, contact_id: int, *, include_deleted=False) -> Contact:
    return _owned(Contact, owner_id, contact_id, include_deleted=include_deleted)


def _owned_many(model, owner_id: int, ids, include_deleted: bool) -> list:
    ids = _int_ids(ids)
    if not ids:
        return []
    # By primary key alone, the owner checked here: with the owner in the WHERE clause SQLite reads the
    # owner's index (every row of theirs) for each slice of ids, which made a first sync O(n²) (issue 16).
    query = select(model).where(model.id.in_(ids))
    if not include_deleted:
        query = query.where(model.deleted_at.is_(None))
    return [row for row in db.session.scalars(query) if row.owner_id == owner_id]


def get_contacts(owner_id: int, ids, *, include_deleted=True) -> list[Contact]:
    """Several contacts by id (tombstones included by default: the engine needs to see deletions)."""
    return _owned_many(Contact, owner_id, ids, include_deleted)


def create_contact(owner_id: int, data: dict, *, origin="user", commit=True) -> Contact:
    cleaned = clean_contact(data)
    contact = Contact(owner_id=owner_id, created_at=now())
    _apply_contact(contact, cleaned)
    db.session.add(contact)
    if cleaned["tags"]:
        contact.tags = _contact_tags(owner_id, cleaned["tags"])
    db.session.flush()
    record_change(owner_id, "contact", contact.id, origin)
    _commit(commit)
    return contact


def update_contact(owner_id: int, contact_id: int, data: dict, *, origin="user", commit=True) -> Contact:
    """Partial update: fields absent from `data` keep their value; lists given replace the old ones."""
    contact = get_contact(owner_id, contact_id)
    if not isinstance(data, dict):
        raise ValidationError({"": ["Must be an object."]})
    cleaned = clean_contact({**contact_to_input(contact), **data})
    _apply_contact(contact, cleaned)
    if cleaned["tags"] is not None:
        contact.tags = _contact_tags(owner_id, cleaned["tags"])
    record_change(owner_id, "contact", contact.id, origin)
    _commit(commit)
    return contact


def delete_contact(owner_id: int, contact_id: int, *, origin="user", commit=True) -> Contact:
    """Tombstone: the row stays (with its tags) so the sync sees the deletion; it leaves every list."""
    contact = get_contact(owner_id, contact_id)
    contact.deleted_at = contact.updated_at = now()
    record_change(owner_id, "contact", contact.id, origin)
    _commit(commit)
    return contact


def delete_contacts(owner_id: int, contact_ids, *, origin="user", commit=True) -> int:
    contacts = get_contacts(owner_id, _int_ids(contact_ids), include_deleted=False)
    stamp = now()
    for contact in contacts:
        contact.deleted_at = contact.updated_at = stamp
        record_change(owner_id, "contact", contact.id, origin)
    _commit(commit)
    return len(contacts)


def _int_ids(ids):
    return [i for i in ids if is_id(i)]


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contacts_query(owner_id: int, *, q: str = "", tag_id: int | None = None):
    query = select(Contact).where(Contact.owner_id == owner_id, Contact.deleted_at.is_(None))
    for word in (q or "").casefold().split():
        conditions = [Contact.search_text.like(_like(word), escape="\\")]
        digits = "".join(ch for ch in word if ch.isdigit())
        if len(digits) >= 3 and digits != word:
            conditions.append(Contact.search_text.like(_like(digits), escape="\\"))
        query = query.where(or_(*conditions))
    if tag_id is not None:
        query = query.where(Contact.id.in_(select(contact_tags.c.contact_id).where(contact_tags.c.tag_id == tag_id)))
    return query


def matching_contact_ids(owner_id: int, *, q: str = "", tag_id: int | None = None) -> list[int]:
    """Every live contact id a search matches (bulk actions on "all matching")."""
    return list(db.session.scalars(contacts_query(owner_id, q=q, tag_id=tag_id).with_only_columns(Contact.id)))


def list_contacts(owner_id: int, *, q: str = "", tag_id: int | None = None, sort: str = "name",
                  page: int = 1, per_page: int = 50) -> Page:
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    query = contacts_query(owner_id, q=q, tag_id=tag_id)
    order = SORTS.get(sort, SORTS["name"])
    offset = (page - 1) * per_page
    # Counting and the page are two queries: with a search, collecting every matching id in order (one pass)
    # measured slower than a count plus a LIMITed page (benchmarks/contacts_list.py).
    total = db.session.scalar(select(func.count()).select_from(query.with_only_columns(Contact.id).subquery()))
    items = list(db.session.scalars(query.order_by(*order).limit(per_page).offset(offset).options(*_LIST_LOADS)))
    return Page(items=items, total=total, page=page, per_page=per_page)


_LIST_LOADS = (selectinload(Contact.tags), selectinload(Contact.emails), selectinload(Contact.phones))


# --- tags ---------------------------------------------------------------------------------------------------

def list_tags(owner_id: int) -> list[Tag]:
    return list(db.session.scalars(select(Tag).where(Tag.owner_id == owner_id).order_by(Tag.name)))


def tag_counts(owner_id: int) -> dict[int, int]:
    rows = db.session.execute(
        select(contact_tags.c.tag_id, func.count())
        .join(Contact, Contact.id == contact_tags.c.contact_id)
        .where(Contact.owner_id == owner_id, Contact.deleted_at.is_(None))
        .group_by(contact_tags.c.tag_id))
    return dict(rows.all())


def get_tag(owner_id: int, tag_id: int) -> Tag:
    if not is_id(tag_id):
        raise NotFound(tag_id)
    tag = db.session.get(Tag, tag_id)
    if tag is None or tag.owner_id != owner_id:
        raise NotFound(tag_id)
    return tag


def _clean_tag_name(name) -> str:
    # The limit counts what is sent, as for every text field (the API documents maxLength 100 on the raw value).
    if not isinstance(name, str) or not is_storable(name) or not " ".join(name.split()) or len(name) > 100:
        raise ValidationError({"name": [_l("A tag name has 1 to 100 characters.")]})
    return " ".join(name.split())


def find_tag(owner_id: int, name: str) -> Tag | None:
    wanted = name.casefold()
    return next((t for t in list_tags(owner_id) if t.name.casefold() == wanted), None)


def _tag_limits() -> tuple[int, int]:
    from flask import current_app

    return current_app.config["MAX_TAGS_PER_USER"], current_app.config["MAX_TAGS_PER_CONTACT"]


def _contact_tags(owner_id: int, names: list[str]) -> list[Tag]:
    """A contact's tags by name, created on the fly within the limits (one form must not make thousands)."""
    from flask_babel import lazy_gettext as _l

    per_user, per_contact = _tag_limits()
    if len(names) > per_contact:
        raise ValidationError({"tags": [_l("At most %(num)d tags per contact.", num=per_contact)]})
    known = {t.name.casefold() for t in list_tags(owner_id)}
    new = {" ".join(n.split()).casefold() for n in names} - known
    if new and len(known) + len(new) > per_user:
        raise ValidationError({"tags": [_l("You can have at most %(num)d tags.", num=per_user)]})
    return [get_or_create_tag(owner_id, name, commit=False) for name in names]


def get_or_create_tag(owner_id: int, name: str, *, personal=True, commit=True) -> Tag:
    """Tags are created on the fly; names compare without regard to case, so "личные" finds "Личные"."""
    from flask_babel import lazy_gettext as _l

    name = _clean_tag_name(name)
    tag = find_tag(owner_id, name)
    if tag is None:
        per_user, _per_contact = _tag_limits()
        if len(list_tags(owner_id)) >= per_user:
            raise ValidationError({"name": [_l("You can have at most %(num)d tags.", num=per_user)]})
        tag = Tag(owner_id=owner_id, name=name, personal=personal, created_at=now())
        db.session.add(tag)
        map_new_personal_tag(tag)  # accounts syncing every personal tag take the new one too
        _commit(commit)
    return tag


def create_tag(owner_id: int, name: str, *, personal=True, commit=True) -> Tag:
    name = _clean_tag_name(name)
    if find_tag(owner_id, name):
        raise ValidationError({"name": [_l("You already have a tag with this name.")]})
    return get_or_create_tag(owner_id, name, personal=personal, commit=commit)


def _touch_tagged(owner_id, tag, origin):
    """A tag's name or existence is part of its contacts' sync state: record them as changed."""
    ids = list(db.session.scalars(
        select(contact_tags.c.contact_id).join(Contact, Contact.id == contact_tags.c.contact_id)
        .where(contact_tags.c.tag_id == tag.id, Contact.owner_id == owner_id)))
    for contact_id in ids:
        record_change(owner_id, "contact", contact_id, origin)
    return ids


def rename_tag(owner_id: int, tag_id: int, name: str, *, origin="user", commit=True) -> Tag:
    tag = get_tag(owner_id, tag_id)
    name = _clean_tag_name(name)
    other = find_tag(owner_id, name)
    if other is not None and other.id != tag.id:
        raise ValidationError({"name": [_l("You already have a tag with this name.")]})
    tag.name = name
    _touch_tagged(owner_id, tag, origin)
    _commit(commit)
    return tag


def delete_tag(owner_id: int, tag_id: int, *, origin="user", commit=True) -> None:
    tag = get_tag(owner_id, tag_id)
    ids = _touch_tagged(owner_id, tag, origin)
    _bump(ids)
    if ids:
        contacts_soon(owner_id, origin)
    db.session.execute(delete(contact_tags).where(contact_tags.c.tag_id == tag.id))
    db.session.delete(tag)
    _commit(commit)


def _bump(contact_ids):
    if contact_ids:
        stamp = now()
        for contact in db.session.scalars(select(Contact).where(Contact.id.in_(contact_ids))):
            contact.updated_at = stamp


def _check_room_for_a_tag(contact_ids) -> None:
    from flask_babel import lazy_gettext as _l

    _per_user, per_contact = _tag_limits()
    full = db.session.scalar(select(func.count()).select_from(
        select(contact_tags.c.contact_id).where(contact_tags.c.contact_id.in_(contact_ids))
        .group_by(contact_tags.c.contact_id).having(func.count() >= per_contact).subquery())) if contact_ids else 0
    if full:
        raise ValidationError({"tags": [_l("At most %(num)d tags per contact.", num=per_contact)]})


def tag_contacts(owner_id: int, tag_id: int, contact_ids, *, origin="user", commit=True) -> int:
    """Put the tag on the owner's live contacts among `contact_ids`; returns how many newly got it."""
    tag = get_tag(owner_id, tag_id)
    live = {c.id for c in get_contacts(owner_id, _int_ids(contact_ids), include_deleted=False)}
    already = set(db.session.scalars(select(contact_tags.c.contact_id).where(
        contact_tags.c.tag_id == tag.id, contact_tags.c.contact_id.in_(live))))
    new = sorted(live - already)
    _check_room_for_a_tag(new)
    if new:
        db.session.execute(insert(contact_tags), [{"contact_id": c, "tag_id": tag.id} for c in new])
        for contact_id in new:
            record_change(owner_id, "contact", contact_id, origin)
        _bump(new)
        contacts_soon(owner_id, origin)
    _commit(commit)
    _expire_tags(new)
    return len(new)


def untag_contacts(owner_id: int, tag_id: int, contact_ids, *, origin="user", commit=True) -> int:
    tag = get_tag(owner_id, tag_id)
    live = {c.id for c in get_contacts(owner_id, _int_ids(contact_ids), include_deleted=False)}
    having = sorted(db.session.scalars(select(contact_tags.c.contact_id).where(
        contact_tags.c.tag_id == tag.id, contact_tags.c.contact_id.in_(live))))
    if having:
        db.session.execute(delete(contact_tags).where(
            contact_tags.c.tag_id == tag.id, contact_tags.c.contact_id.in_(having)))
        for contact_id in having:
            record_change(owner_id, "contact", contact_id, origin)
        _bump(having)
        contacts_soon(owner_id, origin)
    _commit(commit)
    _expire_tags(having)
    return len(having)


def _expire_tags(contact_ids):
    """Core inserts/deletes bypass the ORM: drop cached `tags` collections of the touched contacts."""
    for contact_id in contact_ids:
        contact = db.session.get(Contact, contact_id)
        if contact is not None:
            db.session.expire(contact, ["tags"])


# --- activities ---------------------------------------------------------------------------------------------

def activity_to_input(activity: Activity) -> dict:
    return {
        "title": activity.title, "type": activity.type, "status": activity.status,
        "location": activity.location, "description": activity.description, "all_day": activity.all_day,
        "show_in_calendar": activity.show_in_calendar, "timezone": activity.timezone,
        "start_at": activity.start_at, "end_at": activity.end_at,
        "start_date": activity.start_date, "end_date": activity.end_date,
        "participants": [activity_participants.participant_to_input(p) for p in activity.participants],
    }


def activity_to_dict(activity: Activity) -> dict:
    data = activity_to_input(activity)
    data.update(
        id=activity.id,
        start_at=iso_z(activity.start_at), end_at=iso_z(activity.end_at),
        start_date=activity.start_date.isoformat() if activity.start_date else None,
        end_date=activity.end_date.isoformat() if activity.end_date else None,
        created_at=iso_z(activity.created_at), updated_at=iso_z(activity.updated_at),
        deleted_at=iso_z(activity.deleted_at),
    )
    return data


def _apply_activity(activity: Activity, data: dict, answers: bool = False) -> None:
    """`answers`: the participants' response statuses are taken from the input (the sync, copying Google's);
    otherwise they stay as Google last reported them, whatever a page or the API sends."""
    data = dict(data)
    wanted = data.pop("participants", None)
    if wanted is not None:
        activity_participants.apply(activity, activity_participants.resolve(activity.owner_id, wanted), answers)
    for name, value in data.items():
        setattr(activity, name, value)
    activity.updated_at = now()


def get_activity(owner_id: int, activity_id: int, *, include_deleted=False) -> Activity:
    return _owned(Activity, owner_id, activity_id, include_deleted=include_deleted)


def get_activities(owner_id: int, ids, *, include_deleted=True) -> list[Activity]:
    return _owned_many(Activity, owner_id, ids, include_deleted)


def create_activity(owner_id: int, data: dict, *, default_zone="UTC", origin="user", commit=True,
                    answers=False) -> Activity:
    cleaned = clean_activity(data, default_zone)
    activity = Activity(owner_id=owner_id, created_at=now(), participants=[])
    _apply_activity(activity, cleaned, answers)
    db.session.add(activity)
    db.session.flush()
    record_change(owner_id, "activity", activity.id, origin)
    _commit(commit)
    return activity


def update_activity(owner_id: int, activity_id: int, data: dict, *, origin="user", commit=True,
                    answers=False) -> Activity:
    """Partial update. Switching `all_day` needs the matching fields (dates, or start/end instants)."""
    activity = get_activity(owner_id, activity_id)
    if not isinstance(data, dict):
        raise ValidationError({"": ["Must be an object."]})
    merged = {**activity_to_input(activity), **data}
    cleaned = clean_activity(merged, activity.timezone)
    _apply_activity(activity, cleaned, answers)
    record_change(owner_id, "activity", activity.id, origin)
    _commit(commit)
    return activity


def delete_activity(owner_id: int, activity_id: int, *, origin="user", commit=True) -> Activity:
    activity = get_activity(owner_id, activity_id)
    activity.deleted_at = activity.updated_at = now()
    record_change(owner_id, "activity", activity.id, origin)
    _commit(commit)
    return activity


def _activities_query(owner_id):
    return select(Activity).where(Activity.owner_id == owner_id, Activity.deleted_at.is_(None))


def _sort_key(activity, zone):
    if activity.all_day:
        return datetime.combine(activity.start_date, datetime.min.time(), ZoneInfo(zone))
    return activity.start_at


def activities_between(owner_id: int, first_day: date, last_day: date, zone: str) -> list[Activity]:
    """Activities overlapping the days `first_day`..`last_day` (inclusive) as seen in `zone`."""
    tz = ZoneInfo(zone)
    start = datetime.combine(first_day, datetime.min.time(), tz).astimezone(timezone.utc)
    end = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), tz).astimezone(timezone.utc)
    query = _activities_query(owner_id).where(or_(
        and_(Activity.all_day.is_(False), Activity.start_at < end,
             or_(Activity.end_at > start, and_(Activity.end_at == Activity.start_at, Activity.start_at >= start))),
        and_(Activity.all_day.is_(True), Activity.start_date <= last_day, Activity.end_date >= first_day),
    ))
    return sorted(db.session.scalars(query), key=lambda a: _sort_key(a, zone))


def list_activities(owner_id: int, *, status: str | None = None, type: str | None = None, page: int = 1,
                    per_page: int = 50, upcoming_from: datetime | None = None) -> Page:
    """Newest first by start (timed activities by instant, all-day ones by date)."""
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    query = _activities_query(owner_id)
    if status:
        query = query.where(Activity.status == status)
    if type:
        query = query.where(Activity.type == type)
    total = db.session.scalar(select(func.count()).select_from(query.with_only_columns(Activity.id).subquery()))
    offset = (page - 1) * per_page
    if offset >= total:
        return Page(items=[], total=total, page=page, per_page=per_page)
    # One ordering for both kinds: the start instant, or the start date at midnight UTC. No index can serve
    # that mixed key, and ordering by it sorted every activity of the owner for each page (issue 16). Each
    # kind is read in its own index's order, only as far as this page reaches, and only those rows are merged.
    # Every write path validates an activity into exactly one kind (start_at, or start_date when all-day), so
    # the two readings neither overlap nor miss one.
    wanted = offset + per_page
    timed = (query.where(Activity.start_at.is_not(None))
             .order_by(Activity.start_at.desc(), Activity.id.desc()).limit(wanted))
    # Not also `start_at IS NULL`: SQLite would then read the all-day ones through the start_at index and sort
    # them all again.
    all_day = (query.where(Activity.start_date.is_not(None))
               .order_by(Activity.start_date.desc(), Activity.id.desc()).limit(wanted))
    both = union_all(select(timed.subquery()), select(all_day.subquery())).subquery()
    row = aliased(Activity, both)
    order = func.coalesce(row.start_at, row.start_date)
    items = list(db.session.scalars(select(row).order_by(order.desc(), row.id.desc()).limit(per_page)
                                    .offset(offset)))
    return Page(items=items, total=total, page=page, per_page=per_page)


def local_range(activity: Activity, zone: str) -> tuple:
    """(start, end) for display: local datetimes for timed activities, dates for all-day ones."""
    if activity.all_day:
        return activity.start_date, activity.end_date
    tz = ZoneInfo(zone)
    return activity.start_at.astimezone(tz), activity.end_at.astimezone(tz) if activity.end_at else None
