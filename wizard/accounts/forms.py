"""Forms of the accounts pages. Choices that depend on the account (calendars, tags) are set per request."""
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField
from wtforms.validators import InputRequired, ValidationError

from wizard.form_choices import select_choices
from wizard.models.accounts import MAX_CONTACTS_PERIOD, MAX_PERIOD, MIN_PERIOD

UNITS = {"minutes": 1, "hours": 60, "days": 24 * 60}
UNIT_CHOICES = [("minutes", _l("minutes")), ("hours", _l("hours")), ("days", _l("days"))]
DIRECTION_CHOICES = [("two_way", _l("Two-way")), ("to_google", _l("To Google only")),
                     ("from_google", _l("From Google only"))]
CONFLICT_CHOICES = [("ask", _l("Ask me (list the conflict, change neither side)")),
                    ("newest", _l("The most recent change wins")),
                    ("crm_wins", _l("The CRM wins")), ("google_wins", _l("Google wins"))]
UNTAG_CHOICES = [("remove_label", _l("Remove it from the Google label, keep it in Google")),
                 ("delete", _l("Delete it in Google"))]
NOTIFY_CHOICES = [("none", _l("Never")), ("externalOnly", _l("Only guests outside my organisation")),
                  ("all", _l("All guests"))]


def split_period(minutes):
    """(value, unit) with the largest unit that divides the period exactly."""
    for unit in ("days", "hours"):
        if minutes and minutes % UNITS[unit] == 0:
            return minutes // UNITS[unit], unit
    return minutes, "minutes"


def period_minutes(value_field, unit_field):
    return (value_field.data or 0) * UNITS.get(unit_field.data, 1)


class SettingsForm(FlaskForm):
    activities_auto = BooleanField(_l("Sync activities automatically"))
    activities_period = IntegerField(_l("Period"), validators=[InputRequired(_l("Enter a period."))])
    activities_period_unit = SelectField(_l("Unit"), choices=select_choices(UNIT_CHOICES), default="hours")
    activities_sync_from = DateField(_l("Sync starting from"),
                                     validators=[InputRequired(_l("Choose a date."))])
    contacts_auto = BooleanField(_l("Sync contacts automatically"))
    sync_all_personal_tags = BooleanField(_l("Sync all my personal tags, each to a Google label of the same name"))
    contacts_period = IntegerField(_l("Period"), validators=[InputRequired(_l("Enter a period."))])
    contacts_period_unit = SelectField(_l("Unit"), choices=select_choices(UNIT_CHOICES), default="hours")
    target_calendar_id = SelectField(_l("Calendar for activities"), choices=[], validate_choice=True)
    contacts_direction = SelectField(_l("Direction"), choices=select_choices(DIRECTION_CHOICES))
    activities_direction = SelectField(_l("Direction"), choices=select_choices(DIRECTION_CHOICES))
    conflict_policy = SelectField(_l("When the same field was changed on both sides"), choices=select_choices(CONFLICT_CHOICES))
    delete_in_google = BooleanField(_l("A record deleted in the CRM is deleted in Google"))
    delete_in_crm = BooleanField(_l("A record deleted in Google is deleted in the CRM"))
    untag_policy = SelectField(_l("When a contact loses its sync tag"), choices=select_choices(UNTAG_CHOICES))
    notify_attendees = SelectField(_l("Google may e-mail the guests of synced events"), choices=select_choices(NOTIFY_CHOICES))

    def __init__(self, *args, tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.tags = list(tags)

    def _check_period(self, value_field, unit_field, maximum, too_long):
        if value_field.data is None:
            return
        if value_field.data < 1:
            raise ValidationError(_l("The period must be a whole number greater than zero."))
        minutes = period_minutes(value_field, unit_field)
        if minutes < MIN_PERIOD:
            raise ValidationError(_l("The period must be at least %(n)s minutes.", n=MIN_PERIOD))
        if minutes > maximum:
            raise ValidationError(too_long)

    def validate_activities_period(self, field):
        self._check_period(field, self.activities_period_unit, MAX_PERIOD,
                           _l("The period must be at most 7 days."))

    def validate_contacts_period(self, field):
        self._check_period(field, self.contacts_period_unit, MAX_CONTACTS_PERIOD, _l(
            "Contacts must sync at least once a day (Google forgets contact changes after 7 days), "
            "so the period can be at most 1 day."))

    def validate_activities_sync_from(self, field):
        if field.data and field.data < date(1970, 1, 1):
            raise ValidationError(_l("Choose a date after 1 January 1970."))
        if field.data and field.data > date.today() + timedelta(days=366):
            raise ValidationError(_l("Choose a date no more than a year ahead."))

    def tag_choices(self, request_form):
        """The personal tags ticked for sync and their Google labels, validated: {tag_id: label}."""
        chosen, errors = {}, {}
        every = self.sync_all_personal_tags.data
        for tag in self.tags:
            if not every and request_form.get(f"tag_{tag.id}") != "y":
                continue
            label = (request_form.get(f"label_{tag.id}") or "").strip() or tag.name
            if len(label) > 255:
                errors[tag.id] = _l("The Google label can be at most 255 characters long.")
            chosen[tag.id] = label
        return chosen, errors


class ConfirmForm(FlaskForm):
    """A POST with a CSRF token and nothing else (unlink, reconnect, grant, sync now)."""
