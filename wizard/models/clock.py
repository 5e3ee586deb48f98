"""The one clock of the product: aware UTC datetimes. The database keeps naive UTC (SQLite returns what it
stored), so values read back are made aware with `as_utc` before any arithmetic."""
from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(moment: datetime | None) -> datetime | None:
    """A naive datetime read from the database is UTC; an aware one is returned as it is."""
    return moment.replace(tzinfo=timezone.utc) if moment is not None and moment.tzinfo is None else moment


def iso_z(moment: datetime | None) -> str | None:
    """An instant as the API shows it: ISO 8601 in UTC with a Z."""
    moment = as_utc(moment)
    return None if moment is None else moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
