"""An offline Google: OAuth 2.0/OpenID, People API v1 and Calendar API v3 on one host, for tests and the demo.

`create_emulator_app()` returns a plain WSGI application (separate from the product's Flask app);
`serve()` runs it on werkzeug's threaded server so the web app and the worker can call it concurrently.
"""
import atexit

from .world import State

_HANDLER_MODULES = ("oauth", "people", "contact_groups", "calendar", "batch", "control", "workspace_control",
                    "pages", "console", "console_iam", "admin_console")


def _load_handlers():
    import importlib

    for name in _HANDLER_MODULES:
        importlib.import_module(f"{__name__}.{name}")


def create_emulator_app(state_file=None, clock=None):
    from .app import EmulatorApp

    _load_handlers()
    state = State(clock=clock, state_file=state_file)
    if state_file:
        state.start_autosave()
        atexit.register(state.save)
    return EmulatorApp(state)


def make_server(host="127.0.0.1", port=8765, state_file=None, app=None, quiet=True):
    from werkzeug.serving import WSGIRequestHandler
    from werkzeug.serving import make_server as werkzeug_server

    class Handler(WSGIRequestHandler):
        def log_request(self, *args, **kwargs):
            if not quiet:
                super().log_request(*args, **kwargs)

    app = app or create_emulator_app(state_file=state_file)
    server = werkzeug_server(host, port, app, threaded=True, request_handler=Handler)
    server.daemon_threads = True
    return server


def serve(host="127.0.0.1", port=8765, state_file=None, quiet=False):
    """Serve until interrupted; SIGTERM (how `syncwizard run` stops its children) also saves the state."""
    import signal
    import threading

    server = make_server(host, port, state_file, quiet=quiet)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(SystemExit(0)))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        server.app.state.save()
