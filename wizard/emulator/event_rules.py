"""Calendar event shapes: rendering, etags, validation of event bodies as insert/update receive them
(times, recurrence, reminders, extended-property limits) and the record of who would have been mailed."""
from . import recurrence
from .clock import rfc3339
from .errors import ApiError, invalid_argument

WRITABLE = {
    "anyoneCanAddSelf", "attachments", "attendees", "colorId", "conferenceData", "description", "end",
    "endTimeUnspecified", "eventType", "extendedProperties", "guestsCanInviteOthers", "guestsCanModify",
    "guestsCanSeeOtherGuests", "location", "locked", "originalStartTime", "privateCopy", "recurrence",
    "reminders", "sequence", "source", "start", "status", "summary", "transparency", "visibility",
}


def render(event, full=True):
    """An event as Google answers it; `full=False` is the bare form of a cancelled event in a listing."""
    if event.get("status") == "cancelled" and not full:
        return bare_cancelled(event, exception=bool(event.get("recurringEventId")))
    return {k: v for k, v in event.items() if not k.startswith("_")}


def bare_cancelled(event, exception):
    """What a listing carries for a cancelled event (Google, Event.status): a cancelled exception of a live
    series is only guaranteed its id, recurringEventId and originalStartTime; a deleted event (a cancelled
    single event, a deleted series and its instances) only its id. kind and etag come with every item."""
    out = {"kind": "calendar#event", "etag": event["etag"], "id": event["id"], "status": "cancelled"}
    if exception:
        for key in ("recurringEventId", "originalStartTime"):
            if key in event:
                out[key] = event[key]
    return out


def is_deleted(event, events):
    """A cancelled event Google treats as deleted: anything cancelled but an exception of a live series."""
    if event.get("status") != "cancelled":
        return False
    series = events.get(event.get("recurringEventId") or "")
    return series is None or series.get("status") == "cancelled"


def event_etag(state, seq):
    return f'"{int(state.now() * 1000)}{seq % 1000:03d}"'


def touch(state, event):
    event["_seq"] = state.next_seq()
    event["updated"] = rfc3339(state.now())
    event["etag"] = event_etag(state, event["_seq"])


def check_time(body, key, tz_default):
    """The start or end as an aware datetime, and the time as Google stores it: a `dateTime` without an offset
    is a wall time in the `timeZone` beside it and comes back with the offset written out."""
    moment = body.get(key)
    if not isinstance(moment, dict) or not (moment.get("date") or moment.get("dateTime")):
        raise ApiError(400, f"Missing {key} time.", calendar_reason="required")
    zone_name = moment.get("timeZone")
    if zone_name is not None and not recurrence.known_zone(zone_name):
        raise ApiError(400, f"Invalid time zone definition for {key} time.", calendar_reason="invalid")
    try:
        if "dateTime" in moment:
            value = recurrence.parse_date_time(moment["dateTime"])
            if value is not None:
                return value, moment
            if not zone_name:
                raise ApiError(400, f"Missing time zone definition for {key} time.", calendar_reason="required",
                               calendar_domain="calendar")
            value = recurrence.parse_date_time(moment["dateTime"], zone_name)
            return value, {**moment, "dateTime": value.isoformat()}
        return recurrence.bound(moment, tz_default), moment
    except (ValueError, KeyError, TypeError):
        raise ApiError(400, f"Invalid {key} time.", calendar_reason="invalid") from None


def clean_extended(props):
    if props is None:
        return None
    if not isinstance(props, dict):
        raise invalid_argument("Invalid value for extendedProperties.")
    total, size, out = 0, 0, {}
    for scope in ("private", "shared"):
        values = props.get(scope)
        if not values:
            continue
        kept = {}
        for key, value in values.items():
            if len(key) > 44:
                continue  # Google drops over-long keys silently
            value = str(value)[:1024]  # and truncates values silently
            kept[key] = value
            total += 1
            size += len(key) + len(value)
        out[scope] = kept
    if total > 300:
        raise ApiError(400, "The maximum number of extended properties has been exceeded.",
                       calendar_reason="tooManyExtendedProperties", calendar_domain="calendar")
    if size > 32 * 1024:
        raise ApiError(400, "The total size of extended properties has been exceeded.",
                       calendar_reason="extendedPropertiesTooLarge", calendar_domain="calendar")
    return out


def check_reminders(reminders):
    if reminders is None:
        return {"useDefault": True}
    overrides = reminders.get("overrides") or []
    if reminders.get("useDefault") and overrides:
        raise ApiError(400, "Cannot specify both default reminders and overrides at the same time.",
                       calendar_reason="cannotUseDefaultRemindersAndSpecifyOverride", calendar_domain="calendar")
    if len(overrides) > 5:
        raise ApiError(400, "The maximum number of override reminders has been exceeded.",
                       calendar_reason="tooManyReminders", calendar_domain="calendar")
    for item in overrides:
        minutes = item.get("minutes")
        if not isinstance(minutes, int) or not 0 <= minutes <= 40320:
            raise invalid_argument("Invalid reminder minutes value.")
        if item.get("method") not in ("email", "popup"):
            raise invalid_argument("Invalid reminder method.")
    return {"useDefault": bool(reminders.get("useDefault", False)), **({"overrides": overrides} if overrides else {})}


def validate(call, calendar, body):
    """Check a full event body as insert/update receive it; return the cleaned writable fields."""
    tz_default = calendar["meta"]["timeZone"]
    start, start_moment = check_time(body, "start", tz_default)
    end, end_moment = check_time(body, "end", tz_default)
    body = {**body, "start": start_moment, "end": end_moment}
    if ("date" in body["start"]) != ("date" in body["end"]):
        raise ApiError(400, "Start and end times must either both be date or both be dateTime.",
                       calendar_reason="invalid")
    if end < start or (end == start and "date" in body["start"]):
        raise ApiError(400, "The specified time range is empty.", calendar_reason="timeRangeEmpty",
                       calendar_domain="calendar")
    if body.get("recurrence"):
        for key in ("start", "end"):
            if "dateTime" in body[key] and not body[key].get("timeZone"):
                raise ApiError(400, f"Missing time zone definition for {key} time.", calendar_reason="required",
                               calendar_domain="calendar")
        if any(not isinstance(line, str) or line.upper().startswith("DTSTART") for line in body["recurrence"]):
            raise invalid_argument("Invalid recurrence rule.")
        try:
            next(iter(recurrence.occurrences(body, default_zone=tz_default)), None)
        except (ValueError, TypeError, KeyError):
            raise invalid_argument("Invalid recurrence rule.") from None
    if body.get("status") not in (None, "confirmed", "tentative", "cancelled"):
        raise invalid_argument("Invalid value for status.")
    clean = {k: v for k, v in body.items() if k in WRITABLE}
    clean["reminders"] = check_reminders(body.get("reminders"))
    extended = clean_extended(body.get("extendedProperties"))
    if extended is not None:
        clean["extendedProperties"] = extended
    if body.get("attendees") is not None:
        clean["attendees"] = check_attendees(body["attendees"], call.email)
    return clean


RESPONSE_STATUSES = ("needsAction", "declined", "tentative", "accepted")


def check_attendees(attendees, owner):
    """Attendees as Google keeps them (Event.attendees): an e-mail is required to add one, `responseStatus`
    defaults to needsAction, and the read-only `self`/`organizer` flags mark the calendar owner's entry."""
    if not isinstance(attendees, list):
        raise invalid_argument("Invalid value for attendees.")
    out = []
    for entry in attendees:
        email = entry.get("email") if isinstance(entry, dict) else None
        if not email:
            raise ApiError(400, "Missing attendee email.", calendar_reason="required", calendar_domain="calendar")
        if not isinstance(email, str) or email.count("@") != 1 or " " in email.strip():
            raise invalid_argument("Invalid attendee email.")
        if entry.get("responseStatus") not in (None,) + RESPONSE_STATUSES:
            raise invalid_argument("Invalid attendee response status.")
        clean = {k: v for k, v in entry.items() if k not in ("self", "organizer")}
        clean.setdefault("responseStatus", "needsAction")
        if email.strip().lower() == owner.lower():
            clean.update(self=True, organizer=True)
        out.append(clean)
    return out


# ---- mail record -------------------------------------------------------------------------------------------

def record_write(call, method, event):
    send = call.arg("sendUpdates")
    if send is None and call.arg("sendNotifications") is not None:
        send = "all" if call.flag("sendNotifications") else "none"
    attendees = [a.get("email") for a in event.get("attendees") or [] if a.get("email")
                 and not a.get("organizer") and a.get("email") != call.email]
    if send == "all":
        recipients = attendees
    elif send == "externalOnly":
        domain = call.email.split("@")[-1]
        recipients = [a for a in attendees if a.split("@")[-1] != domain]
    else:
        recipients = []
    call.state.mail_log.append({"method": method, "user": call.email, "eventId": event["id"],
                                "sendUpdates": send, "recipients": recipients, "at": rfc3339(call.state.now())})
