"""Everything RQ: entry points (entry.py), enqueueing (queue.py), when runs are due (schedule.py), fairness
between accounts (fairness.py: bulk slots) and the worker with its heartbeat (worker.py).

Jobs take ids and hand them to the engine; the engine never imports this package. The entry points are
re-exported here so jobs queued by an earlier version under `wizard.jobs.<name>` still resolve after an
upgrade.
"""
from wizard.jobs.entry import dispatch_due_syncs, sync_account

__all__ = ["dispatch_due_syncs", "sync_account"]
