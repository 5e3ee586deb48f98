"""Google's HTTP batch format (`multipart/mixed` of `application/http` parts), encoded and decoded.

Each part carries one inner request with a path only; the answer holds one `application/http` part per
request, in order, each echoing our `Content-ID` as `<response-...>`. Pure functions, no I/O.
"""
from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from http.client import responses as REASONS
from urllib.parse import urlencode

CRLF = "\r\n"


@dataclass(frozen=True)
class BatchRequest:
    """One inner call: `path` is absolute ("/calendar/v3/calendars/primary/events")."""

    method: str
    path: str
    params: tuple = ()
    body: dict | None = None
    headers: tuple = ()

    @property
    def target(self) -> str:
        return self.path + ("?" + urlencode(list(self.params)) if self.params else "")


@dataclass
class InnerResponse:
    status: int
    headers: dict = field(default_factory=dict)
    body: bytes = b""

    def json(self):
        return json.loads(self.body) if self.body.strip() else None


def encode(requests: list[BatchRequest], boundary: str | None = None) -> tuple[str, bytes]:
    """(content type, body) of a batch request; Content-IDs are `<item-N>` with N the index."""
    boundary = boundary or "batch_" + uuid.uuid4().hex
    lines: list[str] = []
    for index, request in enumerate(requests):
        lines += [f"--{boundary}", "Content-Type: application/http", f"Content-ID: <item-{index}>", ""]
        lines.append(f"{request.method.upper()} {request.target} HTTP/1.1")
        for name, value in request.headers:
            lines.append(f"{name}: {value}")
        if request.body is not None:
            payload = json.dumps(request.body, ensure_ascii=False)
            lines += ["Content-Type: application/json; charset=UTF-8", "", payload]
        else:
            lines.append("")
        lines.append("")
    lines.append(f"--{boundary}--")
    return f"multipart/mixed; boundary={boundary}", (CRLF.join(lines) + CRLF).encode("utf-8")


_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.I)
_STATUS_LINE = re.compile(rb"^HTTP/\d(?:\.\d)?\s+(\d{3})")


class BatchFormatError(ValueError):
    """The batch answer could not be read."""


def decode(content_type: str, body: bytes, count: int) -> list[InnerResponse]:
    """Inner responses in request order (by echoed Content-ID, else by position)."""
    match = _BOUNDARY.search(content_type or "")
    if not match:
        raise BatchFormatError(f"no boundary in {content_type!r}")
    delimiter = b"--" + match.group(1).encode("ascii")
    by_index: dict[int, InnerResponse] = {}
    position = 0
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        part_headers, inner = _split_head(chunk.strip(b"\r\n"))
        index = _index_from_content_id(part_headers.get("content-id"), position)
        by_index[index] = _parse_http(inner)
        position += 1
    missing = [i for i in range(count) if i not in by_index]
    if missing:
        raise BatchFormatError(f"batch answer lacks parts {missing[:5]}")
    return [by_index[i] for i in range(count)]


def _index_from_content_id(content_id: str | None, position: int) -> int:
    if not content_id:
        return position
    found = re.search(r"item-(\d+)", content_id)
    return int(found.group(1)) if found else position


def _split_head(data: bytes) -> tuple[dict, bytes]:
    """Headers (lower-cased names) and the rest, split at the first blank line (CRLF or LF)."""
    match = re.search(rb"\r?\n\r?\n", data)
    head, rest = (data[:match.start()], data[match.end():]) if match else (data, b"")
    headers = {}
    for line in head.splitlines():
        if b":" in line:
            name, value = line.split(b":", 1)
            headers[name.decode("latin-1").strip().lower()] = value.decode("latin-1").strip()
    return headers, rest


def _parse_http(data: bytes) -> InnerResponse:
    data = data.lstrip(b"\r\n")
    status_line, _, rest = data.partition(b"\n")
    match = _STATUS_LINE.match(status_line.strip())
    if not match:
        raise BatchFormatError(f"bad status line {status_line[:80]!r}")
    if rest.startswith((b"\r\n", b"\n")):  # no headers
        headers, body = {}, rest.lstrip(b"\r\n")
    else:
        headers, body = _split_head(rest)
    return InnerResponse(int(match.group(1)), headers, body.rstrip(b"\r\n"))


def encode_response(responses: list[InnerResponse], boundary: str | None = None) -> tuple[str, bytes]:
    """The server side of the format (used by tests to check decoding independently of a server)."""
    boundary = boundary or "batch_" + uuid.uuid4().hex
    lines: list[str] = []
    for index, response in enumerate(responses):
        lines += [f"--{boundary}", "Content-Type: application/http", f"Content-ID: <response-item-{index}>", ""]
        lines.append(f"HTTP/1.1 {response.status} {REASONS.get(response.status, '')}")
        for name, value in response.headers.items():
            lines.append(f"{name}: {value}")
        lines += ["", response.body.decode("utf-8"), ""]
    lines.append(f"--{boundary}--")
    return f"multipart/mixed; boundary={boundary}", (CRLF.join(lines) + CRLF).encode("utf-8")
