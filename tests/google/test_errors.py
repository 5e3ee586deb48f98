"""HTTP answers -> domain errors, for every documented error body (google-apis.md sections 4-6)."""
import pytest

from wizard.google import errors as e


def people_error(code, status, message="", reason=None):
    body = {"error": {"code": code, "message": message, "status": status}}
    if reason:
        body["error"]["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason,
                                     "domain": "people.googleapis.com"}]
    return body


def calendar_error(code, reason, message=""):
    return {"error": {"errors": [{"domain": "global", "reason": reason, "message": message}], "code": code,
                      "message": message}}


CASES = [
    (400, people_error(400, "FAILED_PRECONDITION", "Sync token is expired. Clear local cache and retry call "
                       "without the sync token.", "EXPIRED_SYNC_TOKEN"), None, e.SyncTokenExpired),
    (400, people_error(400, "FAILED_PRECONDITION", "Request person.etag is different than the current "
                       "person.etag. Clear local cache and get the latest person."), None, e.StaleEtag),
    (400, people_error(400, "INVALID_ARGUMENT", "Invalid personFields mask path"), None, e.InvalidRequest),
    (401, calendar_error(401, "authError", "Invalid Credentials"), None, e.Unauthenticated),
    (403, people_error(403, "PERMISSION_DENIED", "Request had insufficient authentication scopes.",
                       "ACCESS_TOKEN_SCOPE_INSUFFICIENT"), None, e.ScopeMissing),
    (403, people_error(403, "PERMISSION_DENIED", "People API has not been used in project", "SERVICE_DISABLED"),
     None, e.ServiceDisabled),
    (403, calendar_error(403, "accessNotConfigured"), None, e.ServiceDisabled),
    (403, calendar_error(403, "rateLimitExceeded"), None, e.RateLimited),
    (403, calendar_error(403, "userRateLimitExceeded"), None, e.RateLimited),
    (429, calendar_error(429, "rateLimitExceeded"), None, e.RateLimited),
    (429, people_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded", "RATE_LIMIT_EXCEEDED"), None, e.RateLimited),
    (403, calendar_error(403, "quotaExceeded"), None, e.QuotaExceeded),
    (403, calendar_error(403, "forbidden", "You need to have writer access"), None, e.PermissionDenied),
    (404, calendar_error(404, "notFound"), None, e.NotFound),
    (404, people_error(404, "NOT_FOUND", "Requested entity was not found."), None, e.NotFound),
    (409, calendar_error(409, "duplicate", "The requested identifier already exists."), None, e.AlreadyExists),
    (409, people_error(409, "ALREADY_EXISTS", "Contact group name already exists"), None, e.AlreadyExists),
    (410, calendar_error(410, "fullSyncRequired", "Sync token is no longer valid"), None, e.SyncTokenExpired),
    (410, calendar_error(410, "deleted", "Resource has been deleted"), None, e.Gone),
    (410, {"error": {"code": 410, "message": "Gone"}}, "DELETE", e.Gone),
    (412, calendar_error(412, "conditionNotMet", "Precondition Failed"), None, e.StaleEtag),
    (500, calendar_error(500, "backendError"), None, e.Transient),
    (503, people_error(503, "UNAVAILABLE", "The service is currently unavailable."), None, e.Transient),
    (502, "<html>Bad Gateway</html>", None, e.Transient),
    (400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}, None, e.AuthRevoked),
    (401, {"error": "invalid_client", "error_description": "Unauthorized"}, None, e.ClientRejected),
    (401, {"error": "deleted_client"}, None, e.ClientRejected),
]


@pytest.mark.parametrize("status,body,method,expected", CASES)
def test_documented_error_bodies_map_to_their_domain_error(status, body, method, expected):
    error = e.error_from_response(status, body, {}, method)
    assert type(error) is expected
    assert error.status == status
    assert error.message.code == expected.code


def test_only_rate_limits_and_transient_failures_are_retryable():
    retryable = {cls for _, body, method, cls in CASES if cls.retryable}
    assert retryable == {e.RateLimited, e.Transient}
    assert not e.QuotaExceeded.retryable  # abuse limit: never hot-retried


def test_retry_after_header_in_seconds_and_http_date():
    error = e.error_from_response(429, calendar_error(429, "rateLimitExceeded"), {"Retry-After": "7"})
    assert error.retry_after == 7
    assert e.parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert e.parse_retry_after("soon") is None
    assert e.parse_retry_after(None) is None


def test_raw_json_bytes_are_decoded_and_headers_are_case_insensitive():
    import json

    body = json.dumps(people_error(400, "FAILED_PRECONDITION", "x", "EXPIRED_SYNC_TOKEN")).encode()
    assert isinstance(e.error_from_response(400, body, {"retry-after": "3"}), e.SyncTokenExpired)
    assert e.error_from_response(429, b"{}", {"retry-after": "3"}).retry_after == 3


def test_messages_render_translated(app):
    from flask_babel import force_locale

    error = e.AuthRevoked("Token has been expired or revoked.", status=400, reason="invalid_grant")
    with app.test_request_context():
        assert "Reconnect" in error.message.render()
        with force_locale("ru"):
            assert "Подключите учётную запись заново" in error.message.render()
