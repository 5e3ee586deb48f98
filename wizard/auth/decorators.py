"""Access rules for views."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def admin_required(view):
    """Administrators only: anonymous visitors go to the login page, plain users get 403.

    The `admin_required` attribute marks the view so a test can find every admin page in the URL map.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    guarded = login_required(wrapper)
    guarded.admin_required = True
    return guarded
