"""Blueprint 'setup' (filled in by its issue)."""
from flask import Blueprint

bp = Blueprint("setup", __name__)
