"""Blueprint 'crm' (filled in by its issue)."""
from flask import Blueprint

bp = Blueprint("crm", __name__)
