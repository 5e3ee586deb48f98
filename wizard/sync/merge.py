"""Field-level three-way merge of one pair against its base.

The merge decides per *unit* (a field, or a group of fields that only make sense together, see
`ObjectSpec.groups`):

- unchanged on both sides, or the same change on both          -> that value, nothing to write;
- changed on one side only                                     -> copied to the other side;
- changed differently on both sides                            -> a conflict, resolved by the policy:
  newest (each side's own modification time), crm_wins, google_wins, or ask (each side keeps its value,
  the base keeps the old one so the conflict stays open until the sides agree).

Set fields (e-mails, phones, addresses, participants) merge item by item, keyed by the normalized value: additions on
both sides both survive, a removal on one side removes, an item removed on one side and edited on the other
is kept (an edit beats a delete); only two different edits of the same item are a conflict.

Without a base (two records matched on a first sync, or an interrupted create found again) an empty value
never beats a filled one and sets are united.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from .policy import ConflictPolicy, Direction, Policy
from .records import FieldKind, Item, ObjectSpec, Record, make_record

CRM = "crm"
GOOGLE = "google"
_ABSENT = object()


@dataclass(frozen=True)
class UnitConflict:
    fields: tuple[str, ...]
    base: tuple
    crm: tuple
    google: tuple
    winner: str | None  # "crm", "google", or None when left open (policy ask)


@dataclass(frozen=True)
class MergeResult:
    crm: Record  # what the CRM side must hold after the sync
    google: Record  # what the Google side must hold
    base: Record  # the new agreed snapshot
    conflicts: tuple[UnitConflict, ...] = ()

    @property
    def open_conflicts(self) -> tuple[UnitConflict, ...]:
        return tuple(c for c in self.conflicts if c.winner is None)


def winner(policy: Policy, crm_modified: datetime | None, google_modified: datetime | None) -> str | None:
    """Which side a conflict goes to; None means ask. Unknown or equal times go to the CRM (stable)."""
    if policy.conflict is ConflictPolicy.CRM_WINS:
        return CRM
    if policy.conflict is ConflictPolicy.GOOGLE_WINS:
        return GOOGLE
    if policy.conflict is ConflictPolicy.ASK:
        return None
    if crm_modified is not None and google_modified is not None and _aware(google_modified) > _aware(crm_modified):
        return GOOGLE
    return CRM


def _aware(moment: datetime) -> datetime:
    """Naive times (SQLite hands back naive UTC) are read as UTC, so they compare with Google's aware ones."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def merge(spec: ObjectSpec, base: Record | None, crm: Record, google: Record, *, policy: Policy = Policy(),
          crm_modified: datetime | None = None, google_modified: datetime | None = None) -> MergeResult:
    if policy.direction is Direction.TO_GOOGLE:
        return MergeResult(crm, crm, crm)
    if policy.direction is Direction.FROM_GOOGLE:
        return MergeResult(google, google, google)
    side_winner = winner(policy, crm_modified, google_modified)
    out_crm, out_google, out_base, conflicts = {}, {}, {}, []
    for unit in spec.merge_units():
        if len(unit) == 1 and spec.kind_of(unit[0]) is FieldKind.SET:
            name = unit[0]
            c, g, b, conflict = _merge_set(base[name] if base is not None else None, crm[name], google[name],
                                           side_winner)
            if conflict:
                conflicts.append(UnitConflict(unit, (b,), (crm[name],), (google[name],), side_winner))
            out_crm[name], out_google[name], out_base[name] = c, g, b
            continue
        b = tuple(base[n] for n in unit) if base is not None else None
        c = tuple(crm[n] for n in unit)
        g = tuple(google[n] for n in unit)
        merged, conflict = _merge_scalar(b, c, g)
        if conflict:
            resolved = {CRM: c, GOOGLE: g}.get(side_winner)
            conflicts.append(UnitConflict(unit, b if b is not None else _empty(unit), c, g, side_winner))
            if resolved is None:
                new_c, new_g, new_b = c, g, b if b is not None else _empty(unit)
            else:
                new_c = new_g = new_b = resolved
        else:
            new_c = new_g = new_b = merged
        for i, name in enumerate(unit):
            out_crm[name], out_google[name], out_base[name] = new_c[i], new_g[i], new_b[i]
    return MergeResult(make_record(spec, **out_crm), make_record(spec, **out_google), make_record(spec, **out_base),
                       tuple(conflicts))


def _empty(unit):
    return tuple(None for _ in unit)


def _is_empty(values: tuple) -> bool:
    return all(v is None or v is False for v in values)


def _merge_scalar(b, c, g):
    """(merged value, conflict?) for one unit; `b` None means no base."""
    if c == g:
        return c, False
    if b is not None:
        if c == b:
            return g, False
        if g == b:
            return c, False
        return None, True
    if _is_empty(c):
        return g, False
    if _is_empty(g):
        return c, False
    return None, True


def _merge_set(base, crm, google, side_winner):
    """Item-wise three-way merge: (crm result, google result, new base, conflict?)."""
    b = {i.key: i.value for i in base} if base is not None else {}
    c = {i.key: i.value for i in crm}
    g = {i.key: i.value for i in google}
    merged, clashes = {}, {}
    for key in sorted(set(b) | set(c) | set(g)):
        bv, cv, gv = b.get(key, _ABSENT), c.get(key, _ABSENT), g.get(key, _ABSENT)
        if cv == gv:
            value = cv
        elif cv == bv:
            value = gv
        elif gv == bv:
            value = cv
        elif cv is _ABSENT:  # removed on the CRM side, edited on Google: the edit wins
            value = gv
        elif gv is _ABSENT:
            value = cv
        else:
            clashes[key] = (bv, cv, gv)
            value = {CRM: cv, GOOGLE: gv}.get(side_winner, _ABSENT)
        if value is not _ABSENT:
            merged[key] = value
    result = _items(merged)
    if clashes and side_winner is None:
        # ask: the non-clashing part is merged, the clashing items stay as each side has them
        crm_out = dict(merged)
        google_out = dict(merged)
        base_out = dict(merged)
        for key, (bv, cv, gv) in clashes.items():
            for out, v in ((crm_out, cv), (google_out, gv), (base_out, bv)):
                if v is _ABSENT:
                    out.pop(key, None)
                else:
                    out[key] = v
        return _items(crm_out), _items(google_out), _items(base_out), True
    return result, result, result, bool(clashes)


def _items(values: dict) -> frozenset:
    return frozenset(Item(k, v) for k, v in values.items())
