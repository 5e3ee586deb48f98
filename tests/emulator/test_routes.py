"""Every People and Calendar route the emulator serves is a method of Google's discovery document, with
the same HTTP method and path (the client tests then call each through google-api-python-client)."""
import wizard.emulator
from wizard.emulator.routing import ROUTES

from .discovery import document, methods

PREFIX = {"people": ("people.v1", "/"), "calendar": ("calendar.v3", "/calendar/v3/")}


def discovery_paths(name):
    return {(m["httpMethod"], m.get("flatPath", m["path"])): method_id for method_id, m in methods(name).items()}


def test_routes_are_discovery_methods():
    wizard.emulator.create_emulator_app()  # loads every handler module
    served = {}
    for route in ROUTES:
        if route.api not in PREFIX:
            continue
        name, prefix = PREFIX[route.api]
        assert route.template.startswith(prefix), route.key
        key = (route.method, route.template[len(prefix):])
        assert key in discovery_paths(name), f"{route.key} is not in {name}"
        served[discovery_paths(name)[key]] = route.key
    assert len(served) >= 26


def test_calendar_batch_path_is_the_documents():
    assert "/" + document("calendar.v3")["batchPath"] in {r.template for r in ROUTES if r.api == "batch"}
