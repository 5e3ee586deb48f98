from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from wizard.form_choices import select_choices

MIN_PASSWORD = 10
LANGUAGE_NAMES = {"en": "English", "ru": "Русский"}


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Remember me"))
    submit = SubmitField(_l("Log in"))


class FirstAdminForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(check_deliverability=False),
                                                  Length(max=254)])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(), Length(min=MIN_PASSWORD, message=_l("At least %(num)d characters.", num=MIN_PASSWORD))])
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(), EqualTo("password", message=_l("The passwords do not match."))])
    submit = SubmitField(_l("Create the administrator"))


class ProfileForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[Length(max=200)])
    locale = SelectField(_l("Language"))
    timezone = SelectField(_l("Time zone"))
    submit = SubmitField(_l("Save"))

    def __init__(self, languages, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = select_choices((code, LANGUAGE_NAMES.get(code, code)) for code in languages)
        self.timezone.choices = select_choices((tz, tz) for tz in sorted(available_timezones()))
