"""Blueprint 'crm': contacts, personal tags and activities pages. Views are thin: form in, a service call,
template out; the rules live in `wizard.crm.services`."""
from wizard.crm import routes_activities, routes_contacts, routes_import, routes_tags  # noqa: F401  (views)
from wizard.crm.blueprint import bp  # noqa: F401
