"""Pair rows and cursors ⇄ the core's plain data. The engine's only bridge between the tables and the core."""

from sqlalchemy import bindparam, insert, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import defer, undefer

from wizard.extensions import db
from wizard.models.clock import utcnow
from wizard.models.sync import Cursor
from wizard.models.sync import Pair as PairRow
from wizard.sync.chunking import PairRef
from wizard.sync.pairs import Pair, PairState
from wizard.sync.records import record_from_json


def to_core(row: PairRow, kind: str, light: bool = False) -> Pair:
    """The core's pair for a row. `light`: without the base and records, for a pair neither side reported
    this run (the core then only needs to know the pair exists; parsing 100,000 bases would dominate a
    no-change run)."""
    if light:
        return Pair(pair_id=row.id, crm_id=str(row.crm_id) if row.crm_id is not None else None,
                    google_id=row.google_id, base=None, crm_fingerprint=row.crm_fingerprint,
                    google_fingerprint=row.google_fingerprint, state=PairState(row.state),
                    google_etag=row.google_etag)
    return Pair(
        pair_id=row.id,
        crm_id=str(row.crm_id) if row.crm_id is not None else None,
        google_id=row.google_id,
        base=record_from_json(kind, row.base) if row.base is not None else None,
        crm_fingerprint=row.crm_fingerprint,
        google_fingerprint=row.google_fingerprint,
        state=PairState(row.state),
        conflicts=frozenset(row.conflicts or ()),
        crm_record=record_from_json(kind, row.crm_record) if row.crm_record is not None else None,
        google_record=record_from_json(kind, row.google_record) if row.google_record is not None else None,
        left=row.left,
        google_etag=row.google_etag,
    )


def _values(pair: Pair) -> dict:
    """A core pair as the columns of its row (for a bulk insert)."""
    return {"crm_id": int(pair.crm_id) if pair.crm_id is not None else None, "google_id": pair.google_id,
            "google_etag": pair.google_etag, "base": pair.base.to_json() if pair.base is not None else None,
            "crm_fingerprint": pair.crm_fingerprint, "google_fingerprint": pair.google_fingerprint,
            "state": pair.state.value, "left": pair.left, "conflicts": sorted(pair.conflicts) or None,
            "crm_record": pair.crm_record.to_json() if pair.crm_record is not None else None,
            "google_record": pair.google_record.to_json() if pair.google_record is not None else None,
            "synced_at": utcnow() if pair.state is PairState.SYNCED else None}


_PAIRS = PairRow.__table__
# The ids come back with each row's crm_id and are matched on it (unique per account and object: the table's
# uq_sync_pairs_crm), not by position: asking SQLAlchemy for the parameters' order
# (`sort_by_parameter_order`) makes it send one INSERT per row on SQLite, whose RETURNING order is undefined.
_INSERT_INTENT = insert(_PAIRS).returning(_PAIRS.c.id, _PAIRS.c.crm_id)
_FINISH_CREATE = (update(_PAIRS).where(_PAIRS.c.id == bindparam("row_id"))
                  .values(google_id=bindparam("new_google_id"), google_etag=bindparam("new_etag"),
                          google_fingerprint=bindparam("new_fingerprint"), state=bindparam("new_state"),
                          synced_at=bindparam("new_synced_at"), updated_at=bindparam("new_updated_at")))


class PairTable:
    """The account's pair rows for one object.

    A run works chunk by chunk (wizard.sync.chunking): only the rows of the chunk at hand are loaded as ORM
    objects (`load`), and they are let go once the chunk is committed (`release`). What the whole run needs
    stays light: which row holds each CRM id and each Google id (so a pair is never duplicated), read with
    one column query. Saves do not flush one by one: the engine flushes and commits once per batch."""

    def __init__(self, account_id: int, object: str):
        self.account_id, self.object = account_id, object
        # The run's session, resolved once: Flask's proxy costs a lookup per use, and a first sync of 100,000
        # contacts used it millions of times (the run stays on one thread and one app context).
        self.session = db.session()
        self._bulk: set[int] = set()  # rows written in bulk this chunk, held by id only (no ORM object)
        self.by_id: dict[int, PairRow] = {}
        self.by_crm: dict[int, PairRow] = {}
        self.by_google: dict[str, PairRow] = {}
        self.new: list[PairRow] = []
        self._serialized: dict = {}
        self.crm_index: dict[int, int] = {}  # every row: CRM id -> row id
        self.google_index: dict[str, int] = {}  # every row: Google id -> row id
        self.count = 0
        for row_id, crm_id, google_id in self.session.execute(self._light(PairRow.id, PairRow.crm_id, PairRow.google_id)):
            self.count += 1
            if crm_id is not None:
                self.crm_index[crm_id] = row_id
            if google_id is not None:
                self.google_index[google_id] = row_id

    def _light(self, *columns):
        return db.select(*columns).where(PairRow.account_id == self.account_id, PairRow.object == self.object)

    # --- the light view of every row ---------------------------------------------------------------------
    def refs(self) -> list[PairRef]:
        return [PairRef(row_id, str(crm_id) if crm_id is not None else None, google_id, PairState(state))
                for row_id, crm_id, google_id, state in self.session.execute(
                    self._light(PairRow.id, PairRow.crm_id, PairRow.google_id, PairRow.state))]

    def known_etags(self) -> dict[str, str]:
        """Google id -> etag of the synced rows: an incremental listing skips our own echoes by them."""
        return dict(self.session.execute(self._light(PairRow.google_id, PairRow.google_etag).where(
            PairRow.state == PairState.SYNCED.value, PairRow.google_id.is_not(None),
            PairRow.google_etag.is_not(None))).all())

    def active_google_ids(self) -> list[str]:
        return list(self.session.scalars(self._light(PairRow.google_id).where(
            PairRow.state.in_((PairState.SYNCED.value, PairState.CONFLICT.value)), PairRow.google_id.is_not(None))))

    def active_crm_ids(self) -> list[str]:
        return [str(i) for i in self.session.scalars(self._light(PairRow.crm_id).where(
            PairRow.state.in_((PairState.SYNCED.value, PairState.CONFLICT.value)), PairRow.crm_id.is_not(None)))]

    def active_count(self) -> int:
        return self.session.scalar(self._light(db.func.count(PairRow.id)).where(
            PairRow.state.in_((PairState.SYNCED.value, PairState.CONFLICT.value))))

    # --- the chunk at hand ---------------------------------------------------------------------------------
    def load(self, pair_ids, content: bool = True) -> None:
        """Load these rows (with their JSON columns unless `content` is false) for the chunk at hand."""
        ids = [i for i in pair_ids if i not in self.by_id]
        options = () if content else (defer(PairRow.base), defer(PairRow.crm_record), defer(PairRow.google_record))
        for start in range(0, len(ids), 500):
            for row in self.session.scalars(db.select(PairRow).where(PairRow.id.in_(ids[start:start + 500]))
                                          .options(*options)):
                self._index(row)

    def release(self) -> None:
        """Let go of the chunk's rows (committed by now): a run over 100,000 pairs holds one chunk at a time."""
        session = self.session
        # Each of `dirty` and `new` walks the whole session: taken once, not once per row.
        pending = set(map(id, session.dirty)) | set(map(id, session.new))
        for row in list(self.by_id.values()) + self.new:
            if id(row) not in pending and row in session:
                session.expunge(row)
        self.by_id, self.by_crm, self.by_google = {}, {}, {}
        self.new = [row for row in self.new if row.id is None]
        self._serialized = {}  # (bulk rows outlive the chunk: a batch in flight is recorded after it)

    def _index(self, row: PairRow) -> None:
        if row.id is not None:
            self.by_id[row.id] = row
            if row.crm_id is not None:
                self.crm_index[row.crm_id] = row.id
            if row.google_id is not None:
                self.google_index[row.google_id] = row.id
        if row.crm_id is not None:
            self.by_crm[row.crm_id] = row
        if row.google_id is not None:
            self.by_google[row.google_id] = row

    def _unindex(self, row: PairRow) -> None:
        for index, key in ((self.by_id, row.id), (self.by_crm, row.crm_id), (self.by_google, row.google_id)):
            if key is not None and index.get(key) is row:
                del index[key]
        if row.id is not None:
            if row.crm_id is not None and self.crm_index.get(row.crm_id) == row.id:
                del self.crm_index[row.crm_id]
            if row.google_id is not None and self.google_index.get(row.google_id) == row.id:
                del self.google_index[row.google_id]

    def rows(self) -> list[PairRow]:
        return list(self.by_id.values()) + [row for row in self.new if row.id is None]

    def core_pairs(self, crm_ids=None, google_ids=None) -> list[Pair]:
        """The loaded pairs; with `crm_ids`/`google_ids` (what the sides reported), full only where needed."""
        rows = self.rows()
        if crm_ids is None and google_ids is None:
            self.load_content(rows)
            return [to_core(row, self.object) for row in rows]
        crm_ids, google_ids = set(crm_ids or ()), set(google_ids or ())
        light = {id(row) for row in rows if row.state == PairState.SYNCED.value
                 and str(row.crm_id) not in crm_ids and row.google_id not in google_ids}
        self.load_content([row for row in rows if id(row) not in light])
        return [to_core(row, self.object, light=id(row) in light) for row in rows]

    def load_content(self, rows) -> None:
        """Read the deferred JSON columns of these rows in a few queries (not one per row)."""
        ids = [row.id for row in rows if row.id is not None and "base" in sa_inspect(row).unloaded]
        for start in range(0, len(ids), 500):
            self.session.scalars(db.select(PairRow).where(PairRow.id.in_(ids[start:start + 500]))
                               .options(undefer(PairRow.base), undefer(PairRow.crm_record),
                                        undefer(PairRow.google_record))).all()

    def find(self, pair_id=None, crm_id=None, google_id=None) -> PairRow | None:
        """The row by its id, else the row holding the CRM id, else the Google id; a row outside the chunk
        at hand is loaded (a chunk holds everything its plan relates, so this is the exception)."""
        if pair_id is not None and pair_id in self.by_id:
            return self.by_id[pair_id]
        if crm_id is not None and int(crm_id) in self.by_crm:
            return self.by_crm[int(crm_id)]
        if google_id is not None and google_id in self.by_google:
            return self.by_google[google_id]
        for index, key in ((None, pair_id if isinstance(pair_id, int) else None),
                           (self.crm_index, int(crm_id) if crm_id is not None else None),
                           (self.google_index, google_id)):
            row_id = key if index is None else index.get(key) if key is not None else None
            if row_id is not None:
                row = self.session.get(PairRow, row_id)
                if row is not None:
                    self._index(row)
                    return row
        return None

    def save(self, pair: Pair) -> PairRow:
        """Insert or update the row of a core pair. A pair without an id (made by a match or a create) takes
        over the row already holding its CRM or Google id, so a pair is never duplicated."""
        row = self.find(pair.pair_id, pair.crm_id, pair.google_id)
        if row is None:
            row = PairRow(account_id=self.account_id, object=self.object)
            self.session.add(row)
            self.new.append(row)
        else:
            self._unindex(row)
        # Another row holding one of the pair's ids is superseded by this pair (unique per side).
        for other in (self.find(None, pair.crm_id, None) if pair.crm_id is not None else None,
                      self.find(None, None, pair.google_id) if pair.google_id is not None else None):
            if other is not None and other is not row:
                self.delete(other)
                self.session.flush()  # the delete must reach the database before the unique id moves
        row.crm_id = int(pair.crm_id) if pair.crm_id is not None else None
        row.google_id = pair.google_id
        row.google_etag = pair.google_etag
        if pair.base is None:
            row.base = None
        elif self._serialized.get(id(row)) is not pair.base:  # the same record saved again: no re-encoding
            row.base = pair.base.to_json()
            self._serialized[id(row)] = pair.base
        row.crm_fingerprint = pair.crm_fingerprint
        row.google_fingerprint = pair.google_fingerprint
        row.state = pair.state.value
        row.left = pair.left
        row.conflicts = sorted(pair.conflicts) or None
        row.crm_record = pair.crm_record.to_json() if pair.crm_record is not None else None
        row.google_record = pair.google_record.to_json() if pair.google_record is not None else None
        if pair.state is PairState.SYNCED:
            row.synced_at = utcnow()
        self._index(row)
        return row

    # --- creates in bulk ------------------------------------------------------------------------------------
    def insert_intents(self, intents: list[Pair]) -> list[int]:
        """The intent rows of a batch of creates (wizard.sync.pairs.pending_pair), their ids in order. A pair
        no row holds yet (the rule on a first sync) is inserted with the others in one statement and held by
        id only; one that takes over a row goes through `save`. Not committed: the engine commits them before
        the batch is sent."""
        ids: list = [None] * len(intents)
        fresh = []
        for index, pair in enumerate(intents):
            if self._held(pair):
                ids[index] = self.save(pair)
            else:
                fresh.append(index)
        if len(fresh) < len(intents):
            self.flush()
            ids = [row.id if isinstance(row, PairRow) else row for row in ids]
        if fresh:
            # One instant for the batch's rows (the column's default would be called once per row).
            now = utcnow()
            values = [dict(_values(intents[i]), account_id=self.account_id, object=self.object, updated_at=now)
                      for i in fresh]
            # A Core statement on the table (the ORM's bulk insert walks its unit-of-work steps per row).
            new_ids = dict((crm_id, row_id) for row_id, crm_id in self.session.execute(_INSERT_INTENT, values))
            for index in fresh:
                crm_id = int(intents[index].crm_id)
                ids[index] = row_id = new_ids[crm_id]
                self.crm_index[crm_id] = row_id
                self._bulk.add(row_id)
            self.count += len(fresh)
        return ids

    def finish_creates(self, created: list[tuple[int, Pair]]) -> None:
        """Rows of `insert_intents` once Google answered: (row id, wizard.sync.pairs.pair_after_create). That
        step changes the Google columns and the state only, so only those are written, in one statement."""
        bulk, now = [], utcnow()  # one instant for the batch's rows
        for row_id, pair in created:
            if row_id not in self._bulk or row_id in self.by_id:
                self._bulk.discard(row_id)
                self.save(pair.with_(pair_id=row_id))
                continue
            bulk.append({"row_id": row_id, "new_google_id": pair.google_id, "new_etag": pair.google_etag,
                         "new_fingerprint": pair.google_fingerprint, "new_state": pair.state.value,
                         "new_synced_at": now if pair.state is PairState.SYNCED else None, "new_updated_at": now})
            self._bulk.discard(row_id)
            if pair.google_id is not None:
                self.google_index[pair.google_id] = row_id
        if bulk:
            # A Core statement on the table, run as one executemany: the ORM's bulk update by primary key runs
            # one statement per row on SQLite (it checks each row count, which SQLite's executemany lacks).
            self.session.execute(_FINISH_CREATE, bulk)

    def _held(self, pair: Pair) -> bool:
        """Whether a row (stored, or new in this chunk) holds one of the pair's ids."""
        crm_id = int(pair.crm_id) if pair.crm_id is not None else None
        return (pair.pair_id is not None
                or crm_id is not None and (crm_id in self.crm_index or crm_id in self.by_crm)
                or pair.google_id is not None and (pair.google_id in self.google_index
                                                   or pair.google_id in self.by_google))

    def delete(self, row: PairRow | None) -> None:
        if row is None:
            return
        self._unindex(row)
        if row in self.new:
            self.new.remove(row)
        if row.id is not None:
            self.session.delete(row)
        elif row in self.session:
            self.session.expunge(row)

    def flush(self) -> None:
        """Write pending rows; new rows get their ids and are indexed by id."""
        self.session.flush()
        for row in self.new:
            if row.id is not None:
                self._index(row)
        self.new = [row for row in self.new if row.id is None]


def load_cursor(account_id: int, object: str) -> Cursor:
    cursor = db.session.scalar(db.select(Cursor).where(Cursor.account_id == account_id, Cursor.object == object))
    if cursor is None:
        cursor = Cursor(account_id=account_id, object=object, crm_seq=0)
        db.session.add(cursor)
        db.session.flush()
    return cursor
