"""The emulated clock: real time plus an offset that the control API can advance (token and sync-token
expiry are tested in seconds instead of days)."""
import threading
import time
from datetime import datetime, timezone


class Clock:
    def __init__(self, base=time.time):
        self._base = base
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._base() + self._offset

    def advance(self, seconds: float) -> float:
        with self._lock:
            self._offset += float(seconds)
        return self.now()

    @property
    def offset(self):
        return self._offset

    def set_offset(self, seconds: float):
        with self._lock:
            self._offset = float(seconds)


def rfc3339(ts: float, millis=True) -> str:
    moment = datetime.fromtimestamp(ts, tz=timezone.utc)
    if millis:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(value: str) -> datetime:
    """Strict RFC 3339 (offset required), as Calendar's timeMin/timeMax demand."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("offset required")
    return moment
