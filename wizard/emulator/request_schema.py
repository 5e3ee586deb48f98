"""Request bodies checked against Google's discovery schemas, at every depth, with Google's error text.

Google's front end parses a JSON body into the method's request message and refuses what does not fit:
`Invalid JSON payload received. Unknown name "bogus" at 'person.names[0]': Cannot find field.` for a field the
message does not have, `Invalid value at 'person.names[0].given_name' (TYPE_STRING), 5` for a value of the
wrong type. Paths use the proto field names (snake_case) and start at the body's field of the request message:
`person` for People's createContact/updateContact (HTTP body `person`), `resource` for Calendar (every
Calendar body is its `resource`), nothing for the People methods whose body is the whole request (`body: "*"`).

The schemas are the request-reachable part of the discovery documents bundled with google-api-python-client
(`wizard/emulator/discovery/*.json`); `python -m wizard.emulator.request_schema` refreshes them from the
installed client.
"""
import json
import re
from functools import lru_cache
from pathlib import Path

from .errors import ApiError

HERE = Path(__file__).resolve().parent / "discovery"
DOCUMENTS = {"people": "people.v1", "calendar": "calendar.v3"}
# The HTTP body's field in the request message (the `body:` of Google's HTTP rule); "" for `body: "*"`.
BODY_FIELD = {"people.people.createContact": "person", "people.people.updateContact": "person"}
PROTO_PACKAGE = {"people": "google.people.v1", "calendar": "google.calendar.v3"}
BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"
UPPER = re.compile(r"(?<!^)(?=[A-Z])")


@lru_cache(maxsize=None)
def document(api):
    return json.loads((HERE / f"{DOCUMENTS[api]}.json").read_text())


def _shape(path):
    """A path template with its variables blanked, so routes and discovery paths compare."""
    return re.sub(r"\{[^}]+\}", "{}", path.lstrip("/"))


@lru_cache(maxsize=None)
def request_of(api, method, template):
    """(method id, request schema name) of a route, or None when the method takes no body."""
    prefix = "/calendar/v3/" if api == "calendar" else "/"
    key = f"{method} {_shape(template[len(prefix):])}"
    return document(api)["requests"].get(key)


def snake(name):
    return UPPER.sub("_", name).lower()


class Checker:
    """Walks one body against one API's schemas, collecting Google's field violations."""

    def __init__(self, api):
        self.api = api
        self.schemas = document(api)["schemas"]
        self.violations = []

    def object(self, value, schema, path):
        properties = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for index, (key, item) in enumerate(value.items()):
            if key in properties:
                if properties[key].get("type") == "array" and not isinstance(item, (list, type(None))):
                    # Google's JSON parser takes a single value for a repeated field as a list of one.
                    item = value[key] = [item]
                self.value(item, properties[key], join(path, snake(key)))
            elif extra is not None:
                self.value(item, extra, f"{path}[{index}].value")
            else:
                where = f" at '{path}'" if path else ""
                self.violations.append((path, f'Invalid JSON payload received. Unknown name "{key}"{where}: '
                                              "Cannot find field."))

    def value(self, item, schema, path):
        if item is None:
            return None  # null is an unset field in proto JSON
        if isinstance(item, list) and schema.get("type") != "array":
            self.violations.append((path, "Invalid JSON payload received. Proto field is not repeating, cannot "
                                          "start list."))
            return None
        if "$ref" in schema:
            name = schema["$ref"]
            if not isinstance(item, dict):
                return self.invalid(path, f"type.googleapis.com/{PROTO_PACKAGE[self.api]}.{name}", item)
            return self.object(item, self.schemas[name], path)
        kind = schema.get("type")
        if kind == "array":
            for index, element in enumerate(item):
                self.value(element, schema.get("items") or {}, f"{path}[{index}]")
        elif kind == "object":
            if not isinstance(item, dict):
                return self.invalid(path, "type.googleapis.com/google.protobuf.Struct", item)
            self.object(item, schema, path)
        elif kind in SCALARS and not SCALARS[kind](item, schema):
            self.invalid(path, scalar_type(kind, schema), item)

    def invalid(self, path, type_name, item):
        shown = json.dumps(item, ensure_ascii=False) if not isinstance(item, (dict, list)) else json.dumps(item)
        self.violations.append((path, f"Invalid value at '{path}' ({type_name}), {shown}"))


def join(path, name):
    return f"{path}.{name}" if path else name


def _is_string(item, schema):
    if schema.get("format") in ("int64", "uint64"):
        return isinstance(item, (str, int)) and not isinstance(item, bool)
    return isinstance(item, str)


def _is_integer(item, _schema):
    if isinstance(item, bool):
        return False
    if isinstance(item, str):
        return bool(re.fullmatch(r"-?\d+", item))  # proto JSON accepts numbers written as strings
    return isinstance(item, int) or (isinstance(item, float) and item.is_integer())


def _is_number(item, _schema):
    return isinstance(item, (int, float)) and not isinstance(item, bool)


SCALARS = {"string": _is_string, "integer": _is_integer, "number": _is_number,
           "boolean": lambda item, _schema: isinstance(item, bool)}


def scalar_type(kind, schema):
    if kind == "string":
        return "TYPE_INT64" if schema.get("format") == "int64" else "TYPE_STRING"
    if kind == "integer":
        return "TYPE_UINT32" if schema.get("format") == "uint32" else "TYPE_INT32"
    return {"number": "TYPE_DOUBLE", "boolean": "TYPE_BOOL"}[kind]


def check(api, route_, body):
    """Raise Google's 400 when `body` does not fit the request message of `route_` (a no-op otherwise)."""
    found = request_of(api, route_.method, route_.template)
    if found is None or not isinstance(body, dict):
        return
    method_id, schema_name = found
    root = "resource" if api == "calendar" else BODY_FIELD.get(method_id, "")
    checker = Checker(api)
    checker.object(body, checker.schemas[schema_name], root)
    if checker.violations:
        raise refusal(api, checker.violations)


def refusal(api, violations):
    message = "\n".join(description for _path, description in violations)
    if api == "calendar":
        # Calendar keeps its legacy errors[] envelope; its front end gives the same text with reason "invalid".
        return ApiError(400, message, calendar_reason="invalid")
    fields = [{"field": path, "description": description} if path else {"description": description}
              for path, description in violations]
    return ApiError(400, message, extra_details=[{"@type": BAD_REQUEST, "fieldViolations": fields}])


# ---- refreshing the bundled schemas -----------------------------------------------------------------------

def _requests_and_refs(doc):
    prefix = "v1/" if doc["name"] == "people" else ""
    found = {}

    def walk(resources):
        for resource in resources.values():
            for method in resource.get("methods", {}).values():
                if "request" in method:
                    path = method.get("flatPath", method["path"])
                    found[f"{method['httpMethod']} {_shape(path)}"] = [method["id"], method["request"]["$ref"]]
            walk(resource.get("resources", {}))

    walk(doc["resources"])
    assert all(key.split(" ", 1)[1].startswith(prefix) for key in found)
    return found


def _reachable(schemas, names):
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += re.findall(r'"\$ref": "([^"]+)"', json.dumps(schemas[name]))
    return {name: schemas[name] for name in sorted(seen)}


def refresh():
    """Rewrite wizard/emulator/discovery/ from the discovery documents of the installed official client."""
    import googleapiclient

    source = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"
    for name in DOCUMENTS.values():
        doc = json.loads((source / f"{name}.json").read_text())
        requests = _requests_and_refs(doc)
        kept = {"revision": doc.get("revision"), "requests": requests,
                "schemas": _reachable(doc["schemas"], [ref for _id, ref in requests.values()])}
        (HERE / f"{name}.json").write_text(json.dumps(kept, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    refresh()
