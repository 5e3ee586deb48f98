"""Per-user indexes over the contacts, so listings page in O(page) as Google's do (issue #16).

A user's contacts live in one dict (`state.people[email]`, resource name -> person). Listings need them in
creation order (a full listing), in change order (a sync-token listing, `LAST_MODIFIED_ASCENDING`) or sorted by
name, and resume after a cursor. Scanning and sorting the whole book on each page made a full listing of N
contacts cost O(N^2 / page size). This module keeps, for each user:
- `created`: (creation number, resource name) in creation order, appended when a contact is created;
- `changed`: (change sequence, resource name) in change order, appended on every write. A contact written
  twice leaves an older entry behind; readers skip entries whose sequence is no longer the contact's, and the
  log is rebuilt once stale entries outnumber live ones (amortised O(1) per write);
- the count of live contacts (`totalPeople`), and the name-sorted orders of recent listings, keyed by the
  listing's snapshot so the pages of one listing share one sort.
Indexes are not persisted: they are rebuilt from the book on first use after a load or a reset.
"""
from bisect import bisect_right

SORTED_KEPT = 4  # name-sorted listings kept at once (a listing in progress per user is the usual case)


class BookIndex:
    def __init__(self, book):
        self.book = book
        people = [p for p in book.values() if p["resourceName"].startswith("people/")]
        by_n = sorted(people, key=lambda p: p.get("_n", 0))
        self.created_keys = [p.get("_n", 0) for p in by_n]
        self.created_names = [p["resourceName"] for p in by_n]
        self._rebuild_changes()
        self.dead = {p["resourceName"] for p in people if p.get("_deleted")}
        self.sorted = {}

    def _rebuild_changes(self):
        by_seq = sorted(self.book.values(), key=lambda p: p["_seq"])
        self.changed_keys = [p["_seq"] for p in by_seq]
        self.changed_names = [p["resourceName"] for p in by_seq]

    # ---- writes -------------------------------------------------------------------------------------------
    def created(self, person):
        if self.created_keys and self.created_keys[-1] >= person["_n"]:
            return  # already there: the index was built after the contact was stored
        self.created_keys.append(person["_n"])
        self.created_names.append(person["resourceName"])

    def changed(self, person):
        if self.changed_keys and self.changed_keys[-1] == person["_seq"]:
            return  # already there: the index was built after this write
        if self.changed_keys and person["_seq"] < self.changed_keys[-1]:
            self._rebuild_changes()  # out of order (a loaded state): keep the log sorted
            return
        self.changed_keys.append(person["_seq"])
        self.changed_names.append(person["resourceName"])
        if person.get("_deleted"):
            self.dead.add(person["resourceName"])
        if len(self.changed_keys) > 2 * len(self.book) + 1024:
            self._rebuild_changes()

    def removed(self, resource_name):
        """A contact left the book under this name (renamed): its entries become stale."""
        self.dead.discard(resource_name)

    # ---- reads --------------------------------------------------------------------------------------------
    @property
    def live(self):
        return len(self.book) - len(self.dead)

    def in_creation_order(self, after):
        """Live contacts created after creation number `after`, in creation order (a generator)."""
        start = bisect_right(self.created_keys, after)
        for index in range(start, len(self.created_keys)):  # by index: a slice would copy the rest, O(N)
            n, person = self.created_keys[index], self.book.get(self.created_names[index])
            if person is not None and person.get("_n") == n and not person.get("_deleted"):
                yield person

    def in_change_order(self, after, upto=None, live_only=False):
        """Contacts whose last change is after `after` (and at most `upto`), in change order."""
        start = bisect_right(self.changed_keys, after)
        for index in range(start, len(self.changed_keys)):
            seq = self.changed_keys[index]
            if upto is not None and seq > upto:
                return
            person = self.book.get(self.changed_names[index])
            if person is None or person["_seq"] != seq or (live_only and person.get("_deleted")):
                continue
            yield person

    def sorted_names(self, order, snap, key):
        """The live contacts' resource names in a name order, computed once per listing (its snapshot)."""
        found = self.sorted.get((order, snap))
        if found is None:
            people = sorted((p for p in self.book.values() if p["resourceName"].startswith("people/")
                             and not p.get("_deleted")), key=key)
            found = [p["resourceName"] for p in people]
            while len(self.sorted) >= SORTED_KEPT:
                self.sorted.pop(next(iter(self.sorted)))
            self.sorted[(order, snap)] = found
        return found


def index_of(state, email):
    indexes = state.people_indexes
    found = indexes.get(email)
    if found is None or found.book is not state.people.get(email):
        found = indexes[email] = BookIndex(state.people.setdefault(email, {}))
    return found


def take(iterable, count):
    """Up to `count` items and whether at least one more follows."""
    page = []
    for item in iterable:
        if len(page) == count:
            return page, True
        page.append(item)
    return page, False
