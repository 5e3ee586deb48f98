"""SQLAlchemy models by subject. Importing this package registers every table on db.metadata."""
from wizard.models.users import User, UserAudit, UserSession  # noqa: F401
from wizard.models import settings, crm, accounts, sync  # noqa: F401
