"""Forms of the login, first-administrator, profile and password pages (the policy: wizard.auth.passwords)."""
from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from wizard.auth.passwords import MIN_PASSWORD, StrongPassword  # noqa: F401  (MIN_PASSWORD: the CLI reads it)
from wizard.form_choices import select_choices

LANGUAGE_NAMES = {"en": "English", "ru": "Русский"}


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField(_l("Remember me"))
    submit = SubmitField(_l("Log in"))


class FirstAdminForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(check_deliverability=False),
                                                  Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), StrongPassword(known=("email",))])
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(), EqualTo("password", message=_l("The passwords do not match."))])
    submit = SubmitField(_l("Create the administrator"))


def _own_words():
    from flask_login import current_user

    return [current_user.email, current_user.name or ""]


class ChangePasswordForm(FlaskForm):
    """The user's own password: the current one is required, so a borrowed open session cannot take over."""

    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1024)])
    password = PasswordField(_l("New password"), validators=[DataRequired(), StrongPassword(user=_own_words)])
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(), EqualTo("password", message=_l("The passwords do not match."))])
    submit = SubmitField(_l("Change the password"))


class SetPasswordForm(FlaskForm):
    """Choosing a password from a one-time link (an invitation or a reset)."""

    password = PasswordField(_l("New password"), validators=[DataRequired()])
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(), EqualTo("password", message=_l("The passwords do not match."))])
    submit = SubmitField(_l("Save the password"))

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.password.validators = [DataRequired(), StrongPassword(user=lambda: [user.email, user.name or ""])]


class ProfileForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[Length(max=200)])
    locale = SelectField(_l("Language"))
    timezone = SelectField(_l("Time zone"))
    submit = SubmitField(_l("Save"))

    def __init__(self, languages, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = select_choices((code, LANGUAGE_NAMES.get(code, code)) for code in languages)
        self.timezone.choices = select_choices((tz, tz) for tz in sorted(available_timezones()))
