"""The users area's blueprint (its own module, so the views can import it without a cycle through the package)."""
from flask import Blueprint

bp = Blueprint("users", __name__)
