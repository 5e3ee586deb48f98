"""Calendar's batch endpoint: a multipart/mixed body of `application/http` parts, each executed as its own
request (own auth, quota and stats) and answered in order with `Content-ID: <response-...>`."""
import io
import secrets
from urllib.parse import unquote_to_bytes, urlsplit

from werkzeug.http import HTTP_STATUS_CODES, parse_options_header
from werkzeug.wrappers import Request, Response

from .errors import ApiError, invalid_argument
from .routing import route

MAX_PARTS = 1000


def parse_parts(content_type, body):
    """Split a multipart/mixed body into (Content-ID, payload) pairs. A plain splitter: the email package's
    parser costs milliseconds per part, too much for 1,000-part batches."""
    _mime, options = parse_options_header(content_type)
    boundary = options.get("boundary")
    if not boundary:
        raise invalid_argument("Batch requests must be multipart/mixed with a boundary.")
    delimiter = b"--" + boundary.encode()
    parts = []
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break  # the closing delimiter
        chunk = chunk[2:] if chunk.startswith(b"\r\n") else chunk.lstrip(b"\n")
        head, separator, payload = chunk.partition(b"\r\n\r\n")
        if not separator:
            head, _, payload = chunk.partition(b"\n\n")
        headers = {}
        for line in head.decode("utf-8", "replace").splitlines():
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if payload.endswith(b"\r\n"):
            payload = payload[:-2]
        elif payload.endswith(b"\n"):
            payload = payload[:-1]
        parts.append((headers.get("content-id"), payload))
    return parts


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


def inner_environ(outer, method, url, headers, body):
    """A WSGI environ for one part, built directly (werkzeug's EnvironBuilder is slow for 1,000 parts)."""
    environ = {key: outer[key] for key in ("SERVER_NAME", "SERVER_PORT", "wsgi.url_scheme", "wsgi.version",
                                           "wsgi.errors", "wsgi.multithread", "wsgi.multiprocess",
                                           "wsgi.run_once", "REMOTE_ADDR") if key in outer}
    environ.update({"REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": unquote_to_bytes(url.path).decode("latin-1"),
                    "QUERY_STRING": url.query, "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.input": io.BytesIO(body),
                    "CONTENT_LENGTH": str(len(body))})
    if "HTTP_HOST" in outer:
        environ["HTTP_HOST"] = outer["HTTP_HOST"]
    for name, value in headers.items():
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if key == "CONTENT_TYPE":
                environ[key] = value
        elif key != "HOST":
            environ["HTTP_" + key] = value
    return environ


def run_part(call, content_id, raw, outer_auth):
    method, target, headers, body = parse_inner(raw)
    url = urlsplit(target)
    if outer_auth and not any(k.lower() == "authorization" for k in headers):
        headers["Authorization"] = outer_auth
    environ = inner_environ(call.request.environ, method, url, headers, body)
    response = call.app.handle(Request(environ), inner=True)
    return serialize(response, content_id)
