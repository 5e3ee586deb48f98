"""Issues: per-record problems of a run, shown to the user and retried by the next run.

One open row per account, object, code and record; a record the next run handles without a new problem has
its issues resolved.
"""
from wizard.extensions import db
from wizard.models.sync import SyncIssue, utcnow


class Issues:
    """The issues one run raises and resolves."""

    def __init__(self, run, store):
        self.run, self.store = run, store
        self.account_id, self.object = run.account_id, run.object

    def _open(self):
        return db.select(SyncIssue).where(SyncIssue.account_id == self.account_id, SyncIssue.object == self.object,
                                          SyncIssue.resolved_at.is_(None))

    def open_ids(self) -> list[tuple]:
        """(crm_id, google_id) of every open issue: the run reads these records again on both sides."""
        return db.session.execute(self._open().with_only_columns(SyncIssue.crm_id, SyncIssue.google_id)).all()

    def record(self, code, params=None, crm_id=None, google_id=None) -> None:
        crm_id = int(crm_id) if crm_id not in (None, "") and str(crm_id).isdigit() else None
        query = self._open().where(SyncIssue.code == code)
        query = query.where(SyncIssue.crm_id == crm_id) if crm_id is not None else query.where(
            SyncIssue.google_id == google_id)
        row = db.session.scalar(query)
        if row is None:
            row = SyncIssue(account_id=self.account_id, object=self.object, code=code, crm_id=crm_id,
                            google_id=google_id, attempts=0)
            db.session.add(row)
        row.run_id, row.params = self.run.id, _plain(params or {})
        row.attempts = (row.attempts or 0) + 1
        row.retry_requested = False
        if crm_id is not None:
            row.label = self._label(crm_id)

    def _label(self, crm_id) -> str:
        try:
            return self.store.label(str(crm_id))[:300]
        except Exception:  # noqa: BLE001  (a label is a courtesy: the issue is recorded without one)
            return str(crm_id)

    def resolve(self, crm_ids, google_ids, failed_crm, failed_google) -> None:
        """Open issues of records this run handled without a new problem are resolved."""
        touched_crm = {int(k) for k in crm_ids if str(k).isdigit()} - {
            int(c) for c in failed_crm if str(c).isdigit()}
        for row in db.session.scalars(self._open().where(SyncIssue.run_id != self.run.id)):
            if row.crm_id in touched_crm or (row.google_id and row.google_id in google_ids
                                             and row.google_id not in failed_google):
                row.resolved_at = utcnow()


def _plain(value):
    """Parameters as JSON can hold them."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
