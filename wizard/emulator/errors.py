"""Google's error bodies, built in one place so every endpoint answers with the same shapes.

People (and other newer APIs) use the google.rpc envelope; Calendar keeps its legacy `errors[]` list (with
`status` alongside); the OAuth endpoints answer flat `{"error", "error_description"}` JSON.
"""
CANONICAL = {
    400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
    409: "ALREADY_EXISTS", 410: "NOT_FOUND", 412: "FAILED_PRECONDITION", 429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL", 503: "UNAVAILABLE",
}
WWW_AUTHENTICATE_INVALID = 'Bearer realm="https://accounts.google.com/", error="invalid_token"'
ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"


class ApiError(Exception):
    """Raised by a handler; rendered by the dispatcher in the envelope of the API that was called."""

    def __init__(self, code, message, *, status=None, reason=None, domain=None, calendar_reason=None,
                 calendar_domain="global", location=None, location_type=None, metadata=None, headers=None,
                 extra_details=None, extended_help=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = CANONICAL.get(code, "UNKNOWN") if status is None else status
        self.reason = reason
        self.domain = domain
        self.calendar_reason = calendar_reason
        self.calendar_domain = calendar_domain
        self.location = location
        self.location_type = location_type
        self.metadata = metadata
        self.headers = headers or {}
        self.extra_details = extra_details or []
        self.extended_help = extended_help

    def people_body(self):
        error = {"code": self.code, "message": self.message, "status": self.status}
        details = list(self.extra_details)
        if self.reason:
            info = {"@type": ERROR_INFO, "reason": self.reason, "domain": self.domain or "googleapis.com"}
            if self.metadata:
                info["metadata"] = self.metadata
            details.append(info)
        if details:
            error["details"] = details
        return {"error": error}

    def calendar_body(self):
        item = {"domain": self.calendar_domain, "reason": self.calendar_reason or _camel(self.status),
                "message": self.message}
        if self.location:
            item["locationType"] = self.location_type or "parameter"
            item["location"] = self.location
        if self.extended_help:
            item["extendedHelp"] = self.extended_help
        error = {"errors": [item], "code": self.code, "message": self.message}
        if self.status:
            error["status"] = self.status
        details = list(self.extra_details)
        if self.reason:
            info = {"@type": ERROR_INFO, "reason": self.reason, "domain": self.domain or "googleapis.com"}
            if self.metadata:
                info["metadata"] = self.metadata
            details.append(info)
        if details:
            error["details"] = details
        return {"error": error}


def _camel(status):
    head, *rest = status.lower().split("_")
    return head + "".join(part.title() for part in rest)


# ---- common cases -------------------------------------------------------------------------------------

def missing_credentials():
    return ApiError(
        401, "Request is missing required authentication credential. Expected OAuth 2 access token, login "
             "cookie or other valid authentication credential. See "
             "https://developers.google.com/identity/sign-in/web/devconsole-project.",
        reason="CREDENTIALS_MISSING", calendar_reason="required", location="Authorization",
        location_type="header", headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'})


def invalid_credentials():
    return ApiError(
        401, "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
             "other valid authentication credential. See "
             "https://developers.google.com/identity/sign-in/web/devconsole-project.",
        reason="ACCESS_TOKEN_EXPIRED", calendar_reason="authError", location="Authorization",
        location_type="header", headers={"WWW-Authenticate": WWW_AUTHENTICATE_INVALID})


def insufficient_scope(service, method, scopes):
    return ApiError(
        403, "Request had insufficient authentication scopes.", reason="ACCESS_TOKEN_SCOPE_INSUFFICIENT",
        calendar_reason="insufficientPermissions", metadata={"service": service, "method": method},
        headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", '
                                     f'error="insufficient_scope", scope="{" ".join(scopes)}"'})


def service_disabled(service, title, project_number):
    url = f"https://console.developers.google.com/apis/api/{service}/overview?project={project_number}"
    message = (f"{title} has not been used in project {project_number} before or it is disabled. Enable it by "
               f"visiting {url} then retry. If you enabled this API recently, wait a few minutes for the "
               "action to propagate to our systems and retry.")
    return ApiError(
        403, message, reason="SERVICE_DISABLED", calendar_reason="accessNotConfigured",
        calendar_domain="usageLimits", extended_help=url,
        metadata={"service": service, "consumer": f"projects/{project_number}", "serviceTitle": title,
                  "activationUrl": url, "containerInfo": str(project_number)},
        extra_details=[{"@type": "type.googleapis.com/google.rpc.Help",
                        "links": [{"description": "Google developers console API activation", "url": url}]}])


def acting_as_service_account():
    """A service account's own token (no `sub`): it has no Google account with contacts or a calendar list
    of a person, so the emulator refuses it (documented simplification of Google's answers)."""
    return ApiError(403, "The caller does not have permission", calendar_reason="forbidden")


def rate_limited(api, status_code, per_user=True):
    if api == "people":
        return ApiError(
            429, "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per "
                 "user' of service 'people.googleapis.com'.",
            reason="RATE_LIMIT_EXCEEDED", metadata={"service": "people.googleapis.com"})
    reason = "userRateLimitExceeded" if per_user and status_code != 429 else "rateLimitExceeded"
    return ApiError(
        status_code, "Rate Limit Exceeded", calendar_reason=reason, calendar_domain="usageLimits",
        status="RESOURCE_EXHAUSTED" if status_code == 429 else "PERMISSION_DENIED")


def backend_error(code):
    """An injected failure, in the shape Google sends for that status."""
    if code == 503:
        return ApiError(503, "The service is currently unavailable.", calendar_reason="backendError")
    if code == 429:
        return ApiError(429, "Rate Limit Exceeded", reason="RATE_LIMIT_EXCEEDED",
                        calendar_reason="rateLimitExceeded", calendar_domain="usageLimits")
    if code == 403:
        # Calendar's abuse limit: not to be hot-retried.
        return ApiError(403, "Calendar usage limits exceeded.", calendar_reason="quotaExceeded",
                        calendar_domain="usageLimits", reason="RATE_LIMIT_EXCEEDED")
    if code == 401:
        return invalid_credentials()
    if code == 500:
        return ApiError(500, "Backend Error", calendar_reason="backendError")
    return ApiError(code, "Injected error", calendar_reason="backendError")


def invalid_argument(message, location=None):
    return ApiError(400, message, calendar_reason="invalid", location=location,
                    location_type="parameter" if location else None)


def required(location):
    return ApiError(400, f"Required parameter: {location}", calendar_reason="required", location=location,
                    location_type="parameter")


def not_found(message="Not Found"):
    return ApiError(404, message, calendar_reason="notFound")
