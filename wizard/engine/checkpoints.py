"""Named points of a run where tests and benchmarks act; production runs pass through them at no cost.

- a simulated crash: SYNCWIZARD_CRASH_AT=name[:nth] raises SimulatedCrash the nth time the run reaches the
  point (e.g. "after_google_answer:2": Google has answered the second batch, its results not yet committed);
  with SYNCWIZARD_CRASH_HARD set the process exits at once, like SIGKILL;
- a hook: a callable registered in CHECKPOINT_HOOKS[name] is called with the run's context, to change Google
  or the CRM at an exact moment of a run.
"""
import os

CRASH_ENV = "SYNCWIZARD_CRASH_AT"
HARD_CRASH_ENV = "SYNCWIZARD_CRASH_HARD"
CHECKPOINT_HOOKS: dict = {}


class SimulatedCrash(BaseException):
    """Raised at a crash point; BaseException so that no `except Exception` of ours swallows it."""


class Checkpoints:
    """The points one run has reached, counted by name."""

    def __init__(self):
        self.counts: dict = {}

    def reach(self, name: str, ctx) -> None:
        hook = CHECKPOINT_HOOKS.get(name)
        if hook is not None:
            hook(ctx)
        target = os.environ.get(CRASH_ENV)
        if target:
            self._maybe_crash(name, target)

    def _maybe_crash(self, name: str, target: str) -> None:
        point, _, nth = target.partition(":")
        if point != name:
            return
        self.counts[name] = self.counts.get(name, 0) + 1
        if self.counts[name] >= int(nth or 1):
            if os.environ.get(HARD_CRASH_ENV):
                os._exit(137)  # like SIGKILL: no cleanup, no rollback handler, no lock release
            raise SimulatedCrash(target)
