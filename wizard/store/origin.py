"""The origin the CRM side's adapter writes with: the CRM's change log marks the sync's own writes with it,
so the next run skips its own echoes."""
ORIGIN = "sync"
