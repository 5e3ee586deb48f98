"""This installation's identity: it goes into every Google event the product writes (a private extended
property, and the deterministic event ids), so two installations syncing into one calendar never collide.

INSTALLATION_ID in the configuration wins; otherwise an id is generated once into the instance folder.
"""
import uuid
from pathlib import Path

from flask import current_app


def installation_id() -> str:
    configured = current_app.config.get("INSTALLATION_ID")
    if configured:
        return str(configured)
    path = Path(current_app.instance_path) / "installation.id"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(uuid.uuid4().hex)
    return path.read_text().strip()
