"""Blueprint 'crm': contacts, personal tags and activities pages. Views are thin: form in, a service call,
template out; the rules live in `wizard.crm.services`."""
from flask import Blueprint

bp = Blueprint("crm", __name__)

from wizard.crm import routes_activities, routes_contacts, routes_import, routes_tags  # noqa: E402,F401,I001
