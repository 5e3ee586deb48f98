"""The `health` blueprint object, apart from the package so that its views can import it without an
import cycle (the package imports the views to register them)."""
from flask import Blueprint

bp = Blueprint("health", "wizard.health")
