"""Forms of the user administration pages."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from wizard.form_choices import select_choices

ROLE_NAMES = {"user": _l("User"), "admin": _l("Administrator")}


def role_choices():
    return select_choices(ROLE_NAMES.items())


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(check_deliverability=False),
                                                  Length(max=254)])
    name = StringField(_l("Name"), validators=[Length(max=200)])
    role = SelectField(_l("Role"))
    submit = SubmitField(_l("Create and get the invitation link"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"))
    submit = SubmitField(_l("Change the role"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()


class ActionForm(FlaskForm):
    """A button that posts (disable, enable, reset link, end sessions): only the CSRF token travels."""


class DomainAddressForm(FlaskForm):
    """Switching a user on under domain-wide delegation, optionally as another address of the domain."""

    address = StringField(_l("Address in the domain"), validators=[Length(max=254)],
                          description=_l("Empty: the user's CRM e-mail."))
