"""Forms of the CRM pages. They carry input and CSRF; the rules live in the services (shared with the API),
whose per-field errors are put back onto these fields by `apply_errors`."""
from email.utils import parseaddr

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from flask_wtf.i18n import translations
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)

from wizard.form_choices import select_choices
from wizard.sync.records import normalize_email
from wizard.models.crm import ACTIVITY_STATUSES, ACTIVITY_TYPES


def field_type_choices():
    return select_choices([("mobile", _l("Mobile")), ("work", _l("Work")), ("home", _l("Home")), ("other", _l("Other"))])


class EntryForm(Form):
    """A row nested in the contact form. Plain WTForms forms answer WTForms' own messages ("Not a valid
    choice.") in English; use Flask-WTF's translations, as FlaskForm does."""
    class Meta:
        def get_translations(self, form):
            return translations


class EmailEntry(EntryForm):
    value = StringField(_l("E-mail"))
    type = SelectField(_l("Type"), choices=field_type_choices, default="work")


class PhoneEntry(EntryForm):
    value = StringField(_l("Phone"))
    type = SelectField(_l("Type"), choices=field_type_choices, default="mobile")


class AddressEntry(EntryForm):
    street = StringField(_l("Street"))
    city = StringField(_l("City"))
    region = StringField(_l("Region"))
    postcode = StringField(_l("Postcode"))
    country = StringField(_l("Country"))
    type = SelectField(_l("Type"), choices=field_type_choices, default="work")


def month_choices():
    names = [_l("January"), _l("February"), _l("March"), _l("April"), _l("May"), _l("June"), _l("July"),
             _l("August"), _l("September"), _l("October"), _l("November"), _l("December")]
    return select_choices([("", "—")] + [(str(i), name) for i, name in enumerate(names, start=1)])


class ContactForm(FlaskForm):
    first_name = StringField(_l("First name"))
    middle_name = StringField(_l("Middle name"))
    last_name = StringField(_l("Last name"))
    display_name = StringField(_l("Display name"), description=_l("Leave empty to build it from the name."))
    company = StringField(_l("Company"))
    job_title = StringField(_l("Job title"))
    birthday_day = StringField(_l("Day"))
    birthday_month = SelectField(_l("Month"), choices=month_choices, default="")
    birthday_year = StringField(_l("Year (optional)"))
    notes = TextAreaField(_l("Notes"))
    tags = StringField(_l("Tags"), description=_l("Comma-separated; new tags are created."))
    emails = FieldList(FormField(EmailEntry), min_entries=1)
    phones = FieldList(FormField(PhoneEntry), min_entries=1)
    addresses = FieldList(FormField(AddressEntry), min_entries=1)

    def to_input(self) -> tuple[dict, dict]:
        """Service input, and where each service list index came from in the form (blank rows skipped)."""
        data = {name: getattr(self, name).data or "" for name in
                ("first_name", "middle_name", "last_name", "display_name", "company", "job_title", "notes")}
        data["birthday"] = self._birthday()
        origins = {}
        for name, key_fields in (("emails", ("value",)), ("phones", ("value",)),
                                 ("addresses", ("street", "city", "region", "postcode", "country"))):
            items, origins[name] = [], []
            for index, entry in enumerate(getattr(self, name).entries):
                values = {k: (v or "").strip() for k, v in entry.data.items()}
                if any(values[k] for k in key_fields):
                    items.append(values)
                    origins[name].append(index)
            data[name] = items
        data["tags"] = [t for t in (self.tags.data or "").split(",") if t.strip()]
        return data, origins

    def _birthday(self):
        day, month, year = (self.birthday_day.data or "").strip(), self.birthday_month.data, \
            (self.birthday_year.data or "").strip()
        if not (day or month or year):
            return None
        as_int = lambda v: int(v) if v.isdigit() else (v or None)  # noqa: E731 (services report bad text)
        return {"day": as_int(day), "month": as_int(month or ""), "year": as_int(year)}

    def fill(self, data: dict, tag_names: list[str]):
        for name in ("first_name", "middle_name", "last_name", "display_name", "company", "job_title", "notes"):
            getattr(self, name).data = data.get(name, "")
        birthday = data.get("birthday") or {}
        self.birthday_day.data = str(birthday.get("day") or "")
        self.birthday_month.data = str(birthday.get("month") or "")
        self.birthday_year.data = str(birthday.get("year") or "")
        self.tags.data = ", ".join(tag_names)
        for name in ("emails", "phones", "addresses"):
            field = getattr(self, name)
            while field.entries:
                field.pop_entry()
            for item in data.get(name) or []:
                field.append_entry(item)
            field.append_entry()  # one blank row to add another

    def apply_errors(self, errors: dict, origins: dict) -> list[str]:
        """Attach service errors to fields; return the ones no field shows."""
        unplaced = []
        for key, messages in errors.items():
            parts = key.split(".")
            target = None
            if parts[0] in ("emails", "phones", "addresses") and len(parts) == 3 and parts[1].isdigit():
                index = int(parts[1])
                if index < len(origins.get(parts[0], [])):
                    entry = getattr(self, parts[0]).entries[origins[parts[0]][index]]
                    target = getattr(entry.form, parts[2], None)
            elif parts[0] == "birthday":
                target = {"day": self.birthday_day, "month": self.birthday_month, "year": self.birthday_year}.get(
                    parts[1] if len(parts) > 1 else "day")
            elif parts[0] == "tags":
                target = self.tags
            else:
                target = getattr(self, parts[0], None) if parts[0] in self._fields else None
            if target is None:
                unplaced.extend(str(m) for m in messages)
            else:
                target.errors = list(target.errors) + [str(m) for m in messages]
        return unplaced


class BulkForm(FlaskForm):
    action = HiddenField()
    tag_name = StringField(_l("Tag"))
    all_matching = BooleanField(_l("All matching contacts"))
    q = HiddenField()
    tag = HiddenField()


class TagForm(FlaskForm):
    name = StringField(_l("Tag name"))


class DeleteForm(FlaskForm):
    """Only a CSRF token: deletion is a POST."""


def activity_type_choices():
    labels = {"task": _l("Task"), "call": _l("Call"), "meeting": _l("Meeting")}
    return select_choices((t, labels[t]) for t in ACTIVITY_TYPES)


def activity_status_choices():
    labels = {"planned": _l("Planned"), "done": _l("Done"), "cancelled": _l("Cancelled")}
    return select_choices((s, labels[s]) for s in ACTIVITY_STATUSES)


class ActivityForm(FlaskForm):
    title = StringField(_l("Title"))
    type = SelectField(_l("Type"), choices=activity_type_choices, default="task")
    status = SelectField(_l("Status"), choices=activity_status_choices, default="planned")
    all_day = BooleanField(_l("All day"))
    start_at = StringField(_l("Start"), render_kw={"type": "datetime-local"})
    end_at = StringField(_l("End"), render_kw={"type": "datetime-local"})
    start_date = StringField(_l("Start date"), render_kw={"type": "date"})
    end_date = StringField(_l("End date (inclusive)"), render_kw={"type": "date"})
    timezone = StringField(_l("Time zone"))
    location = StringField(_l("Location"))
    description = TextAreaField(_l("Description"))
    show_in_calendar = BooleanField(_l("Show in calendar"), default=True)
    participant_contacts = SelectMultipleField(_l("Invite contacts"), coerce=int, choices=[],
                                               description=_l("Contacts with an e-mail address."))
    # The description is shown as markup (lazy strings count as safe in Jinja): its brackets are entities.
    participant_emails = TextAreaField(
        _l("Invite by e-mail"),
        description=_l("One per line: an e-mail address, or a name and an address as in Ann Lee "
                       "&lt;ann@example.com&gt;. A contact's address links the contact."))

    def participants_input(self, linked: dict | None = None) -> list[dict]:
        """Typed lines, then chosen contacts. `linked` (normalized e-mail -> contact id) keeps the contact of a
        participant already on the activity even when the contact's addresses changed since."""
        linked = linked or {}
        out = []
        for line in (self.participant_emails.data or "").splitlines():
            if not line.strip():
                continue
            name, address = parseaddr(line.strip())
            email = address if address and "@" in address else line.strip()  # unparsed: the services say why
            out.append({"email": email, "display_name": name if address else "",
                        "contact_id": linked.get(normalize_email(email))})
        out += [{"contact_id": contact_id} for contact_id in self.participant_contacts.data or []]
        return out

    def to_input(self, linked: dict | None = None) -> dict:
        data = {name: getattr(self, name).data for name in (
            "title", "type", "status", "all_day", "timezone", "location", "description", "show_in_calendar")}
        data["participants"] = self.participants_input(linked)
        data["all_day"] = bool(data["all_day"])
        data["show_in_calendar"] = bool(data["show_in_calendar"])
        if data["all_day"]:
            data.update(start_date=self.start_date.data or None, end_date=self.end_date.data or None)
        else:
            data.update(start_at=self.start_at.data or None, end_at=self.end_at.data or None)
        return data

    def apply_errors(self, errors: dict) -> list[str]:
        unplaced = []
        for key, messages in errors.items():
            # Participants' errors name the list entry (participants.2.email): the textarea shows them.
            field = self.participant_emails if key.startswith("participants") else self._fields.get(key)
            if field is None:
                unplaced.extend(str(m) for m in messages)
            else:
                field.errors = list(field.errors) + [str(m) for m in messages]
        return unplaced


class ImportForm(FlaskForm):
    file = FileField(_l("CSV or vCard file"), validators=[FileRequired(_l("Choose a file."))])
    tag_name = StringField(_l("Tag the imported contacts (optional)"))
