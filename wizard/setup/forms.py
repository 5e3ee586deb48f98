"""Forms of the settings pages and the wizard. Values are validated by the settings registry, so a page and
the command line refuse the same inputs with the same messages."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import PasswordField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import ValidationError

from wizard.form_choices import select_choices
from wizard.google.rules import CALLBACK_FORMS
from wizard.settings import registry
from wizard.settings import values as services


def _check(code):
    def validator(form, field):
        if field.data in (None, "") and registry.definition(code).secret and services.is_set(code):
            return  # replace-only: an empty secret field keeps the stored one
        try:
            services.validate(code, field.data)
        except services.SettingError as exc:
            raise ValidationError(exc.message.render()) from None
    return validator


def setting_form(defn, formdata=None):
    """The card's form for one setting: the value field typed by the setting's type."""
    label = _l("Default value")
    if defn.secret:
        field = PasswordField(label, validators=[_check(defn.code)],
                              description=_l("Stored encrypted and never shown. Enter a new value to replace it."))
    elif defn.type == registry.CHOICE:
        field = SelectField(label, choices=select_choices(defn.choices),  # lazy labels: the reader's language
                            validators=[_check(defn.code)])
    else:
        field = StringField(label, validators=[_check(defn.code)], description=defn.description,
                            render_kw={"inputmode": "numeric"} if defn.type == registry.INTEGER else {})

    class SettingForm(FlaskForm):
        value = field
        save = SubmitField(_l("Save"))

    return SettingForm(formdata=formdata) if formdata is not None else SettingForm()


class AddressForm(FlaskForm):
    site_address = StringField(_l("Site address"), validators=[_check("SiteAddress")],
                               description=_l("As users type it in the browser, e.g. https://crm.example.com"))
    submit = SubmitField(_l("Next"))


class ValuesForm(FlaskForm):
    callback_form = RadioField(_l("Callback form to register"), default="clean",
                               choices=select_choices(CALLBACK_FORMS.items()))
    submit = SubmitField(_l("Next"))


class ConsoleForm(FlaskForm):
    publishing_status = SelectField(
        _l("Google consent screen status"),
        # The lazy labels themselves: str() here would fix them in the language of the import, English.
        choices=select_choices(registry.definition("GoogleAppPublishingStatus").choices))
    submit = SubmitField(_l("Next"))


class CredentialsForm(FlaskForm):
    client_file = FileField(_l("client_secret_….json downloaded from Google"))
    client_id = StringField(_l("Client ID"))
    client_secret = PasswordField(_l("Client secret"))
    submit = SubmitField(_l("Save"))


class ProbeForm(FlaskForm):
    probe = SubmitField(_l("Test the credentials"))


class RoundtripForm(FlaskForm):
    roundtrip = SubmitField(_l("Sign in with Google"))


class ModeForm(FlaskForm):
    mode = RadioField(_l("How users connect to Google"), default="personal",
                      choices=select_choices(registry.definition("GoogleConnectionMode").choices))
    submit = SubmitField(_l("Continue"))


class DomainKeyForm(FlaskForm):
    key_file = FileField(_l("The service account's JSON key"))
    domain = StringField(_l("Google Workspace domain"), description=_l("As in the users' addresses after “@”."))
    submit = SubmitField(_l("Save"))


class DomainVerifyForm(FlaskForm):
    address = StringField(_l("Test user's address"),
                          description=_l("An existing user of the domain; the wizard reads their calendar list "
                                         "and contacts, changing nothing."))
    submit = SubmitField(_l("Verify the delegation"))
