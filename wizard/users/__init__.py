"""User administration for administrators (Дизайнер системы → Пользователи), one-time links (invitation,
password reset), and every user's own security pages: password change, login sessions and API tokens."""
from flask_babel import lazy_gettext as _l

from wizard.messages import define
from wizard.users import routes_admin, routes_domain, routes_own  # noqa: F401  (registers the views)
from wizard.users.blueprint import bp  # noqa: F401

# The engine skips a disabled person's Google accounts with this message (see wizard.users.services).
define("sync.run.owner_disabled", _l("The account's owner is disabled; nothing was synced."))
