"""Blueprint 'health' (filled in by its issue)."""
from flask import Blueprint

bp = Blueprint("health", __name__)
