"""What the core needs from the account's settings and the app's configuration: the policy, the scope, the
installation id, and the call to `wizard.sync.plan` itself.

Configuration (app config, environment-driven defaults):
- SYNC_MASS_DELETE_SHARE (0.20) and SYNC_MASS_DELETE_MIN (10): the mass-delete guard;
- SYNC_FIRST_SYNC_PREVIEW (200): a first sync creating more than this many items shows the counts first;
The installation id (deterministic event ids) is wizard.settings.installation's.
"""
import hashlib
import json

from flask import current_app

from wizard.sync import ACTIVITIES, CONTACTS
from wizard.sync import plan as core_plan
from wizard.sync.policy import ConflictPolicy, Direction, Policy

SPECS = {"contacts": CONTACTS, "activities": ACTIVITIES}


def policy_for(account, object: str) -> Policy:
    settings = getattr(account, "settings", None)
    config = current_app.config
    direction = getattr(settings, f"{object}_direction", "two_way") or "two_way"
    conflict = getattr(settings, "conflict_policy", "newest") or "newest"
    deletion = getattr(settings, "deletion_policy", "propagate") or "propagate"
    # "propagate" (the default) is the documented safe behaviour: a delete on one side takes the item out of
    # the sync on the other (untag / leave the label); "delete" opts in to real deletion on both sides.
    real_delete = deletion == "delete"
    return Policy(
        direction=Direction(direction),
        conflict=ConflictPolicy(conflict),
        delete_in_google=real_delete or getattr(settings, "untag_policy", "keep") == "delete" and object == "contacts",
        delete_in_crm=real_delete,
        mass_delete_share=float(config.get("SYNC_MASS_DELETE_SHARE", 0.20)),
        mass_delete_min=int(config.get("SYNC_MASS_DELETE_MIN", 10)),
        first_sync_preview_threshold=int(config.get("SYNC_FIRST_SYNC_PREVIEW", 200)),
    )


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
