"""A tiny router for Google's URL shapes (`v1/people/{peopleId}:updateContact` mixes a variable and a
custom verb in one path segment, which werkzeug's rule matcher resolves ambiguously) and the per-call
context handed to every handler."""
import json
import re

from werkzeug.wrappers import Response

from .errors import ApiError

ROUTES = []


class Route:
    def __init__(self, method, template, handler, api, scopes=None, rpc=None, write=False):
        self.method = method
        self.template = template
        self.handler = handler
        self.api = api            # people | calendar | oauth | batch | control | page
        self.scopes = scopes      # accepted scopes (any one suffices); None: no token needed
        self.rpc = rpc or handler.__name__
        self.write = write
        pattern = ""
        for part in re.split(r"(\{[^}]+\})", template):
            if part.startswith("{"):
                name = part[1:-1]
                segment = r"[^/:]+" if api == "people" else r"[^/]+"
                pattern += f"(?P<{name}>{segment})"
            else:
                pattern += re.escape(part)
        self.regex = re.compile(pattern + "$")

    @property
    def key(self):
        return f"{self.method} {self.template}"


def route(method, template, api, scopes=None, rpc=None):
    def register(handler):
        ROUTES.append(Route(method, template, handler, api, scopes, rpc))
        return handler

    return register


def match(method, path):
    """Return (route, params) or (None, allowed_methods)."""
    allowed = []
    for candidate in ROUTES:
        found = candidate.regex.match(path)
        if not found:
            continue
        if candidate.method != method:
            allowed.append(candidate.method)
            continue
        return candidate, found.groupdict()
    return None, allowed


class Call:
    """What a handler needs: the state, the request, path parameters and the authenticated user."""

    def __init__(self, app, state, request, route_, params):
        self.app = app
        self.state = state
        self.request = request
        self.route = route_
        self.params = params
        self.email = None
        self.token = None
        self._body = None

    def arg(self, name, default=None):
        return self.request.args.get(name, default)

    def args(self, name):
        return self.request.args.getlist(name)

    def flag(self, name, default=False):
        value = self.request.args.get(name)
        if value is None:
            return default
        if value.lower() in ("true", "1"):
            return True
        if value.lower() in ("false", "0"):
            return False
        raise ApiError(400, f"Invalid value at '{name}' (TYPE_BOOL), \"{value}\"",
                       calendar_reason="invalidBoolean", location=name, location_type="parameter")

    def int_arg(self, name, default=None):
        value = self.request.args.get(name)
        if value in (None, ""):
            return default
        try:
            return int(value)
        except ValueError:
            raise ApiError(400, f"Invalid value at '{name}' (TYPE_INT32), \"{value}\"",
                           calendar_reason="invalidParameter", location=name,
                           location_type="parameter") from None

    def body(self) -> dict:
        if self._body is None:
            raw = self.request.get_data(cache=True)
            if not raw.strip():
                self._body = {}
            else:
                try:
                    self._body = json.loads(raw)
                except ValueError:
                    raise ApiError(400, "Invalid JSON payload received. Unexpected token.",
                                   calendar_reason="parseError") from None
                if not isinstance(self._body, dict):
                    raise ApiError(400, "Invalid JSON payload received. Expected an object.",
                                   calendar_reason="parseError")
        return self._body


class RawJson(str):
    """A response body that is already JSON text (built from cached fragments)."""


def json_response(body, status=200, headers=None):
    if isinstance(body, RawJson):
        text = str(body)
    else:
        text = "" if body is None else json.dumps(body, ensure_ascii=False)
    response = Response(text, status=status, mimetype="application/json")
    response.headers["Content-Type"] = "application/json; charset=UTF-8"
    response.headers["Cache-Control"] = "no-cache, no-store, max-age=0, must-revalidate"
    response.headers["Vary"] = "Origin, X-Origin, Referer"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
