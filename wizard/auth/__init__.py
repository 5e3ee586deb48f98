"""Login, logout, the user's profile and the first administrator's one-time setup page."""
from flask_babel import lazy_gettext as _l

from wizard.auth import routes  # noqa: F401  (registers the views)
from wizard.auth.blueprint import bp  # noqa: F401
from wizard.auth.decorators import admin_required  # noqa: F401  (public: other areas import it from here)
from wizard.auth.session import HttpsAwareSessionInterface
from wizard.extensions import db, login_manager
from wizard.models import User


@login_manager.user_loader
def load_user(user_id):
    return db.session.get(User, int(user_id))


def init_app(app):
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "info"
    app.session_interface = HttpsAwareSessionInterface()
