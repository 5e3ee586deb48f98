"""The Google OAuth client, read from the system settings at request time (no restart after a change)."""


def client_config():
    """An object with client_id, client_secret and redirect_uri, or None when the admin has not set them."""
    from wizard.settings.values import google_client_config

    config = google_client_config()
    if config is None or not config.client_id or not config.client_secret:
        return None
    return config
