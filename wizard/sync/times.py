"""Time helpers for activities: all-day items are dates, timed items are instants with an IANA zone.

The rules that keep an item from moving by a minute or a day:

- An all-day item is a pair of *dates*, never instants: `start` is its first day, `end` the day after its
  last day (Google's exclusive end). No time zone takes part, so no zone can shift it.
- A timed item is a pair of *instants*, stored in UTC ("2026-03-08T07:00:00Z"), with the IANA zone it was
  entered in kept beside them (`timezone`). Comparing and merging uses the instants, so a change of the
  user's zone, or writing the same instant with another zone, moves nothing.
- Local wall times (what a person typed in a zone) become instants through `zoneinfo`, which knows the
  daylight-saving rules (including Lord Howe's 30-minute shift); a wall time that does not exist (the hour
  skipped in spring) is moved forward by the gap, like Google Calendar does; an ambiguous one (the hour
  repeated in autumn) takes its first occurrence unless `fold=1`.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import errors
from .errors import SyncCoreError

UTC = timezone.utc
_INSTANT_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


# --- instants ------------------------------------------------------------------------------------------

def format_instant(moment: datetime) -> str:
    """An aware datetime as the core's UTC instant string (seconds precision)."""
    if moment.tzinfo is None:
        raise SyncCoreError(errors.ISSUE_INVALID_TIME, item=str(moment), detail="naive datetime")
    return moment.astimezone(UTC).replace(microsecond=0).strftime(_INSTANT_FORMAT)


def parse_instant(value: str) -> datetime:
    """The core's instant string (or any RFC 3339 date-time with an offset) as an aware UTC datetime."""
    text = value.strip()
    if text.endswith("Z") or text.endswith("z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise SyncCoreError(errors.ISSUE_INVALID_TIME, item=value, detail=str(exc)) from None
    if moment.tzinfo is None:
        raise SyncCoreError(errors.ISSUE_INVALID_TIME, item=value, detail="no UTC offset")
    return moment.astimezone(UTC)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SyncCoreError(errors.ISSUE_INVALID_TIME, item=name, detail="unknown time zone") from None


def instant_from_local(wall: datetime, zone_name: str, *, fold: int = 0) -> str:
    """A wall-clock time typed in `zone_name` as an instant.

    Skipped wall times (spring forward) move forward by the gap; repeated ones use `fold` (0 = first).
    """
    if wall.tzinfo is not None:
        return format_instant(wall)
    tz = zone(zone_name)
    local = wall.replace(tzinfo=tz, fold=fold)
    moment = local.astimezone(UTC)
    if moment.astimezone(tz).replace(tzinfo=None) != wall:
        # The wall time does not exist: interpret it with the offset in force *before* the gap, which lands
        # the same distance after the gap (02:30 on a spring-forward night becomes 03:30).
        before = wall.replace(tzinfo=tz, fold=0).utcoffset()
        after = wall.replace(tzinfo=tz, fold=1).utcoffset()
        moment = (wall - min(before, after)).replace(tzinfo=UTC)
    return format_instant(moment)


def local_time(instant: str, zone_name: str) -> datetime:
    """The instant as an aware wall-clock time in `zone_name`."""
    return parse_instant(instant).astimezone(zone(zone_name))


# --- all-day dates -------------------------------------------------------------------------------------

def parse_date(value: str | date) -> date:
    if isinstance(value, datetime):
        raise SyncCoreError(errors.ISSUE_INVALID_TIME, item=str(value), detail="a date-time where a date belongs")
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise SyncCoreError(errors.ISSUE_INVALID_TIME, item=value, detail=str(exc)) from None


def all_day_from_inclusive(first_day: date | str, last_day: date | str | None = None) -> tuple[str, str]:
    """A CRM-style all-day span (first and last day, inclusive) as the core's (start, exclusive end)."""
    first = parse_date(first_day)
    last = parse_date(last_day) if last_day is not None else first
    if last < first:
        raise SyncCoreError(errors.ISSUE_INVALID_TIME, item=first.isoformat(), detail="ends before it starts")
    return first.isoformat(), (last + timedelta(days=1)).isoformat()


def all_day_to_inclusive(start: str, end: str) -> tuple[date, date]:
    """The core's (start, exclusive end) as (first day, last day inclusive) for a CRM that stores it so."""
    first, stop = parse_date(start), parse_date(end)
    return first, max(first, stop - timedelta(days=1))


def all_day_from_midnights(start_instant: str, end_instant: str, zone_name: str) -> tuple[str, str]:
    """For a CRM that stores all-day items as local-midnight instants: the dates in the zone they were
    stored with (pass the zone of the time of storing, not the user's current zone)."""
    start = local_time(start_instant, zone_name)
    end = local_time(end_instant, zone_name)
    first = start.date()
    stop = end.date() if end.time() == time(0) else end.date() + timedelta(days=1)
    return first.isoformat(), max(stop, first + timedelta(days=1)).isoformat()


# --- Google Calendar start/end -------------------------------------------------------------------------

def when_from_google(start: dict, end: dict | None, calendar_zone: str | None = None) -> dict:
    """Google's `start`/`end` objects as the record fields start, end, all_day, timezone.

    All-day: `{"date": ...}` (end exclusive, as Google). Timed: `{"dateTime": RFC 3339 with offset,
    "timeZone": optional IANA}`; a dateTime without offset is read in `timeZone` (or the calendar's zone).
    """
    end = end or {}
    if "date" in start and start.get("date"):
        first = parse_date(start["date"])
        stop = parse_date(end["date"]) if end.get("date") else first + timedelta(days=1)
        return {"start": first.isoformat(), "end": max(stop, first + timedelta(days=1)).isoformat(),
                "all_day": True, "timezone": None}
    zone_name = start.get("timeZone") or end.get("timeZone") or calendar_zone
    begin = _google_instant(start, zone_name)
    finish = _google_instant(end, end.get("timeZone") or zone_name) if end.get("dateTime") else begin
    return {"start": begin, "end": finish, "all_day": False, "timezone": zone_name}


def _google_instant(obj: dict, zone_name: str | None) -> str:
    text = obj.get("dateTime")
    if not text:
        raise SyncCoreError(errors.ISSUE_INVALID_TIME, item=str(obj), detail="neither date nor dateTime")
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError as exc:
        raise SyncCoreError(errors.ISSUE_INVALID_TIME, item=text, detail=str(exc)) from None
    if moment.tzinfo is None:
        if not zone_name:
            raise SyncCoreError(errors.ISSUE_INVALID_TIME, item=text, detail="no offset and no time zone")
        return instant_from_local(moment, zone_name)
    return format_instant(moment)


def when_to_google(start: str, end: str, all_day: bool, zone_name: str | None) -> tuple[dict, dict]:
    """The record's time fields as Google's `start`/`end` objects.

    Timed items are written as wall time with the offset in their zone plus `timeZone`, so Google shows the
    same wall time the user entered and recurring rules expand in the right zone; without a zone, in UTC.
    """
    if all_day:
        first = parse_date(start)
        stop = parse_date(end)
        return {"date": first.isoformat()}, {"date": max(stop, first + timedelta(days=1)).isoformat()}
    return _google_time(start, zone_name), _google_time(end, zone_name)


def _google_time(instant: str, zone_name: str | None) -> dict:
    if zone_name:
        return {"dateTime": local_time(instant, zone_name).isoformat(), "timeZone": zone_name}
    return {"dateTime": parse_instant(instant).isoformat().replace("+00:00", "Z")}


def when_fields(*, start, end, all_day: bool, zone_name: str | None = None) -> dict:
    """Record fields from CRM-side values: dates (inclusive last day) for all-day items, aware datetimes or
    wall times in `zone_name` for timed ones."""
    if all_day:
        first, stop = all_day_from_inclusive(start, end)
        return {"start": first, "end": stop, "all_day": True, "timezone": None}
    begin = _instant_of(start, zone_name)
    finish = _instant_of(end, zone_name) if end is not None else begin
    if parse_instant(finish) < parse_instant(begin):
        raise SyncCoreError(errors.ISSUE_INVALID_TIME, item=begin, detail="ends before it starts")
    return {"start": begin, "end": finish, "all_day": False, "timezone": zone_name}


def _instant_of(value, zone_name):
    if isinstance(value, str):
        return format_instant(parse_instant(value))
    if isinstance(value, datetime):
        if value.tzinfo is None:
            if not zone_name:
                raise SyncCoreError(errors.ISSUE_INVALID_TIME, item=str(value), detail="no time zone")
            return instant_from_local(value, zone_name)
        return format_instant(value)
    raise SyncCoreError(errors.ISSUE_INVALID_TIME, item=str(value), detail="not a date-time")


def ends_on_or_after(end: str, all_day: bool, since: date, zone_name: str | None = None) -> bool:
    """Scope test for "sync starting from": the item ends on or after that date. All-day items by their
    last day; timed items by the date of their end in their own zone (UTC when none)."""
    if all_day:
        return parse_date(end) - timedelta(days=1) >= since
    moment = parse_instant(end)
    return (moment.astimezone(zone(zone_name)) if zone_name else moment).date() >= since
