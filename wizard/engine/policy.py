"""What the core needs from the account's settings and the installation's: the policy, the scope, and the
call to `wizard.sync.plan` itself.

The policy is read at the start of each run: the account's own values (wizard.models.accounts.AccountSettings),
which follow the system settings "Synchronization defaults" while the account has none of its own, and the
guard's limits, which are system settings only (MassDeleteShare, MassDeleteMinimum,
FirstSyncPreviewThreshold; the environment may give their values until an administrator sets them). The
installation id (deterministic event ids) is wizard.settings.installation's.
"""
import hashlib
import json

from wizard.settings.values import get_setting
from wizard.sync import ACTIVITIES, CONTACTS
from wizard.sync import plan as core_plan
from wizard.sync.policy import ConflictPolicy, Direction, Policy

SPECS = {"contacts": CONTACTS, "activities": ACTIVITIES}


def policy_for(account, object: str) -> Policy:
    settings = getattr(account, "settings", None)
    direction = getattr(settings, f"{object}_direction", "two_way") or "two_way"
    return Policy(
        direction=Direction(direction),
        conflict=ConflictPolicy(_conflict(settings)),
        **_deletions(settings, object),
        mass_delete_share=get_setting("MassDeleteShare") / 100,
        mass_delete_min=get_setting("MassDeleteMinimum"),
        first_sync_preview_threshold=get_setting("FirstSyncPreviewThreshold"),
    )


def _conflict(settings) -> str:
    return settings.conflict_policy if settings is not None else get_setting("SyncConflictPolicy")


def _deletions(settings, object) -> dict:
    """Real deletion needs both switches ("delete" in the account's summary); the untag policy "delete" of
    contacts deletes in Google alone. Off (the documented safe behaviour), a delete on one side takes the
    item out of the sync on the other (untag / leave the label)."""
    if settings is None:
        real = get_setting("SyncDeletePolicy") == "if_unchanged"
        return {"delete_in_google": real, "delete_in_crm": real}
    real = settings.deletion_policy == "delete"
    untag_deletes = getattr(settings, "untag_policy", "keep") == "delete" and object == "contacts"
    return {"delete_in_google": real or untag_deletes, "delete_in_crm": real}


def scope_key(account, object: str) -> str:
    """A digest of what defines the scope; when it changes, both sides are listed in full once."""
    settings = getattr(account, "settings", None)
    if object == "contacts":
        # Tags only: a renamed label is followed by its resource name and needs no full listing.
        data = sorted(m.tag_id for m in getattr(account, "tag_mappings", []))
    else:
        data = [getattr(settings, "target_calendar_id", "primary"),
                str(getattr(settings, "activities_sync_from", "") or "")]
    return hashlib.sha256(json.dumps(data, default=str).encode()).hexdigest()[:32]


def call_planner(ctx, google_changes, crm_changes, first_sync: bool, pairs=None):
    return core_plan(
        SPECS[ctx.object], pairs if pairs is not None else ctx.core_pairs(crm_changes, google_changes), crm_changes.changes,
        google_changes.changes, policy=ctx.policy, crm_full=crm_changes.full, google_full=google_changes.full,
        first_sync=first_sync, force=bool(ctx.run.forced), installation_id=ctx.installation,
    )
