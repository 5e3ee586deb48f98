"""The sync engine: one run of one account and object, the shell around the pure core (wizard.sync).

`run_sync` is the face: it claims the run, takes the running lock the engine owns (lock.py), gathers what
changed on both sides, asks the core for a plan, applies it in batches (apply.py, pairs.py) and records the
run. It returns the finished run and never touches queues or schedules: the job that called it (wizard.jobs)
decides what the outcome means for the schedule.
"""
from wizard.engine.run import run_sync

__all__ = ["run_sync"]
