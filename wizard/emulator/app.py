"""The emulator's WSGI application: routing, authentication, scopes, enabled APIs, quotas, faults, stats."""
import logging

from jinja2 import Environment, PackageLoader, select_autoescape
from werkzeug.wrappers import Request, Response

from . import faults, request_schema
from .errors import ApiError, insufficient_scope, invalid_credentials, missing_credentials, rate_limited
from .errors import acting_as_service_account, service_disabled
from .i18n import current_locale, select as select_locale
from .routing import Call, json_response, match

log = logging.getLogger("wizard.emulator")

SERVICES = {
    "people": ("people.googleapis.com", "Google People API"),
    "calendar": ("calendar-json.googleapis.com", "Google Calendar API"),
}
COUNTED = {"people", "calendar", "oauth", "batch"}
BODY_METHODS = {"POST", "PUT", "PATCH"}


class EmulatorApp:
    def __init__(self, state):
        self.state = state
        # Callables (route, response) told about every answer; tests use it to validate each JSON body.
        self.observers = []
        self.templates = Environment(loader=PackageLoader("wizard.emulator", "templates"),
                                     autoescape=select_autoescape(["html"]), extensions=["jinja2.ext.i18n"])
        from .i18n import install

        install(self.templates)

    # ---- WSGI ----------------------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        request = Request(environ)
        select_locale(request)
        try:
            response = self.handle(request)
        except faults.Dropped:
            # The socket is already shut: whatever we write now fails and werkzeug logs a dropped connection.
            response = Response(b"", status=500)
        return response(environ, start_response)

    def handle(self, request, inner=False, outer=None):
        found, params = match(request.method, request.path)
        if found is None:
            if params:
                return Response("Method Not Allowed", status=405, headers={"Allow": ", ".join(params)})
            return self.render("not_found.html", status=404, path=request.path)
        call = Call(self, self.state, request, found, params)
        call.outer = outer
        counted = found.api in COUNTED
        try:
            if counted and not inner:
                fault = faults.apply(self.state, found, request.environ)
                if fault is not None:
                    raise fault
            if found.scopes is not None:
                self.authenticate(call)
                if found.api in SERVICES:
                    self.check_service(call)
                    self.check_scopes(call)
                    self.check_quota(call)
                    if request.method in BODY_METHODS:
                        request_schema.check(found.api, found, call.body())
            with self.state.lock:
                result = found.handler(call)
        except ApiError as error:
            result = error
        except faults.Dropped:
            raise
        except Exception:  # a bug in the emulator: answer like Google's backend would, and log it
            log.exception("emulator error on %s %s", request.method, request.path)
            if found.api == "page":
                return Response("Internal error in the Google emulator (see its log).", status=500)
            result = ApiError(500, "Internal error encountered.", calendar_reason="backendError")
        finally:
            if counted:
                self.state.count(found.key, call.email)
        response = self.respond(found, result)
        for observer in list(self.observers):
            observer(found, response)
        return response

    def respond(self, found, result):
        if isinstance(result, Response):
            return result
        if isinstance(result, ApiError):
            body = result.calendar_body() if found.api in ("calendar", "batch") else result.people_body()
            return json_response(body, result.code, result.headers)
        if result is None:
            return Response(status=204)
        if isinstance(result, tuple):
            status, body = result
            return json_response(body, status)
        return json_response(result)

    # ---- checks --------------------------------------------------------------------------------------
    def authenticate(self, call):
        header = call.request.headers.get("Authorization", "")
        token = None
        if header[:7].lower() == "bearer ":
            token = header[7:].strip()
        elif call.request.args.get("access_token"):
            token = call.request.args["access_token"]
        if not token:
            raise missing_credentials()
        with self.state.lock:
            record = self.state.access_tokens.get(token)
            if record is None or record["expires"] <= self.state.now():
                raise invalid_credentials()
            if record.get("service_account") == record["email"]:
                raise acting_as_service_account()
            if record["email"] not in self.state.users:
                raise invalid_credentials()
            call.email = record["email"]
            call.token = record

    def check_service(self, call):
        api = call.route.api
        with self.state.lock:
            project = self.state.projects.get(self.project_of(call) or "")
            if project is not None and api not in project["enabled_apis"]:
                service, title = SERVICES[api]
                raise service_disabled(service, title, project["number"])

    def check_scopes(self, call):
        accepted = call.route.scopes
        if accepted and not set(accepted) & set(call.token["scopes"]):
            raise insufficient_scope(SERVICES[call.route.api][0], call.route.rpc, accepted)

    def check_quota(self, call):
        """Sliding one-minute windows (setting `quota_window_seconds`): per user (and, when set, per project)
        for each API."""
        api = call.route.api
        with self.state.lock:
            quota = self.state.quotas.get(api) or {}
            status = int(quota.get("status", 429))
            self.take(("user", call.email, api), quota.get("per_user_per_minute"), api, status)
            project = self.project_of(call)
            if project is not None:
                self.take(("project", project, api), quota.get("per_project_per_minute"), api, status, False)

    def take(self, key, limit, api, status, per_user=True):
        if not limit:
            return
        now = self.state.now()
        window = self.state.windows[key]
        span = self.state.settings.get("quota_window_seconds", 60)
        while window and window[0] <= now - span:
            window.popleft()
        if len(window) >= limit:
            raise rate_limited(api, status, per_user)
        window.append(now)

    def project_of(self, call):
        """The project a call counts against: its OAuth client's, or the service account's that minted the
        token (a delegated token bills the service account's project, not the user's)."""
        if call.token.get("project_id"):
            return call.token["project_id"]
        client = self.state.clients.get(call.token.get("client_id") or "")
        return client["project_id"] if client else None

    # ---- pages ---------------------------------------------------------------------------------------
    def render(self, template, status=200, headers=None, **context):
        context.setdefault("lang", current_locale.get())
        html = self.templates.get_template(template).render(**context)
        return Response(html, status=status, mimetype="text/html", headers=headers)
