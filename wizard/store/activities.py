"""CRM activities ⇄ core activity records, scoped to "show in calendar" and ending on or after the account's
"Синхронизировать начиная с" date.

Record conventions shared with the Google mapping: all-day items hold dates with Google's exclusive end
(the CRM keeps an inclusive end date, so one day is added and taken away here); timed items hold UTC
instants "YYYY-MM-DDTHH:MM:SSZ" and the IANA zone; status is "cancelled" or "confirmed"; participants are
Item(normalized e-mail, (display name, response status)). The linked account's own address is the event's
organizer, not a guest: a CRM participant at that address is left out of the record and kept as it is.
"""
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import and_, or_, select

from wizard.crm import services
from wizard.crm.changes import changed_since, latest_seq
from wizard.extensions import db
from wizard.models.crm import RESPONSE_STATUSES, Activity
from wizard.store.origin import ORIGIN
from wizard.sync.changes import DELETED, OUT_OF_SCOPE, Seen, side
from wizard.sync.records import ACTIVITIES, Item, make_record, normalize_email
from wizard.sync.times import parse_instant

CHANGE_OBJECT = "activity"
UNTITLED = "(no title)"
NO_ANSWER = "needsAction"


def instant(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def participant_items(activity: Activity, self_email: str | None = None):
    own = normalize_email(self_email) if self_email else None
    return [Item(p.normalized, (p.display_name or None, p.response_status or NO_ANSWER))
            for p in activity.participants if p.normalized != own]


def participants_input(record, current: Activity | None = None, self_email: str | None = None) -> list[dict]:
    """The record's participants as service input (answers included: they come from Google), plus the
    current row at the account's own address, which the record leaves out. A person already on the activity
    keeps the address as typed and the contact it was linked to (even if that contact's e-mail changed)."""
    own = normalize_email(self_email) if self_email else None
    rows = {p.normalized: p for p in (current.participants if current is not None else [])}
    kept = [{"contact_id": p.contact_id, "email": p.email, "display_name": p.display_name,
             "response_status": p.response_status} for key, p in rows.items() if own and key == own]
    given = []
    for item in sorted(record["participants"]):
        row = rows.get(item.key)
        given.append({"email": row.email if row is not None else item.key,
                      "contact_id": row.contact_id if row is not None else None,
                      "display_name": (item.value or (None,))[0] or "", "response_status": _answer(item.value)})
    return kept + given


def _answer(payload) -> str:
    status = payload[1] if isinstance(payload, tuple) and len(payload) > 1 else None
    return status if status in RESPONSE_STATUSES else NO_ANSWER


def activity_record(activity: Activity, self_email: str | None = None):
    if activity.all_day:
        start = activity.start_date.isoformat()
        end = ((activity.end_date or activity.start_date) + timedelta(days=1)).isoformat()
        zone = None
    else:
        start = instant(activity.start_at)
        end = instant(activity.end_at or activity.start_at)
        zone = activity.timezone or "UTC"
    return make_record(
        ACTIVITIES, title=activity.title, description=activity.description, location=activity.location,
        start=start, end=end, all_day=bool(activity.all_day), timezone=zone,
        status="cancelled" if activity.status == "cancelled" else "confirmed", type=activity.type,
        participants=participant_items(activity, self_email),
    )


def record_input(record, current: Activity | None = None, self_email: str | None = None) -> dict:
    status = record["status"]
    if status == "cancelled":
        crm_status = "cancelled"
    elif current is not None and current.status != "cancelled":
        crm_status = current.status  # "planned" and "done" both read as confirmed in Google
    else:
        crm_status = "planned"
    data = {
        "title": record["title"] or UNTITLED, "description": record["description"] or "",
        "location": record["location"] or "", "status": crm_status, "all_day": bool(record["all_day"]),
        "show_in_calendar": True, "participants": participants_input(record, current, self_email),
    }
    if record["type"]:
        data["type"] = record["type"]
    if record["all_day"]:
        start = date.fromisoformat(record["start"][:10])
        end_exclusive = date.fromisoformat(record["end"][:10]) if record["end"] else start + timedelta(days=1)
        data.update(start_date=start, end_date=max(start, end_exclusive - timedelta(days=1)),
                    start_at=None, end_at=None)
    else:
        data.update(start_at=parse_instant(record["start"]),
                    end_at=parse_instant(record["end"]) if record["end"] else None,
                    timezone=record["timezone"] or "UTC", start_date=None, end_date=None)
    return data


class ActivityStore:
    object = "activities"

    def __init__(self, owner_id: int, sync_from: date | None, self_email: str | None = None):
        self.owner_id = owner_id
        self.sync_from = sync_from
        self.self_email = self_email  # the linked Google account: the organizer, never a guest

    @classmethod
    def for_account(cls, account, **_):
        settings = getattr(account, "settings", None)
        return cls(account.user_id, getattr(settings, "activities_sync_from", None), getattr(account, "email", None))

    @property
    def window_start(self) -> datetime | None:
        if self.sync_from is None:
            return None
        return datetime.combine(self.sync_from, time.min, timezone.utc)

    def latest_seq(self) -> int:
        return latest_seq(self.owner_id, CHANGE_OBJECT)

    def in_scope(self, activity: Activity) -> bool:
        if activity.deleted_at is not None or not activity.show_in_calendar:
            return False
        if self.sync_from is None:
            return True
        if activity.all_day:
            return (activity.end_date or activity.start_date) >= self.sync_from
        return (activity.end_at or activity.start_at) >= self.window_start

    def changes(self, seq: int, full: bool):
        new_seq = self.latest_seq()
        if full:
            return side({str(a.id): self._seen(a) for a in self._scoped()}, full=True), new_seq
        ids, _ = changed_since(self.owner_id, CHANGE_OBJECT, seq, exclude_origin=ORIGIN)
        changes = {}
        for activity in services.get_activities(self.owner_id, ids, include_deleted=True):
            changes[str(activity.id)] = self._state(activity)
        return side(changes), new_seq

    def changed_ids(self, seq: int, full: bool):
        """(CRM ids to read, position to resume from): what `changes` would list, without reading the records
        (the engine reads them chunk by chunk with `fetch`)."""
        new_seq = self.latest_seq()
        if full:
            return [str(i) for i in db.session.scalars(self._scoped_query(Activity.id))], new_seq
        ids, _ = changed_since(self.owner_id, CHANGE_OBJECT, seq, exclude_origin=ORIGIN)
        return [str(i) for i in ids], new_seq

    def fetch(self, crm_ids):
        return {str(a.id): self._state(a)
                for a in services.get_activities(self.owner_id, [int(i) for i in crm_ids], include_deleted=True)}

    def _state(self, activity):
        if activity.deleted_at is not None:
            return DELETED
        return self._seen(activity) if self.in_scope(activity) else OUT_OF_SCOPE

    def _seen(self, activity):
        return Seen(activity_record(activity, self.self_email), modified=activity.updated_at)

    def _scoped(self):
        return list(db.session.scalars(self._scoped_query(Activity)))

    def _scoped_query(self, what):
        query = select(what).where(Activity.owner_id == self.owner_id, Activity.deleted_at.is_(None),
                                       Activity.show_in_calendar.is_(True))
        if self.sync_from is not None:
            query = query.where(or_(
                and_(Activity.all_day.is_(True), Activity.end_date >= self.sync_from),
                and_(Activity.all_day.is_(False), Activity.end_at >= self.window_start),
            ))
        return query

    # --- writing --------------------------------------------------------------------------------------------
    def create(self, record, **_) -> str:
        data = record_input(record, self_email=self.self_email)
        data.setdefault("type", "meeting")
        activity = services.create_activity(self.owner_id, data, default_zone=data.get("timezone") or "UTC",
                                            origin=ORIGIN, commit=False, answers=True)
        return str(activity.id)

    def update(self, crm_id: str, record, fields=None) -> None:
        current = services.get_activity(self.owner_id, int(crm_id))
        services.update_activity(self.owner_id, int(crm_id), record_input(record, current, self.self_email),
                                 origin=ORIGIN, answers=True,
                                 commit=False)

    def exists(self, crm_id) -> bool:
        """A live activity of this owner (a back-reference from Google may name anything)."""
        if not (str(crm_id).isdigit() and services.is_id(int(crm_id))):
            return False
        return bool(services.get_activities(self.owner_id, [int(crm_id)], include_deleted=False))

    def tag(self, crm_id: str, **_) -> None:
        """Back in the sync: "show in calendar" again."""
        services.update_activity(self.owner_id, int(crm_id), {"show_in_calendar": True}, origin=ORIGIN,
                                 commit=False)

    def untag(self, crm_id: str) -> None:
        try:
            services.update_activity(self.owner_id, int(crm_id), {"show_in_calendar": False}, origin=ORIGIN,
                                     commit=False)
        except services.NotFound:
            pass

    def delete(self, crm_id: str) -> None:
        try:
            services.delete_activity(self.owner_id, int(crm_id), origin=ORIGIN, commit=False)
        except services.NotFound:
            pass

    def record(self, crm_id: str):
        """The core record of the CRM row as it is now (None when gone)."""
        row = db.session.get(Activity, int(crm_id))
        return activity_record(row, self.self_email) if row is not None and row.deleted_at is None else None

    def current(self, crm_id: str):
        """The record as committed now (None when gone), its row locked until the run commits: the run's
        compare-and-set against a person's save. Read afresh: the run's session keeps what it loaded."""
        query = (select(Activity).where(Activity.owner_id == self.owner_id, Activity.id == int(crm_id))
                 .with_for_update().execution_options(populate_existing=True))
        row = db.session.scalar(query)
        return activity_record(row, self.self_email) if row is not None and row.deleted_at is None else None

    def label(self, crm_id: str) -> str:
        activity = db.session.get(Activity, int(crm_id))
        return activity.title if activity is not None else str(crm_id)
