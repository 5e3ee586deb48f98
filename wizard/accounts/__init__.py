"""Blueprint 'accounts' (filled in by its issue)."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)
