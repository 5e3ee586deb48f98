"""The login's redirect check, which lives in wizard.redirects so every area (the CRM pages too) uses the same."""
from wizard.redirects import safe_next  # noqa: F401
