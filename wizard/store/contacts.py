"""CRM contacts ⇄ core contact records, scoped to the account's mapped personal tags.

Item conventions shared with the Google mapping (wizard.google.mapping):
- emails:    Item(normalized address, type)
- phones:    Item(E.164 when parseable else digits, type)
- addresses: Item(folded "street city region postcode country", (type, street, city, region, postcode, country))
"""
from collections import namedtuple

from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload

from wizard.crm import services
from wizard.crm.changes import changed_since, latest_seq
from wizard.extensions import db
from wizard.models.crm import (CONTACT_FIELD_TYPES, Contact, ContactAddress, ContactEmail, ContactPhone,
                               contact_tags)
from wizard.store.origin import ORIGIN
from wizard.sync.changes import DELETED, OUT_OF_SCOPE, Seen, side
from wizard.sync.records import CONTACTS, Item, address_key, make_record

CHANGE_OBJECT = "contact"
ADDRESS_PARTS = ("street", "city", "region", "postcode", "country")


def contact_record(contact: Contact):
    """The core's view of a CRM contact (only mapped fields)."""
    return _record(contact, contact.emails, contact.phones, contact.addresses, contact.birthday)


def _record(contact, emails, phones, addresses, birthday):
    """The record from a contact's columns and its rows (ORM objects or Core rows: the same attribute names)."""
    items = []
    for a in addresses:
        parts = tuple(getattr(a, name) or "" for name in ADDRESS_PARTS)
        if any(parts):
            items.append(Item(address_key(parts), (a.type or "other",) + parts))
    return make_record(
        CONTACTS,
        given_name=contact.first_name, family_name=contact.last_name, middle_name=contact.middle_name,
        emails=[Item(e.normalized or e.value, e.type or "other") for e in emails],
        phones=[Item(p.normalized or p.value, p.type or "other") for p in phones],
        addresses=items,
        organization=contact.company, title=contact.job_title, birthday=birthday or None,
        notes=contact.notes,
    )


def _birthday(row) -> str:
    """Contact.birthday for a Core row (the same text: "YYYY-MM-DD", "--MM-DD" or "")."""
    if not (row.birthday_day and row.birthday_month):
        return ""
    if row.birthday_year:
        return f"{row.birthday_year:04d}-{row.birthday_month:02d}-{row.birthday_day:02d}"
    return f"--{row.birthday_month:02d}-{row.birthday_day:02d}"


_CONTACT_COLUMNS = (Contact.id, Contact.owner_id, Contact.first_name, Contact.last_name, Contact.middle_name, Contact.company,
                    Contact.job_title, Contact.notes, Contact.birthday_day, Contact.birthday_month,
                    Contact.birthday_year, Contact.updated_at, Contact.deleted_at)


# The lean read's rows as named tuples: a SQLAlchemy Row answers an attribute by name several times slower than
# a named tuple, and a first sync reads some 25 attributes per contact.
_ContactRow = namedtuple("_ContactRow", [column.key for column in _CONTACT_COLUMNS])
_EmailRow = namedtuple("_EmailRow", "contact_id value normalized type")
_PhoneRow = namedtuple("_PhoneRow", "contact_id value normalized type")
_AddressRow = namedtuple("_AddressRow", ("contact_id", "type") + ADDRESS_PARTS)

# The lean read's statements, built once: the ids travel as one expanding parameter, so a slice's 500 ids are
# not made into 500 SQL literals (each coerced, and walked for the statement cache's key) on every read.
_IDS, _TAG_IDS = bindparam("ids", expanding=True), bindparam("tag_ids", expanding=True)
_CONTACTS_BY_ID = select(*_CONTACT_COLUMNS).where(Contact.id.in_(_IDS))
# A contact's e-mails, phones and addresses, in the relationships' order (by position: the record's order too).
_PART_ROWS = tuple((shape, select(*(getattr(model, name) for name in shape._fields))
                    .where(model.contact_id.in_(_IDS)).order_by(model.contact_id, model.position, model.id))
                   for model, shape in ((ContactEmail, _EmailRow), (ContactPhone, _PhoneRow),
                                        (ContactAddress, _AddressRow)))
_TAGGED = select(contact_tags.c.contact_id).where(contact_tags.c.contact_id.in_(_IDS),
                                                  contact_tags.c.tag_id.in_(_TAG_IDS))


def record_input(record) -> dict:
    """Core record → the CRM services' input shape (the inverse of contact_record)."""
    def items(name):
        return sorted(record[name], key=lambda item: item.key)

    def item_type(value):
        return value if isinstance(value, str) and value else "other"

    addresses = []
    for item in items("addresses"):
        payload = item.value if isinstance(item.value, tuple) else ()
        if len(payload) == 1 + len(ADDRESS_PARTS):
            addresses.append({"type": item_type(payload[0]),
                              **{name: payload[1 + i] or "" for i, name in enumerate(ADDRESS_PARTS)}})
        else:
            addresses.append({"type": "other", "street": item.key, "city": "", "region": "", "postcode": "",
                              "country": ""})
    return {
        "first_name": record["given_name"] or "", "middle_name": record["middle_name"] or "",
        "last_name": record["family_name"] or "", "company": record["organization"] or "",
        "job_title": record["title"] or "", "notes": record["notes"] or "",
        "birthday": birthday_input(record["birthday"]),
        "emails": [{"value": i.key, "type": _crm_type(item_type(i.value))} for i in items("emails")],
        "phones": [{"value": i.key, "type": _crm_type(item_type(i.value))} for i in items("phones")],
        "addresses": [{**a, "type": _crm_type(a["type"])} for a in addresses],
    }


def _crm_type(value: str) -> str:
    return value if value in CONTACT_FIELD_TYPES else "other"


def birthday_input(value):
    """"YYYY-MM-DD" or "--MM-DD" → {"day", "month", "year"}; None when empty or unreadable."""
    if not value:
        return None
    try:
        if value.startswith("--"):
            month, day = value[2:].split("-")
            return {"day": int(day), "month": int(month), "year": None}
        year, month, day = value.split("-")
        return {"day": int(day), "month": int(month), "year": int(year)}
    except ValueError:
        return None


class ContactStore:
    """The CRM contacts of one user, in the scope of the account's mapped tags."""
    object = "contacts"

    def __init__(self, owner_id: int, tag_ids: list[int]):
        self.owner_id = owner_id
        self.tag_ids = list(tag_ids)

    @classmethod
    def for_account(cls, account, **_):
        tag_ids = [m.tag_id for m in getattr(account, "tag_mappings", [])]
        return cls(account.user_id, tag_ids)

    # --- reading ---------------------------------------------------------------------------------------
    def latest_seq(self) -> int:
        return latest_seq(self.owner_id, CHANGE_OBJECT)

    def in_scope(self, contact: Contact) -> bool:
        return contact.deleted_at is None and any(t.id in self.tag_ids for t in contact.tags)

    def changes(self, seq: int, full: bool):
        """(SideChanges, position to resume from). `full`: every contact in scope, a full listing."""
        new_seq = self.latest_seq()
        if full:
            contacts = self._load(self._scoped_ids())
            return side({str(c.id): self._seen(c) for c in contacts}, full=True), new_seq
        ids, _ = changed_since(self.owner_id, CHANGE_OBJECT, seq, exclude_origin=ORIGIN)
        changes = {}
        for contact in self._load(ids, include_deleted=True):
            if contact.deleted_at is not None:
                changes[str(contact.id)] = DELETED
            elif not self.in_scope(contact):
                changes[str(contact.id)] = OUT_OF_SCOPE
            else:
                changes[str(contact.id)] = self._seen(contact)
        return side(changes), new_seq

    def changed_ids(self, seq: int, full: bool):
        """(CRM ids to read, position to resume from): what `changes` would list, without reading the records
        (the engine reads them chunk by chunk with `fetch`)."""
        new_seq = self.latest_seq()
        if full:
            return [str(i) for i in self._scoped_ids()], new_seq
        ids, _ = changed_since(self.owner_id, CHANGE_OBJECT, seq, exclude_origin=ORIGIN)
        return [str(i) for i in ids], new_seq

    def fetch(self, crm_ids):
        """Current state of some contacts: the planner's read of every chunk. Read with column selects, not ORM
        objects: a first sync reads every contact once, and building and eager-loading 10,000 ORM graphs cost
        more than the rest of the run's local work together."""
        ids = [int(i) for i in crm_ids]
        out = {}
        for start in range(0, len(ids), 500):  # SQLite's bound-parameter limit
            out.update(self._lean(ids[start:start + 500]))
        return out

    def _lean(self, ids) -> dict:
        """CRM id -> change for these contacts of this owner: five column queries, no ORM object built."""
        session = db.session()
        # By id alone, the owner checked here: with the owner in the WHERE clause SQLite reads the owner's
        # index (all their contacts) instead of the primary key once the id list has ~50 entries, so every
        # slice cost O(contacts) and a first sync of 100,000 contacts O(n²) (7 ms a slice at 100,000).
        rows = [row for row in map(_ContactRow._make, session.execute(_CONTACTS_BY_ID, {"ids": ids}))
                if row.owner_id == self.owner_id]
        ids = [row.id for row in rows]
        if not ids:
            return {}
        emails, phones, addresses = parts = ({}, {}, {})
        for into, (shape, statement) in zip(parts, _PART_ROWS):
            for row in map(shape._make, session.execute(statement, {"ids": ids})):
                into.setdefault(row.contact_id, []).append(row)
        tagged = set(session.scalars(_TAGGED, {"ids": ids, "tag_ids": self.tag_ids})) if self.tag_ids else set()
        out = {}
        for row in rows:
            if row.deleted_at is not None:
                out[str(row.id)] = DELETED
            elif row.id not in tagged:
                out[str(row.id)] = OUT_OF_SCOPE
            else:
                record = _record(row, emails.get(row.id, ()), phones.get(row.id, ()), addresses.get(row.id, ()),
                                 _birthday(row))
                out[str(row.id)] = Seen(record, modified=row.updated_at)
        return out

    def _seen(self, contact):
        return Seen(contact_record(contact), modified=contact.updated_at)

    def mapped_tags(self, crm_ids) -> dict[str, list[int]]:
        """CRM id -> the account's mapped tags it carries (which Google labels it belongs in)."""
        ids = [int(i) for i in crm_ids if str(i).isdigit()]
        out: dict[str, list[int]] = {}
        for start in range(0, len(ids), 500):
            for contact_id, tag_id in db.session.execute(
                    select(contact_tags.c.contact_id, contact_tags.c.tag_id).where(
                        contact_tags.c.contact_id.in_(ids[start:start + 500]),
                        contact_tags.c.tag_id.in_(self.tag_ids))):
                out.setdefault(str(contact_id), []).append(tag_id)
        return out

    def _scoped_ids(self):
        if not self.tag_ids:
            return []
        return list(db.session.scalars(
            select(contact_tags.c.contact_id).join(Contact, Contact.id == contact_tags.c.contact_id)
            .where(contact_tags.c.tag_id.in_(self.tag_ids), Contact.owner_id == self.owner_id,
                   Contact.deleted_at.is_(None)).distinct()))

    def _load(self, ids, include_deleted=False):
        ids = list(ids)
        out = []
        for start in range(0, len(ids), 500):  # SQLite's bound-parameter limit
            query = (select(Contact).where(Contact.owner_id == self.owner_id, Contact.id.in_(ids[start:start + 500]))
                     .options(selectinload(Contact.emails), selectinload(Contact.phones),
                              selectinload(Contact.addresses), selectinload(Contact.tags)))
            if not include_deleted:
                query = query.where(Contact.deleted_at.is_(None))
            out.extend(db.session.scalars(query))
        return out

    # --- writing (no commit: the engine commits per batch) ----------------------------------------------
    def create(self, record, tag_ids=None) -> str:
        data = record_input(record)
        contact = services.create_contact(self.owner_id, data, origin=ORIGIN, commit=False)
        for tag_id in (tag_ids or self.tag_ids[:1]):
            services.tag_contacts(self.owner_id, tag_id, [contact.id], origin=ORIGIN, commit=False)
        return str(contact.id)

    def update(self, crm_id: str, record, fields=None) -> None:
        data = record_input(record)
        if fields:
            data = {key: value for key, value in data.items() if key in _input_keys(fields)}
        services.update_contact(self.owner_id, int(crm_id), data, origin=ORIGIN, commit=False)

    def exists(self, crm_id) -> bool:
        """A live contact of this owner (a back-reference from Google may name anything)."""
        return str(crm_id).isdigit() and services.is_id(int(crm_id)) and bool(self._load([int(crm_id)]))

    def tag(self, crm_id: str, tag_ids=None) -> None:
        """Back in the sync: the contact gets the tag again (the first mapped one, unless told which)."""
        for tag_id in (tag_ids or self.tag_ids[:1]):
            services.tag_contacts(self.owner_id, tag_id, [int(crm_id)], origin=ORIGIN, commit=False)

    def untag(self, crm_id: str) -> None:
        for tag_id in self.tag_ids:
            services.untag_contacts(self.owner_id, tag_id, [int(crm_id)], origin=ORIGIN, commit=False)

    def delete(self, crm_id: str) -> None:
        try:
            services.delete_contact(self.owner_id, int(crm_id), origin=ORIGIN, commit=False)
        except services.NotFound:
            pass  # already gone: deleting it again is done

    def record(self, crm_id: str):
        """The core record of the CRM row as it is now (None when gone)."""
        row = db.session.get(Contact, int(crm_id))
        return contact_record(row) if row is not None and row.deleted_at is None else None

    def current(self, crm_id: str):
        """The record as committed now (None when gone), its row locked until the run commits: the run's
        compare-and-set against a person's save. Read afresh: the run's session keeps what it loaded."""
        query = (select(Contact).where(Contact.owner_id == self.owner_id, Contact.id == int(crm_id))
                 .options(selectinload(Contact.emails), selectinload(Contact.phones),
                          selectinload(Contact.addresses), selectinload(Contact.tags))
                 .with_for_update(of=Contact).execution_options(populate_existing=True))
        row = db.session.scalar(query)
        return contact_record(row) if row is not None and row.deleted_at is None else None

    def label(self, crm_id: str) -> str:
        contact = db.session.get(Contact, int(crm_id))
        return contact.display_name if contact is not None else str(crm_id)


_FIELD_INPUT_KEYS = {
    "given_name": ("first_name",), "family_name": ("last_name",), "middle_name": ("middle_name",),
    "emails": ("emails",), "phones": ("phones",), "addresses": ("addresses",),
    "organization": ("company",), "title": ("job_title",), "birthday": ("birthday",), "notes": ("notes",),
}


def _input_keys(fields):
    return {key for name in fields for key in _FIELD_INPUT_KEYS.get(name, ())}
