"""Calendar API client: calendars, events (incremental listing with sync tokens) and the batch endpoint.

Paths and parameters follow `calendar.v3.json`. Every write sends `sendUpdates` ("none" unless the caller
says otherwise: sync writes never mail attendees) and may carry `If-Match` (412 -> `StaleEtag`). Deleting an
event Google already deleted (410) counts as done.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import quote, urlsplit

from . import batch as batch_format
from . import mapping
from .batch import BatchRequest
from .errors import GoogleError, Gone, Transient, Unauthenticated, error_from_response
from .pacing import Pacer
from .people import Listing, chunks
from .transport import Transport

BATCH_LIMIT = 1000  # inner calls per batch HTTP request
MAX_RESULTS = 2500


class CalendarClient:
    """`CalendarClient(http, base_url, batch_url, pacer=None)`.

    `base_url` like "https://www.googleapis.com/calendar/v3/", `batch_url` like
    "https://www.googleapis.com/batch/calendar/v3".
    """

    def __init__(self, http, base_url: str, batch_url: str, pacer: Pacer | None = None, timeout: float = 60):
        self.base_url = base_url.rstrip("/") + "/"
        self.base_path = urlsplit(self.base_url).path  # inner batch requests carry a path only
        self.batch_url = batch_url
        self.transport = Transport(http, pacer, timeout)

    @property
    def pacer(self) -> Pacer:
        return self.transport.pacer

    @property
    def calls(self) -> int:
        return self.transport.calls

    def _call(self, method, path, **kw):
        return self.transport.call(method, self.base_url + path, **kw)

    # --- reads ----------------------------------------------------------------------------------------

    def list_calendars(self) -> list[dict]:
        """The user's calendar list (needs the calendarlist.readonly scope), all pages."""
        def fetch(page_token):
            params = {"maxResults": 250}
            if page_token:
                params["pageToken"] = page_token
            return self._call("GET", "users/me/calendarList", params=params)

        return list(Listing(fetch, "items").items())

    def list_events(self, calendar_id: str, sync_token: str | None = None, time_min=None, single_events: bool = True,
                    show_deleted: bool = True, max_results: int = MAX_RESULTS) -> Listing:
        """Events page by page; `Listing.sync_token` holds the next cursor after the last page.

        With `sync_token`, `time_min` is not sent (Google forbids timeMin/timeMax/updatedMin/q/orderBy/iCalUID
        and property filters with a sync token; the bounds of the initial listing carry over). Pages may be
        short or empty: all are followed. An expired token raises `SyncTokenExpired` (410 fullSyncRequired).
        Cancelled exceptions of a live series arrive with their content (see `_complete_cancelled_exceptions`).
        """
        params: dict = {"maxResults": max_results, "singleEvents": _flag(single_events),
                        "showDeleted": _flag(show_deleted)}
        if sync_token:
            params["syncToken"] = sync_token
        elif time_min is not None:
            params["timeMin"] = rfc3339(time_min)
        path = f"calendars/{_id(calendar_id)}/events"

        def fetch(page_token):
            page = dict(params, pageToken=page_token) if page_token else params
            body = self._call("GET", path, params=page)
            if body:
                self._complete_cancelled_exceptions(calendar_id, body.get("items") or [])
            return body

        return Listing(fetch, "items")

    def _complete_cancelled_exceptions(self, calendar_id: str, items: list[dict]) -> None:
        """Give a bare cancelled exception its content, in place.

        Google lists a cancelled instance of a recurring series with its id, `recurringEventId` and
        `originalStartTime` only: that instance no longer takes place, it was not deleted (its series lives
        on). Bare, it would read like a deleted event, so the instance and its series are fetched (one batch
        per page that has any): while the series is not cancelled the instance is replaced by its full,
        cancelled self. When the series is gone, the bare form stays: the instance went with it.
        """
        bare = [index for index, event in enumerate(items) if mapping.is_bare_cancelled_exception(event)]
        if not bare:
            return
        series_ids = sorted({items[index]["recurringEventId"] for index in bare})
        answers = self.batch([self.get_request(calendar_id, items[index]["id"]) for index in bare]
                             + [self.get_request(calendar_id, series_id) for series_id in series_ids])
        series = dict(zip(series_ids, answers[len(bare):]))
        for index, answer in zip(bare, answers):
            for result in (answer, series[items[index]["recurringEventId"]]):
                if isinstance(result, GoogleError) and result.retryable:
                    raise result  # a listing with a guessed deletion in it is worse than a failed run
            parent = series[items[index]["recurringEventId"]]
            if isinstance(answer, dict) and answer.get("start") and isinstance(parent, dict) \
                    and parent.get("status") != "cancelled":
                items[index] = answer

    def get_event(self, calendar_id: str, event_id: str) -> dict:
        return self._call("GET", self._event_path(calendar_id, event_id))

    # --- single writes --------------------------------------------------------------------------------

    def insert_event(self, calendar_id: str, event: dict, send_updates: str = "none") -> dict:
        """Insert (with a client-chosen `event["id"]` a retried insert raises `AlreadyExists`)."""
        return self._send(self.insert_request(calendar_id, event, send_updates), idempotent=bool(event.get("id")))

    def update_event(self, calendar_id: str, event_id: str, event: dict, etag: str | None = None,
                     send_updates: str = "none") -> dict:
        return self._send(self.update_request(calendar_id, event_id, event, etag, send_updates))

    def patch_event(self, calendar_id: str, event_id: str, fields: dict, etag: str | None = None,
                    send_updates: str = "none") -> dict:
        return self._send(self.patch_request(calendar_id, event_id, fields, etag, send_updates))

    def delete_event(self, calendar_id: str, event_id: str, etag: str | None = None,
                     send_updates: str = "none") -> None:
        """Delete; an event already deleted (410) is success."""
        try:
            self._send(self.delete_request(calendar_id, event_id, etag, send_updates))
        except Gone:
            return None

    def _send(self, request: BatchRequest, idempotent: bool = True):
        url = urlsplit(self.base_url)._replace(path=request.path, query="").geturl()
        return self.transport.call(request.method, url, params=list(request.params) or None, json=request.body,
                                   headers=dict(request.headers) or None, idempotent=idempotent)

    # --- requests for batches -------------------------------------------------------------------------

    def _event_path(self, calendar_id: str, event_id: str | None = None) -> str:
        path = f"calendars/{_id(calendar_id)}/events"
        return path + (f"/{_id(event_id)}" if event_id else "")

    def _request(self, method, path, body=None, etag=None, send_updates=None, params=()) -> BatchRequest:
        params = list(params)
        if send_updates is not None:
            params.append(("sendUpdates", send_updates))
        headers = (("If-Match", etag),) if etag else ()
        return BatchRequest(method, self.base_path + path, tuple(params), body, headers)

    def insert_request(self, calendar_id: str, event: dict, send_updates: str = "none") -> BatchRequest:
        return self._request("POST", self._event_path(calendar_id), event, send_updates=send_updates)

    def update_request(self, calendar_id: str, event_id: str, event: dict, etag: str | None = None,
                       send_updates: str = "none") -> BatchRequest:
        return self._request("PUT", self._event_path(calendar_id, event_id), event, etag, send_updates)

    def patch_request(self, calendar_id: str, event_id: str, fields: dict, etag: str | None = None,
                      send_updates: str = "none") -> BatchRequest:
        return self._request("PATCH", self._event_path(calendar_id, event_id), fields, etag, send_updates)

    def delete_request(self, calendar_id: str, event_id: str, etag: str | None = None,
                       send_updates: str = "none") -> BatchRequest:
        return self._request("DELETE", self._event_path(calendar_id, event_id), None, etag, send_updates)

    def get_request(self, calendar_id: str, event_id: str) -> BatchRequest:
        return self._request("GET", self._event_path(calendar_id, event_id))

    # --- batch ----------------------------------------------------------------------------------------

    def batch(self, requests: Iterable[BatchRequest]) -> list[dict | None | GoogleError]:
        """Run inner calls through the batch endpoint: one result per request, in order.

        Each result is the decoded body (None for an empty answer or a delete of an already deleted event)
        or the domain error of that one call. Inner calls refused for a retryable reason (5xx, rate limits)
        are sent again, alone, after a backoff; the others are answered as they are. Up to 1000 calls go in
        one HTTP request (fewer when the per-minute budget is smaller: each inner call costs one unit).
        """
        requests = list(requests)
        results: list = [None] * len(requests)
        pending = list(range(len(requests)))
        attempt = 0
        refreshed = False
        while pending:
            retry: list[int] = []
            failures: list[GoogleError] = []
            refused: list[int] = []
            for chunk in chunks(pending, self._chunk_size()):
                answers = self._batch_once([requests[i] for i in chunk])
                for index, answer in zip(chunk, answers):
                    results[index] = answer
                    if isinstance(answer, Unauthenticated):
                        refused.append(index)
                    elif isinstance(answer, GoogleError) and answer.retryable:
                        retry.append(index)
                        failures.append(answer)
            # Google checks the token per inner call: one that died mid-run is refreshed once, then resent.
            if refused and not refreshed and self.transport.refresh():
                refreshed = True
                pending = sorted(refused + retry)
                continue
            if not retry or not self.pacer.retry_after_failure(attempt, _slowest(failures)):
                break
            pending, attempt = retry, attempt + 1
        return results

    def _chunk_size(self) -> int:
        budget = self.pacer.policy.max_cost
        return min(BATCH_LIMIT, budget) if budget else BATCH_LIMIT

    def _batch_once(self, requests: list[BatchRequest]) -> list:
        content_type, body = batch_format.encode(requests)
        write = any(r.method != "GET" for r in requests)
        # inserts with a client-chosen id answer 409 when repeated; without one, a blind resend could duplicate
        idempotent = all(r.method != "POST" or (r.body or {}).get("id") for r in requests)
        raw = self.transport.call("POST", self.batch_url, data=body, headers={"Content-Type": content_type},
                                  write=write, cost=len(requests), raw=True, idempotent=idempotent)
        try:
            inner = batch_format.decode(raw.headers.get("Content-Type") or raw.headers.get("content-type", ""),
                                        raw.content, len(requests))
        except batch_format.BatchFormatError as error:
            return [Transient(str(error)) for _ in requests]
        return [_inner_result(request, response) for request, response in zip(requests, inner)]


def _inner_result(request: BatchRequest, response) -> dict | None | GoogleError:
    if response.status < 400:
        try:
            return response.json()
        except ValueError:
            return Transient("inner answer is not JSON", status=response.status)
    error = error_from_response(response.status, response.body, response.headers, request.method)
    if isinstance(error, Gone) and request.method == "DELETE":
        return None
    return error


def _slowest(failures: list[GoogleError]) -> GoogleError:
    """The failure with the longest Retry-After stands for the group."""
    return max(failures, key=lambda e: e.retry_after or 0)


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _id(value: str) -> str:
    return quote(value, safe="")


def rfc3339(value) -> str:
    """A date, datetime (naive means UTC) or string as RFC 3339 (what timeMin/timeMax take)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00Z"
    raise TypeError(f"not a date or datetime: {value!r}")
