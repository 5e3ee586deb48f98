"""Messages as codes with parameters, translated only when shown.

Domain code (the sync core, adapters, jobs) records `Message(code, params)`; pages and the API render them
in the reader's language. Each area defines its codes with `define()` at import time, next to its code:

    define("contacts.sync.etag_stale", _l("Contact %(name)s changed in Google meanwhile; merged again."))
"""
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

_CATALOGUE: dict = {}


@dataclass(frozen=True)
class Message:
    code: str
    params: dict = field(default_factory=dict)

    def render(self) -> str:
        return render(self.code, **self.params)


def define(code: str, text) -> str:
    _CATALOGUE[code] = text
    return code


def render(code: str, **params) -> str:
    text = _CATALOGUE.get(code)
    if text is None:
        return code
    try:
        return str(text) % params if params else str(text)
    except (KeyError, TypeError, ValueError):
        return str(text)


def known_codes():
    return set(_CATALOGUE)


define("error.unexpected", _l("Something went wrong. Please try again; if it persists, tell your administrator."))


# Message codes of runs, issues, conflicts and guards. The core (wizard.sync.errors) has no Flask, so its
# English templates are repeated here inside `_l()` where Babel's extractor and the Russian catalogue
# (engine.po) can see them; a test checks that every core code is registered here. They live in this module,
# not beside the engine, because the models (below the engine) render run outcomes.

# Runs
define("sync.run.succeeded", _l("Synced."))
define("sync.run.partial", _l("Synced, with %(issues)s problem(s) listed below."))
define("sync.run.already_running", _l("Another run for this account is in progress."))
define("sync.run.account_unlinked", _l("The account is no longer linked."))
define("sync.run.needs_reconnect", _l("The account needs reconnecting before it can sync."))
define("sync.run.not_configured", _l("The administrator has not finished the Google settings (client ID and "
                                     "secret)."))
define("sync.run.abandoned", _l("The run was interrupted (the worker stopped); the next run continues from "
                                "where it got to."))
# A run whose worker (or its job process) died mid-run: closed once its lease lapsed, and queued again at once.
define("sync.run.worker_died", _l("The worker running it (%(worker)s) stopped: it was killed or restarted mid-run. "
                                  "A new run was queued at once and continues from where this one got to."))
# A run whose running lock was no longer its own (Redis away longer than the lease, or the lock taken by another
# worker after it lapsed): it stopped before writing more, so two runs never write at once.
define("sync.run.lock_lost", _l("The run lost its running lock (Redis was unreachable longer than the lease, or "
                                "another worker took over) and stopped before writing more. Nothing written "
                                "is lost: the next run continues from where this one got to."))
define("sync.run.crashed", _l("The run stopped on an unexpected error: %(detail)s"))

# Per-record issues raised by the engine
define("sync.issue.crm_write_failed", _l("The CRM record could not be written: %(detail)s"))
define("sync.issue.google_write_failed", _l("Google refused the change: %(detail)s"))

# The core's codes (wizard.sync.errors.TEMPLATES)
define("sync.guard.mass_delete", _l(
    "This run would delete or unlink %(removals)s of %(pairs)s synced items, more than the allowed share; "
    "nothing was written. Confirm to proceed."))
define("sync.guard.side_empty", _l(
    "The %(side)s side looks empty while %(pairs)s items are synced; nothing was written. Confirm to proceed."))
define("sync.guard.first_sync_preview", _l(
    "First sync: %(to_google)s to create in Google, %(to_crm)s to create in the CRM, %(matched)s matched. "
    "Confirm to proceed."))
define("sync.conflict.field", _l("“%(field)s” was changed differently on both sides; neither side was written."))
define("sync.issue.duplicate_back_ref", _l(
    "Google item %(google_id)s refers to CRM record %(crm_id)s, which is already paired with another Google "
    "item; it was left alone."))
define("sync.issue.pending_create_unresolved", _l(
    "A create in Google for CRM record %(crm_id)s was interrupted; it is being checked."))
define("sync.issue.delete_beaten_by_edit", _l(
    "The %(side)s record was deleted but the other side was edited since the last sync; the edit was kept and "
    "the record re-created."))
define("sync.issue.invalid_time", _l("The time of %(item)s could not be read: %(detail)s."))
