"""Keys that must never be hard-coded: taken from the configuration, else generated once into the instance
folder (mode 0600). The production configuration refuses to start without explicit keys."""
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet


class ConfigurationError(RuntimeError):
    pass


def _read_or_create(path: Path, make) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    # O_EXCL: two processes starting at once must not both write a different key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    return value


def load_instance_secrets(app):
    production = app.config.get("ENV_NAME") == "production"
    instance = Path(app.instance_path)
    if not app.config.get("SECRET_KEY"):
        if production:
            raise ConfigurationError("SECRET_KEY must be set in production")
        app.config["SECRET_KEY"] = _read_or_create(instance / "secret_key", lambda: secrets.token_urlsafe(48))
    if not app.config.get("ENCRYPTION_KEYS"):
        if production:
            raise ConfigurationError("ENCRYPTION_KEYS must be set in production")
        app.config["ENCRYPTION_KEYS"] = _read_or_create(
            instance / "encryption_keys", lambda: Fernet.generate_key().decode()
        )
