"""Logging that never writes a secret: a filter masks tokens, client secrets and passwords."""
import logging
import re

SECRET_PATTERNS = [
    # key=value or "key": "value" forms for the names secrets travel under
    re.compile(
        r"(?i)((?:client_secret|access_token|refresh_token|id_token|password|code_verifier|code|token|secret)"
        r"[\"']?\s*[:=]\s*[\"']?)([^\"'&\s,}]+)"
    ),
    re.compile(r"(?i)(bearer\s+)([A-Za-z0-9._~+/=-]+)"),
    re.compile(r"(GOCSPX-)[A-Za-z0-9_-]+"),
    re.compile(r"(ya29\.)[A-Za-z0-9._-]+"),
    re.compile(r"(1//)[A-Za-z0-9._-]+"),
]


def mask(text: str) -> str:
    for pattern in SECRET_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + "***", text)
    return text


class SecretFilter(logging.Filter):
    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logged as is
            return True
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def install_masking_record_factory():
    """Mask every record as it is created, whatever logger or handler it goes to: filters on loggers apply
    only to records logged to that very logger (not its children), and on handlers only to handlers that
    existed at start-up, so a library's child logger or a handler configured later would see secrets."""
    current = logging.getLogRecordFactory()
    if getattr(current, "masks_secrets", False):
        return
    secret_filter = SecretFilter()

    def masking_factory(*args, **kwargs):
        record = current(*args, **kwargs)
        secret_filter.filter(record)
        return record

    masking_factory.masks_secrets = True
    logging.setLogRecordFactory(masking_factory)


def init_app(app):
    install_masking_record_factory()
    secret_filter = SecretFilter()
    root = logging.getLogger()
    for logger in (root, app.logger, logging.getLogger("werkzeug"), logging.getLogger("rq.worker"),
                   logging.getLogger("waitress"), logging.getLogger("authlib")):
        if not any(isinstance(f, SecretFilter) for f in logger.filters):
            logger.addFilter(secret_filter)
    for handler in root.handlers + app.logger.handlers:
        if not any(isinstance(f, SecretFilter) for f in handler.filters):
            handler.addFilter(secret_filter)
