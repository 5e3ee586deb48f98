"""Normalized records: the plain data both sides are translated into before the core compares them.

A `Record` is a frozen, hashable mapping from field name to normalized value, for one object kind
(`CONTACTS` or `ACTIVITIES`). Every field of the kind is present: scalars hold `str | bool | None`,
multi-valued fields hold a `frozenset` of `Item(key, value)` where `key` is the normalized identity of the
item (a lower-cased e-mail, an E.164 phone, a folded address) and `value` is its payload (type label,
display form, structured parts) that may change while the item stays the same item.

Adapters normalise before building records (phone numbers through `phonenumbers` on their side; the core
only offers a standard-library fallback), so two records compare equal exactly when the mapped content is
the same. `fingerprint()` is the stable content hash stored per side: an etag change with identical content
gives the same fingerprint and is therefore not a change.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import cached_property, partial
from typing import Any, NamedTuple, Union

Payload = Union[str, bool, None, tuple]


class Item(NamedTuple):
    """One element of a multi-valued field, identified by its normalized key."""

    key: str
    value: Payload = None


Scalar = Union[str, bool, None]
Value = Union[Scalar, frozenset]


class FieldKind(Enum):
    SCALAR = "scalar"
    SET = "set"


@dataclass(frozen=True)
class FieldSpec:
    """A mapped field; set fields name the normalizer that turns an item into its key."""

    name: str
    kind: FieldKind = FieldKind.SCALAR
    key: str = "text"  # "text" | "email" | "phone" | "address" (see KEY_NORMALIZERS)


@dataclass(frozen=True)
class ObjectSpec:
    """What one object kind looks like to the core.

    `groups` are fields merged as one unit, because their values only make sense together (an activity's
    start, end, all-day flag and zone: merging start from one side and end from the other could give an
    event that ends before it starts). `match_keys` are the set fields used to match unpaired records on
    the first sync. `idempotent_create` is true when a repeated create cannot duplicate (activities use a
    deterministic event id, so a retried insert answers 409 and is paired). `scope_membership` is true when
    leaving the sync has a Google-side counterpart (contacts: the label); activities have none, so leaving
    the sync there only unlinks.
    """

    name: str
    fields: tuple[FieldSpec, ...]
    groups: tuple[tuple[str, ...], ...] = ()
    match_keys: tuple[str, ...] = ()
    idempotent_create: bool = False
    scope_membership: bool = False  # Google has a removable membership (a label) mirroring the CRM tag
    # (field, value): a record holding it has no live Google counterpart, by design (Google deletes a
    # cancelled single event): Google reporting it deleted is the sync's own doing, and the pair is kept.
    gone_in_google: tuple[str, str] | None = None

    @cached_property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @cached_property
    def _by_name(self) -> dict[str, FieldSpec]:
        return {f.name: f for f in self.fields}

    @cached_property
    def normalizers(self) -> dict[str, Any]:
        """Field name -> the function that normalizes its value, in field order: made once per kind, since
        every record read on either side is normalized field by field."""
        return {f.name: partial(_normalize_items, normalize_key=KEY_NORMALIZERS[f.key])
                if f.kind is FieldKind.SET else _normalize_scalar for f in self.fields}

    def field(self, name: str) -> FieldSpec:
        return self._by_name[name]

    def kind_of(self, name: str) -> FieldKind:
        return self.field(name).kind

    def merge_units(self) -> tuple[tuple[str, ...], ...]:
        """Fields grouped into the units the merge decides on (singletons for ungrouped fields)."""
        grouped = {name for group in self.groups for name in group}
        singles = tuple((name,) for name in self.field_names if name not in grouped)
        return tuple(self.groups) + singles


CONTACTS = ObjectSpec(
    name="contacts",
    fields=(
        FieldSpec("given_name"),
        FieldSpec("family_name"),
        FieldSpec("middle_name"),
        FieldSpec("emails", FieldKind.SET, key="email"),
        FieldSpec("phones", FieldKind.SET, key="phone"),
        FieldSpec("addresses", FieldKind.SET, key="address"),
        FieldSpec("organization"),
        FieldSpec("title"),
        FieldSpec("birthday"),  # "YYYY-MM-DD" or "--MM-DD" when the year is unknown
        FieldSpec("notes"),
    ),
    match_keys=("emails", "phones"),
    scope_membership=True,
)

ACTIVITIES = ObjectSpec(
    name="activities",
    fields=(
        FieldSpec("title"),
        FieldSpec("description"),
        FieldSpec("location"),
        FieldSpec("start"),  # all-day: "YYYY-MM-DD"; timed: UTC instant "YYYY-MM-DDTHH:MM:SSZ"
        FieldSpec("end"),  # all-day: exclusive end date (Google's convention); timed: UTC instant
        FieldSpec("all_day"),  # bool
        FieldSpec("timezone"),  # IANA zone name of a timed item, None for all-day items
        FieldSpec("status"),  # "confirmed" | "tentative" | "cancelled"
        FieldSpec("type"),  # CRM activity type (kept in Google's extendedProperties.private)
        # Item(normalized e-mail, (display name, response status)): the event's attendees other than the
        # calendar's own address and resources; a set, so adds and removals on both sides merge per person.
        FieldSpec("participants", FieldKind.SET, key="email"),
    ),
    groups=(("start", "end", "all_day", "timezone"),),
    idempotent_create=True,
    gone_in_google=("status", "cancelled"),
)

SPECS = {CONTACTS.name: CONTACTS, ACTIVITIES.name: ACTIVITIES}


class Record(Mapping):
    """Frozen mapping field -> normalized value for one object kind; hashable; equality is content."""

    __slots__ = ("_kind", "_values", "_hash", "_json")

    def __init__(self, kind: str, values: Mapping[str, Value]):
        object.__setattr__(self, "_kind", kind)
        object.__setattr__(self, "_values", dict(values))
        object.__setattr__(self, "_hash", None)
        object.__setattr__(self, "_json", None)

    def __setattr__(self, name, value):
        raise AttributeError("Record is immutable")

    @property
    def kind(self) -> str:
        return self._kind

    def __getitem__(self, name: str) -> Value:
        return self._values[name]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other) -> bool:
        if not isinstance(other, Record):
            return NotImplemented
        return self._kind == other._kind and self._values == other._values

    def __hash__(self) -> int:
        if self._hash is None:
            object.__setattr__(self, "_hash", hash((self._kind, tuple(sorted(self._values.items(), key=_first)))))
        return self._hash

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self._values.items() if v not in (None, frozenset()))
        return f"Record[{self._kind}]({shown})"

    def replace(self, **changes: Value) -> "Record":
        """A copy with some fields replaced (values are normalized like in `make_record`)."""
        values = dict(self._values)
        spec = SPECS[self._kind]
        for name, value in changes.items():
            values[name] = _normalize_field(spec, name, value)
        return Record(self._kind, values)

    def to_json(self) -> dict:
        """Plain JSON-able dict (sets as sorted [key, value] lists) for storing a base snapshot. Made once per
        record (a first sync needs it for the fingerprint and again for the stored row); a fresh copy of its
        top level each time, so a caller changing it changes nothing here."""
        if self._json is None:
            object.__setattr__(self, "_json", {name: _jsonable(value) for name, value in sorted(self._values.items())})
        return dict(self._json)


def _first(pair):
    return pair[0]


def make_record(spec: ObjectSpec | str, **fields: Any) -> Record:
    """Build a normalized record; missing fields are empty, unknown fields are an error.

    Set fields accept an iterable of `Item`, of `(key, value)` pairs or of plain keys.
    """
    if isinstance(spec, str):
        spec = SPECS[spec]
    if not fields.keys() <= spec._by_name.keys():
        raise KeyError(f"unknown {spec.name} fields: {sorted(set(fields) - set(spec.field_names))}")
    values = {name: normalize(fields.get(name)) for name, normalize in spec.normalizers.items()}
    return Record(spec.name, values)


def record_from_json(kind: str, data: Mapping[str, Any], *, normalize: bool = False) -> Record:
    """Inverse of `Record.to_json` (lists back to items and tuples).

    Stored snapshots were normalized when they were made, so by default they are trusted and rebuilt
    without normalizing again (an engine loads every pair of an account on each run); pass
    `normalize=True` for data from elsewhere.
    """
    spec = SPECS[kind]
    values = {}
    for f in spec.fields:
        raw = data.get(f.name)
        if f.kind is FieldKind.SET:
            values[f.name] = frozenset(Item(k, _tupled_trusted(v)) for k, v in (raw or ()))
        else:
            values[f.name] = raw
    if normalize:
        return make_record(spec, **values)
    return Record(spec.name, values)


def _tupled_trusted(value: Any) -> Payload:
    if isinstance(value, list):
        return tuple(_tupled_trusted(v) for v in value)
    return value


def empty_record(spec: ObjectSpec | str) -> Record:
    return make_record(spec)


# What json.dumps(..., sort_keys=True, ensure_ascii=False, separators=(",", ":")) builds on each call: the same
# text (stored fingerprints must not change), without making an encoder per record.
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def fingerprint(record: Record | None) -> str | None:
    """Stable content hash of a record (sha256 of its canonical JSON); None for no record."""
    if record is None:
        return None
    canonical = _CANONICAL.encode([record.kind, record.to_json()])
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- normalisation -----------------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def normalize_text(value: Any) -> str | None:
    """NFC, trimmed, inner whitespace runs of one line collapsed; empty -> None. Line breaks are kept."""
    if value is None or value == "":
        return None  # an empty text (most optional fields of most records): no work to find that out
    if type(value) is str and value.isprintable() and "  " not in value and value[:1] != " " \
            and value[-1:] != " " and unicodedata.is_normalized("NFC", value):
        # Already normal (the common case: one line, single ASCII spaces, NFC): what the steps below would
        # return anyway, without their cost (every text field of every record is normalized on each read).
        return value
    text = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines).strip()
    return text or None


def address_key(parts) -> str:
    """The item key of a postal address: its non-empty parts, space-separated (both sides build it alike)."""
    return " ".join(p for p in parts if p)


def normalize_email(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip().lower()


def normalize_phone(value: str) -> str:
    """Standard-library fallback: digits only, a leading '+' (or '00') kept as '+'.

    Adapters should pass `phonenumbers`' E.164 form when the number parses; this keeps unparseable numbers
    comparable ("+1 (555) 010-0000" and "+15550100000" are the same key).
    """
    if value.isascii() and (value[1:].isdigit() if value[:1] == "+" else value.isdigit() and value[:2] != "00"):
        return value  # already a key (E.164 or plain digits): what the steps below would return
    value = value.strip()
    plus = value.startswith("+") or value.startswith("00")
    digits = "".join(ch for ch in value if ch.isdigit())
    if value.startswith("00"):
        digits = digits[2:]
    return ("+" if plus else "") + digits


def normalize_address(value: str) -> str:
    """Key of an address: case-folded words, punctuation ignored, single-spaced."""
    text = unicodedata.normalize("NFKC", value).casefold()
    words = re.findall(r"\w+", text)
    return " ".join(words)


KEY_NORMALIZERS = {
    "text": lambda v: normalize_text(v),
    "email": lambda v: normalize_email(v) or None,
    "phone": lambda v: normalize_phone(v) or None,
    "address": lambda v: normalize_address(v) or None,
}


def birthday_value(month: int, day: int, year: int | None = None) -> str:
    """A birthday as the record holds it: "YYYY-MM-DD", or "--MM-DD" when the year is unknown (vCard's
    form; Google Contacts allows year-less birthdays)."""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise ValueError(f"not a birthday: {month}-{day}")
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"


def birthday_parts(value: str | None) -> tuple[int | None, int, int] | None:
    """(year or None, month, day) of a record's birthday; None when there is none."""
    if not value:
        return None
    if value.startswith("--"):
        month, day = value[2:].split("-")
        return None, int(month), int(day)
    year, month, day = value.split("-")
    return int(year), int(month), int(day)


def _normalize_field(spec: ObjectSpec, name: str, value: Any) -> Value:
    return spec.normalizers[name](value)


def _normalize_scalar(value: Any) -> Scalar:
    if isinstance(value, bool) or value is None:
        return value
    return normalize_text(value)


def _normalize_items(value: Any, normalize_key) -> frozenset:
    if value is None:
        return frozenset()
    if isinstance(value, (str, bytes)):
        raise TypeError("a set field takes an iterable of items, not a string")
    items: dict[str, Payload] = {}
    for raw in value:
        if isinstance(raw, Item):
            key, payload = raw
        elif isinstance(raw, tuple):
            key, payload = raw
        else:
            key, payload = raw, None
        key = normalize_key(str(key)) if key is not None else None
        if key is None:
            continue
        items[key] = _tupled(payload)
    return frozenset(Item(k, v) for k, v in items.items())


def _tupled(value: Any) -> Payload:
    """Lists (from JSON) back to tuples so payloads stay hashable."""
    if isinstance(value, list):
        return tuple(_tupled(v) for v in value)
    if isinstance(value, tuple):
        return tuple(_tupled(v) for v in value)
    if isinstance(value, str):
        return normalize_text(value)
    return value


def _jsonable(value: Value) -> Any:
    if isinstance(value, frozenset):
        return sorted(([item.key, _payload_json(item.value)] for item in value), key=lambda kv: kv[0])
    return value


def _payload_json(value: Payload) -> Any:
    if isinstance(value, tuple):
        return [_payload_json(v) for v in value]
    return value


def items_by_key(value: Iterable[Item]) -> dict[str, Payload]:
    return {item.key: item.value for item in value}
