"""Sync health per account, and the reconnect banner shown on every page."""
from flask import Blueprint

bp = Blueprint("health", __name__)

from wizard.health import routes  # noqa: E402,F401
from wizard.health.banners import banner_context  # noqa: E402

bp.app_context_processor(banner_context)


def init_app(app):
    from wizard.health.labels import field_label

    app.jinja_env.globals["sync_field_label"] = field_label
