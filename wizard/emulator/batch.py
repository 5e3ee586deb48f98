"""Calendar's batch endpoint: a multipart/mixed body of `application/http` parts, each executed as its own
request (own auth, quota and stats) and answered in order with `Content-ID: <response-...>`."""
import secrets
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import urlsplit

from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from .errors import ApiError, invalid_argument
from .routing import route

MAX_PARTS = 1000


def parse_parts(content_type, body):
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\nMIME-Version: 1.0\r\n\r\n" + body)
    if not message.is_multipart():
        raise invalid_argument("Batch requests must be multipart/mixed.")
    return [(part.get("Content-ID"), part.get_payload(decode=True) or b"") for part in message.iter_parts()]


def parse_inner(raw):
    head, _, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    lines = head.decode("utf-8", "replace").split("\n")
    method, target, *_version = lines[0].split(" ")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip()] = value.strip()
    return method.upper(), target, headers, body


def serialize(response, content_id):
    reason = HTTP_STATUS_CODES.get(response.status_code, "")
    lines = [f"HTTP/1.1 {response.status_code} {reason}"]
    for name, value in response.headers.items():
        if name.lower() not in ("content-length",):
            lines.append(f"{name}: {value}")
    payload = response.get_data()
    lines.append(f"Content-Length: {len(payload)}")
    head = "Content-Type: application/http\r\n"
    if content_id:
        inner = content_id.strip("<>")
        head += f"Content-ID: <response-{inner}>\r\n"
    return head.encode() + b"\r\n" + "\r\n".join(lines).encode() + b"\r\n\r\n" + payload + b"\r\n"


@route("POST", "/batch/calendar/v3", "batch")
@route("POST", "/batch", "batch")
def calendar_batch(call):
    request = call.request
    content_type = request.headers.get("Content-Type", "")
    if not content_type.startswith("multipart/"):
        raise ApiError(400, "Batch requests must use Content-Type multipart/mixed.", calendar_reason="badContent")
    parts = parse_parts(content_type, request.get_data())
    if len(parts) > MAX_PARTS:
        raise ApiError(400, f"Too many requests in batch; at most {MAX_PARTS} are allowed.",
                       calendar_reason="invalid")
    outer_auth = request.headers.get("Authorization")
    # Inner calls take the state lock themselves; release the batch's hold so they run like separate calls.
    call.state.lock.release()
    try:
        chunks = [run_part(call, content_id, raw, outer_auth) for content_id, raw in parts]
    finally:
        call.state.lock.acquire()
    boundary = "batch_" + secrets.token_hex(12)
    body = b"".join(b"--" + boundary.encode() + b"\r\n" + chunk for chunk in chunks)
    body += b"--" + boundary.encode() + b"--\r\n"
    return Response(body, status=200, content_type=f"multipart/mixed; boundary={boundary}")


def run_part(call, content_id, raw, outer_auth):
    method, target, headers, body = parse_inner(raw)
    url = urlsplit(target)
    if outer_auth and not any(k.lower() == "authorization" for k in headers):
        headers["Authorization"] = outer_auth
    headers.pop("Host", None)
    builder = EnvironBuilder(path=url.path, method=method, headers=headers, data=body or None,
                             query_string=url.query)
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    response = call.app.handle(Request(environ), inner=True)
    return serialize(response, content_id)
