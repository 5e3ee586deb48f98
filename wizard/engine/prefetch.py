"""Reading the next chunk's CRM records ahead, a slice at a time, while a batch of creates is in flight.

A chunk's plan starts with reading its CRM records (wizard.store: the largest part of planning). Read only
once the previous chunk was applied, Google sat idle meanwhile with a single batch in flight, at every chunk
boundary. The engine's thread has time to spare during each pipelined batch (wizard.engine.apply: it waits
for Google's answer), so the next chunk's records are read there, one slice per batch, and the plan finds
them read. Reading earlier changes nothing the plan may rely on: the run's CRM cursor was taken at its
start, a CRM edit made after the read is synced by the next run (or kept by the guarded write), and the
slices are read after the current chunk's own CRM writes (they come before its Google creates).
"""


class CrmPrefetch:
    """The CRM changes of one chunk's ids (`store.fetch`), read `STEP` ids at a time."""

    STEP = 250

    def __init__(self, store, chunk):
        self.store = store
        self.chunk = chunk
        self.ids = list(chunk.crm_ids)
        self.position = 0
        self.read: dict = {}

    def step(self) -> bool:
        """Read the next slice; False when everything is read."""
        if self.position >= len(self.ids):
            return False
        piece = self.ids[self.position:self.position + self.STEP]
        self.position += len(piece)
        self.read.update(self.store.fetch(piece))
        return True

    def finish(self) -> dict:
        """Every change of the chunk's ids: the rest read now."""
        while self.step():
            pass
        return self.read
