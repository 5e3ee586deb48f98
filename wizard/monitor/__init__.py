"""The jobs page for administrators (/admin/jobs): queues, workers, running and failed jobs, schedules,
outcomes per account; its JSON twin (/admin/jobs.json) and the Prometheus endpoint (/metrics).

Views are thin: `queues` reads RQ and Redis, `runs` reads the sync tables, `snapshot` joins them for the
page, the JSON and the metrics, and `actions` requeues or deletes failed jobs.
"""
from wizard.monitor import metrics, routes  # noqa: F401  (registers the views)
from wizard.monitor.blueprint import bp  # noqa: F401
