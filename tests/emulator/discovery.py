"""The official Google client built offline from its bundled discovery documents, pointed at the emulator,
plus JSON Schema validation of every response against the same documents' `schemas`."""
import json
from functools import lru_cache
from pathlib import Path

import googleapiclient
import jsonschema
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build_from_document
from googleapiclient.http import BatchHttpRequest

DOCUMENTS = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"


@lru_cache(maxsize=None)
def document(name):
    return json.loads((DOCUMENTS / f"{name}.json").read_text())


def convert(node):
    """One discovery schema node as JSON Schema; objects with declared properties are closed so an
    emulator field that Google does not have fails validation."""
    if "$ref" in node:
        return {"$ref": "#/$defs/" + node["$ref"]}
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        out = {"type": "object"}
        if "properties" in node:
            out["properties"] = {k: convert(v) for k, v in node["properties"].items()}
        if "additionalProperties" in node:
            out["additionalProperties"] = convert(node["additionalProperties"])
        elif "properties" in node:
            out["additionalProperties"] = False
        return out
    if kind == "array":
        return {"type": "array", "items": convert(node.get("items", {}))}
    if kind in ("string", "integer", "number", "boolean"):
        out = {"type": kind}
        if "enum" in node:
            out["enum"] = node["enum"]
        return out
    return {}


@lru_cache(maxsize=None)
def validator(name, schema_name):
    doc = document(name)
    schema = {"$defs": {k: convert(v) for k, v in doc["schemas"].items()}, "$ref": "#/$defs/" + schema_name}
    return jsonschema.Draft202012Validator(schema)


def methods(name):
    """methodId -> method description, from the discovery document."""
    found = {}

    def walk(resources):
        for resource in resources.values():
            for method in resource.get("methods", {}).values():
                found[method["id"]] = method
            walk(resource.get("resources", {}))

    walk(document(name)["resources"])
    return found


def api_of(method_id):
    return "people.v1" if method_id.startswith("people.") else "calendar.v3"


def validate(method_id, body):
    method = methods(api_of(method_id))[method_id]
    ref = (method.get("response") or {}).get("$ref")
    if ref is None or body in (None, ""):
        return body
    errors = sorted(validator(api_of(method_id), ref).iter_errors(body), key=lambda e: list(e.path))
    assert not errors, f"{method_id}: {errors[0].message} at {list(errors[0].absolute_path)}"
    return body


def call(request):
    """Execute a googleapiclient request and validate its JSON against the discovery schema."""
    return validate(request.methodId, request.execute(num_retries=0))


class Google:
    def __init__(self, base_url, token):
        credentials = Credentials(token)
        self.people = build_from_document(document("people.v1"), credentials=credentials,
                                          client_options={"api_endpoint": base_url + "/"})
        self.calendar = build_from_document(document("calendar.v3"), credentials=credentials,
                                            client_options={"api_endpoint": base_url + "/calendar/v3/"})
        self.batch_uri = base_url + "/batch/calendar/v3"

    def calendar_batch(self, callback=None):
        return BatchHttpRequest(callback=callback, batch_uri=self.batch_uri)
