"""Property-based run over /api/v1/openapi.json: schemathesis generates requests from the document (valid
ones and, in negative mode, invalid ones) against the WSGI app, and checks that no response is a 5xx and that
every response matches its documented schema (status code, content type, body). Bounded by a fixed number of
examples per operation and mode so the suite stays quick.

(schemathesis's pytest fixture loader does not work with pytest 9 yet, so operations are driven directly with
`APIOperation.as_strategy` and Hypothesis.)
"""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, ignored_auth, negative_data_rejection, response_schema_conformance,
    status_code_conformance,
)

from tests.accounts.helpers import add_account
from wizard.api.openapi import document
from wizard.api.tokens import create_token
from wizard.crm import services

BASE_CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
               response_schema_conformance, ignored_auth]
# Schema-valid bodies may still be refused (422) for rules a schema cannot state (e.g. "a contact needs a
# name, company, e-mail or phone"), so positive_data_acceptance is not asked for; invalid data must be refused.
CHECKS = {GenerationMode.POSITIVE: BASE_CHECKS, GenerationMode.NEGATIVE: BASE_CHECKS + [negative_data_rejection]}
OPERATIONS = [(method.upper(), path) for path, item in document()["paths"].items() for method in item]
EXAMPLES = int(__import__("os").environ.get("SCHEMATHESIS_EXAMPLES", 20))


@pytest.fixture
def api_schema(app, alice):
    # Some of alice's records, so generated ids sometimes hit real ones (1, 2, ...) instead of only 404s.
    for i in range(3):
        contact = services.create_contact(alice.id, {"first_name": f"Seed{i}", "emails": [{"value": f"s{i}@x.example"}]})
        tag = services.get_or_create_tag(alice.id, f"Tag{i}")
        services.tag_contacts(alice.id, tag.id, [contact.id])
        services.create_activity(alice.id, {"title": f"Seed{i}", "start_at": "2026-03-10T10:00:00Z"})
    add_account(alice, "alice@gmail.com")  # a linked account for the accounts/sync operations
    _row, token = create_token(alice.id, "schemathesis")
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app), token


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
@pytest.mark.parametrize("method,path", OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_conforms_to_the_document(api_schema, method, path, mode):
    schema, token = api_schema
    operation = schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        headers = {"Authorization": f"Bearer {token}"}
        response = case.call(headers=headers)
        assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])
        case.validate_response(response, checks=CHECKS[mode], headers=headers)

    run()
