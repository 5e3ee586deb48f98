"""Activity participants: linking cleaned participant input to the owner's contacts and writing the rows.

Input arrives cleaned by `wizard.crm.validation.clean_participants` (pages, the API and the sync engine alike).
Here a participant given as a contact gets the contact's first e-mail, and one given as an e-mail is linked to
the owner's live contact holding that address (the same normalized key the sync core matches on), so an
attendee added in Google shows up in the CRM as that contact. Rows are updated in place by e-mail, so a
person's Google answer survives edits that do not touch them.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from wizard.crm.validation import Errors
from wizard.extensions import db
from wizard.models.crm import Activity, ActivityParticipant, Contact, ContactEmail

NO_ANSWER = "needsAction"


def participant_to_input(row: ActivityParticipant) -> dict:
    return {"contact_id": row.contact_id, "email": row.email, "display_name": row.display_name,
            "response_status": row.response_status}


def _live_contacts(owner_id: int, ids) -> dict[int, Contact]:
    if not ids:
        return {}
    query = select(Contact).where(Contact.owner_id == owner_id, Contact.id.in_(ids), Contact.deleted_at.is_(None))
    return {c.id: c for c in db.session.scalars(query)}


def _contacts_by_email(owner_id: int, keys) -> dict[str, int]:
    """Normalized e-mail -> the owner's live contact holding it (the oldest one when several do)."""
    if not keys:
        return {}
    query = (select(ContactEmail.normalized, ContactEmail.contact_id).join(Contact)
             .where(Contact.owner_id == owner_id, Contact.deleted_at.is_(None), ContactEmail.normalized.in_(keys))
             .order_by(ContactEmail.contact_id.desc()))
    return dict(db.session.execute(query).all())


def resolve(owner_id: int, wanted: list[dict]) -> list[dict]:
    """Participants with their e-mail and contact filled in; raises ValidationError for a contact that does
    not exist (or has no e-mail to invite) when no e-mail was given with it."""
    errors = Errors()
    contacts = _live_contacts(owner_id, {p["contact_id"] for p in wanted if p["contact_id"] is not None})
    resolved = []
    for index, participant in enumerate(wanted):
        participant = dict(participant)
        contact = contacts.get(participant["contact_id"])
        if participant["contact_id"] is not None and contact is None:
            participant["contact_id"] = None  # gone since it was chosen: the person stays as an e-mail
            if not participant["email"]:
                errors.add(f"participants.{index}.contact_id", _l("No such contact."))
                continue
        if contact is not None and not participant["email"]:
            if not contact.emails:
                errors.add(f"participants.{index}.contact_id",
                           _l("%(name)s has no e-mail address to invite.", name=contact.display_name))
                continue
            participant["email"] = contact.emails[0].value
            participant["normalized"] = contact.emails[0].normalized
            participant["display_name"] = participant["display_name"] or contact.display_name
        resolved.append(participant)
    errors.raise_if_any()
    unlinked = {p["normalized"] for p in resolved if p["contact_id"] is None}
    by_email = _contacts_by_email(owner_id, unlinked)
    seen, out = set(), []
    for participant in resolved:
        if participant["normalized"] in seen:
            continue
        seen.add(participant["normalized"])
        if participant["contact_id"] is None:
            participant["contact_id"] = by_email.get(participant["normalized"])
        out.append(participant)
    return out


def apply(activity: Activity, participants: list[dict], answers: bool = False) -> None:
    """Make the activity's rows the given participants, matched by e-mail: kept rows keep their id and the
    answer Google last reported; only the sync (`answers`, copying Google's) writes answers."""
    current = {row.normalized: row for row in activity.participants}
    rows = []
    for position, participant in enumerate(participants):
        row = current.pop(participant["normalized"], None) or ActivityParticipant(response_status=NO_ANSWER)
        row.position, row.email, row.normalized = position, participant["email"], participant["normalized"]
        row.contact_id, row.display_name = participant["contact_id"], participant["display_name"] or ""
        if answers and participant.get("response_status"):
            row.response_status = participant["response_status"]
        rows.append(row)
    activity.participants = rows


INVITABLE_LIMIT = 500  # the form's contact list; more are reached by typing their address


def invitable_contacts(owner_id: int, limit: int = INVITABLE_LIMIT) -> list[tuple[int, str]]:
    """(contact id, "Name <e-mail>") of the owner's live contacts that have an e-mail, in name order."""
    first_email = (select(ContactEmail.value).where(ContactEmail.contact_id == Contact.id)
                   .order_by(ContactEmail.position).limit(1).correlate(Contact).scalar_subquery())
    query = (select(Contact.id, Contact.display_name, first_email)
             .where(Contact.owner_id == owner_id, Contact.deleted_at.is_(None), first_email.is_not(None))
             .order_by(Contact.sort_name, Contact.id).limit(limit))
    return [(cid, address_line(name, email)) for cid, name, email in db.session.execute(query)]


def address_line(name: str, email: str) -> str:
    """`Name <e-mail>` as the form reads it back (quoted when the name holds address punctuation)."""
    if not name or name == email:
        return email
    if any(ch in name for ch in ',;<>"()@'):
        name = '"' + name.replace("\\", "").replace('"', "") + '"'
    return f"{name} <{email}>"


def participant_lines(activity: Activity) -> str:
    return "\n".join(address_line(p.display_name, p.email) for p in activity.participants)


def linked_contacts(activity: Activity | None) -> dict[str, int]:
    return {p.normalized: p.contact_id for p in (activity.participants if activity else []) if p.contact_id}


def contact_activities(owner_id: int, contact_id: int, limit: int = 20) -> list[ActivityParticipant]:
    """The contact's participations in live activities, latest first (the contact card's list)."""
    query = (select(ActivityParticipant).join(Activity)
             .where(ActivityParticipant.contact_id == contact_id, Activity.owner_id == owner_id,
                    Activity.deleted_at.is_(None))
             .order_by(Activity.start_at.desc().nulls_last(), Activity.start_date.desc(), Activity.id.desc())
             .limit(limit))
    return list(db.session.scalars(query))
