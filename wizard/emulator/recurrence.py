"""RRULE expansion for `singleEvents=true` and `events.instances`, with dateutil (already a dependency)."""
import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from .clock import parse_rfc3339

MAX_INSTANCES = 1000
HORIZON = timedelta(days=2 * 365)


def zone(name):
    try:
        return ZoneInfo(name) if name else timezone.utc
    except (KeyError, ValueError):
        return timezone.utc


def known_zone(name):
    try:
        ZoneInfo(name)
    except (KeyError, ValueError, TypeError):
        return False
    return True


def parse_date_time(text, zone_name=None):
    """An event's `dateTime`: RFC 3339 with an offset, or a wall time read in `zone_name` (None when neither)."""
    value = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    if value.tzinfo is None:
        return value.replace(tzinfo=ZoneInfo(zone_name)) if zone_name else None
    return value


def bound(moment, default_zone="UTC"):
    """Start or end of an event as an aware datetime (all-day dates at midnight in the calendar's zone)."""
    if "dateTime" in moment:
        value = parse_rfc3339(moment["dateTime"])
        return value.astimezone(zone(moment["timeZone"])) if moment.get("timeZone") else value
    day = date.fromisoformat(moment["date"])
    return datetime.combine(day, time(0), zone(moment.get("timeZone") or default_zone))


def instance_suffix(start, all_day):
    if all_day:
        return start.strftime("%Y%m%d")
    return start.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


UNTIL = re.compile(r"UNTIL=(\d{8})(T\d{6})?(Z?)", re.IGNORECASE)


def normalise_until(line):
    """Google accepts UNTIL as a date or a floating date-time on timed series; dateutil needs UTC there."""
    def fix(match):
        day, clock, zulu = match.groups()
        if zulu:
            return match.group(0)
        return f"UNTIL={day}{clock or 'T235959'}Z"

    return UNTIL.sub(fix, line) if line.upper().startswith(("RRULE", "EXRULE")) else line


def occurrences(event, window_start=None, window_end=None, default_zone="UTC"):
    """Yield the start datetimes of a recurring event's instances that can overlap the window."""
    start = bound(event["start"], default_zone)
    all_day = "date" in event["start"]
    lines = "\n".join(event.get("recurrence") or [])
    if not all_day:
        lines = "\n".join(normalise_until(line) for line in event.get("recurrence") or [])
    if all_day:
        start_naive = start.replace(tzinfo=None)
        rule = rrulestr(lines, dtstart=start_naive, forceset=True, ignoretz=True)
    else:
        rule = rrulestr(lines, dtstart=start, forceset=True, tzids=zone)
    duration = bound(event["end"], default_zone) - start
    lower = (window_start - duration) if window_start else start
    upper = window_end or (max(start, lower) + HORIZON)
    count = 0
    for occurrence in rule:
        moment = occurrence.replace(tzinfo=start.tzinfo) if all_day else occurrence
        if moment >= upper:
            break
        if moment + duration <= lower or (window_start and moment + duration <= window_start):
            continue
        yield moment
        count += 1
        if count >= MAX_INSTANCES:
            break


def as_event_time(moment, template):
    """Format an instance's start/end like the series' own start."""
    if "date" in template:
        out = {"date": moment.date().isoformat()}
    else:
        out = {"dateTime": moment.isoformat()}
    if template.get("timeZone"):
        out["timeZone"] = template["timeZone"]
    return out
