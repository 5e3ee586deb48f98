"""Login, logout, the user's profile and the first administrator's one-time setup page; login sessions are
checked on every request (wizard.auth.sessions)."""
from flask_babel import lazy_gettext as _l

from wizard.auth import routes, sessions  # noqa: F401  (routes: registers the views)
from wizard.auth.blueprint import bp  # noqa: F401
from wizard.auth.decorators import admin_required  # noqa: F401  (public: other areas import it from here)
from wizard.auth.session import HttpsAwareSessionInterface
from wizard.extensions import login_manager


@login_manager.user_loader
def load_user(user_id):
    return sessions.load(user_id)


def init_app(app):
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "info"
    app.session_interface = HttpsAwareSessionInterface()
