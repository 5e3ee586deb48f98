"""Sync health per account, and the reconnect banner shown on every page."""
from wizard.health import routes  # noqa: F401  (registers the views)
from wizard.health.banners import banner_context
from wizard.health.blueprint import bp
from wizard.health.labels import field_label

bp.app_context_processor(banner_context)


def init_app(app):
    app.jinja_env.globals["sync_field_label"] = field_label
