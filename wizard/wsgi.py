"""WSGI entry point for production servers: `gunicorn 'wizard.wsgi:app'`."""
from wizard import create_app

app = create_app()
