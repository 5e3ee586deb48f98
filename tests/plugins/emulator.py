"""Pytest plugin: the Google emulator served over real HTTP on a free loopback port.

`emulator_server` (session) starts it once in a background thread; `emulator` (function) resets its state
first. Both return an `EmulatorHandle`: `.url` is the base URL (set GOOGLE_BASE_URL to it) and `.control()`
calls the control API, e.g. `emulator.control("POST", "/users", json={"email": "a@example.com"})`.
"""
import threading

import pytest
import requests

from wizard.emulator import make_server


class EmulatorHandle:
    def __init__(self, server):
        self.server = server
        self.app = server.app
        self.state = server.app.state
        self.url = f"http://127.0.0.1:{server.server_port}"
        self.http = requests.Session()

    def control(self, method, path, json=None):
        """Call `/_emulator{path}`; return the decoded JSON (raises on an HTTP error)."""
        path = path if path.startswith("/_emulator") else "/_emulator" + path
        response = self.http.request(method, self.url + path, json=json, timeout=10)
        response.raise_for_status()
        return response.json() if response.content else None

    # Shortcuts for the common setup steps.
    def add_user(self, email, name=None):
        return self.control("POST", "/users", json={"email": email, "name": name or email.split("@")[0]})

    def add_client(self, client_id="emu-client.apps.googleusercontent.com", client_secret="emu-secret",
                   redirect_uris=(), javascript_origins=(), status="testing", **extra):
        return self.control("POST", "/clients", json={
            "client_id": client_id, "client_secret": client_secret, "redirect_uris": list(redirect_uris),
            "javascript_origins": list(javascript_origins), "status": status, **extra})

    def token(self, email, scopes):
        return self.control("POST", "/tokens", json={"email": email, "scopes": list(scopes)})["access_token"]

    def service_account(self, name="crm-sync", **extra):
        """A service account with a first key: the answer's `key_file` is Google's JSON key file."""
        return self.control("POST", "/service-accounts", json={"name": name, "key": True, **extra})

    def workspace_domain(self, domain, users=(), client_id=None, scopes=()):
        """A Workspace domain with users and, given a service account's client ID, its delegation grant."""
        self.control("POST", "/domains", json={"domain": domain, "users": list(users)})
        if client_id:
            self.control("POST", f"/domains/{domain}/delegations", json={"client_id": client_id,
                                                                          "scopes": list(scopes)})
        return self.control("GET", "/domains")["domains"]

    def stats(self):
        return self.control("GET", "/stats")

    def reset(self):
        return self.control("POST", "/reset")


@pytest.fixture(scope="session")
def emulator_server():
    server = make_server("127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, name="google-emulator", daemon=True)
    thread.start()
    handle = EmulatorHandle(server)
    yield handle
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def emulator(emulator_server):
    emulator_server.reset()
    return emulator_server
