"""The engine's view of Google for one run: changes as core records, the plan's writes as batched calls.

Built on the clients (wizard.google.people / calendar: pacing, per-account write lock, retries, domain
errors) and the mapping (wizard.google.mapping: JSON ⇄ records, verbatim copy of what we do not map). Every
write method takes a list of core actions and answers one `Result` per action, in order; a failure of the
whole call (after the client's retries) propagates and ends the run, with every earlier batch committed.
"""
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from datetime import datetime, time, timedelta, timezone

import orjson
from flask import current_app

from wizard.google import mapping
from wizard.google.errors import AlreadyExists, Gone, GoogleError, NotFound, StaleEtag, Transient, Unauthenticated
from wizard.google.pacing import CoveredPacer
from wizard.google.session import calendar_client, people_client
from wizard.sync import actions as A
from wizard.sync.actions import Result
from wizard.sync.changes import DELETED, OUT_OF_SCOPE, Seen, side

RECURRENCE_HORIZON_DAYS = 180


class RawCache(dict):
    """Raw Google items seen in this run, by id, kept as compact JSON (UTF-8 bytes): a full listing of 100,000
    contacts would otherwise hold 100,000 nested dicts until their chunk is applied."""

    def __setitem__(self, key, item):
        super().__setitem__(key, orjson.dumps(item))

    def get(self, key, default=None):
        text = super().get(key)
        return orjson.loads(text) if text is not None else default

    def __getitem__(self, key):
        return orjson.loads(super().__getitem__(key))


def planned_etag(action, current) -> str | None:
    """The etag an update is sent with: the one the plan was made from, so that Google refuses it when the
    record changed after the run's listing (the engine then reads it again and merges). A record read only
    now, for the write, would otherwise carry a fresh etag and overwrite an edit made meanwhile."""
    planned = getattr(action, "etag", None) if isinstance(action, A.UpdateGoogle) else None
    return planned or current.get("etag")


# While a sender runs, the GIL is handed over after 0.5 ms instead of Python's 5 ms: each time Google's answer
# (or Redis') arrives, the sending thread waits for the GIL the engine's thread holds, up to the switch
# interval, and that wait lies on the pipeline's critical path (several handoffs per batch). A forced switch
# happens only when another thread waits for the GIL, so the engine's thread pays nearly nothing for it.
HANDOFF_INTERVAL = 0.0005
_handoffs = {"users": 0, "saved": None}
_handoffs_lock = threading.Lock()


@contextmanager
def quick_handoffs():
    """The process's switch interval at most HANDOFF_INTERVAL while at least one sender runs, restored after
    the last (senders of several runs may overlap in one process)."""
    with _handoffs_lock:
        if _handoffs["users"] == 0:
            _handoffs["saved"] = sys.getswitchinterval()
            sys.setswitchinterval(min(_handoffs["saved"], HANDOFF_INTERVAL))
        _handoffs["users"] += 1
    try:
        yield
    finally:
        with _handoffs_lock:
            _handoffs["users"] -= 1
            if _handoffs["users"] == 0:
                sys.setswitchinterval(_handoffs["saved"])


class CreateSender:
    """Batch creates sent from one worker thread, so that the engine's thread maps, records and commits the
    other batches meanwhile: Google's latency and our local work overlap. One create is in flight at a time
    (Google asks for sequential mutations per user). The thread touches no database: it holds its own
    requests session with the token the engine's thread renewed (`submit`), and whatever it met, the
    engine's thread settles (`results`). Used as a context manager: leaving it waits for a create still in
    flight, so a run that stops (an error, a simulated crash) never leaves a write landing after it.

    The account's write lock is taken by the engine's thread at the first create and kept until the sender
    is left (the thread's calls go through a `CoveredPacer`): taken per call, on the thread, it cost five
    Redis round trips and a keep-alive thread on the critical path of every batch. The engine's own writes
    meanwhile re-enter it (it is reentrant in a thread) and are never sent while a create is in flight;
    other writers of the account wait for the run's creates, as they would wait between two of its calls."""

    def __init__(self, google: "ContactsGoogle"):
        self.google = google
        self.client = None
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="google-create")
        self.future = None
        self.lock = ExitStack()  # the write lock held for the thread, from the first create

    def __enter__(self):
        self.lock.enter_context(quick_handoffs())
        return self

    def __exit__(self, *exc):
        with self.lock:  # released last, once nothing is in flight
            self.wait()
            self.pool.shutdown(wait=True)
            if self.client is not None:
                self.google.client.settle_calls(self.client)
                self.client.transport.close()

    def encode(self, bodies) -> bytes:
        """The request that will send these bodies, encoded ahead (while the previous batch is in flight)."""
        return self.google.client.create_payload(bodies, mapping.PERSON_FIELDS)

    def submit(self, bodies, payload: bytes | None = None) -> None:
        """Send these bodies now, from the worker thread (the previous answer must have been taken);
        `payload` is their `encode` when made ahead."""
        owner = self.google.client
        if self.client is None:
            self.lock.enter_context(owner.pacer.writing())
            self.client = owner.detached(CoveredPacer(owner.pacer))
        else:
            self.client.transport.authorize(owner.transport.active_token())
        # Encoded and decoded on the engine's thread: the sending thread's own work lies on the pipeline's
        # critical path (Google waits for it), the engine's thread has time to spare while a batch is in flight.
        payload = payload if payload is not None else self.encode(bodies)
        self.future = self.pool.submit(self.client.send_create_payload, payload)

    def answer(self) -> tuple:
        """Wait for the batch in flight: (Google's raw answer, None), or (None, the error it met). An answer
        without error lets the next batch go out before this one is decoded and recorded."""
        future, self.future = self.future, None
        try:
            return future.result(), None
        except Exception as error:  # noqa: BLE001  (settled by `results`, on this thread)
            return None, error
        finally:
            self.google.client.settle_calls(self.client)

    def results(self, actions, bodies, answer: tuple | None = None):
        """One Result per action (see ContactsGoogle.create_results) from `answer` (taken now if not given).
        An error (a 401, a dropped connection) is settled here, sending again from this thread: nothing else
        may be in flight then."""
        raw, error = answer if answer is not None else self.answer()

        def answers():
            if error is not None:
                raise error
            return self.google.client.created_people(raw)

        return self.google.create_results(actions, bodies, answers, detached=True)

    def wait(self) -> None:
        if self.future is not None:
            future, self.future = self.future, None
            try:
                future.result()
            except Exception:  # noqa: BLE001  (the run is already stopping for another reason)
                pass


def google_side_for(object: str, account, client=None, installation_id: str | None = None):
    """The Google side of a run, its clients built with the OAuth `client` (wizard.google.oauth.Client) and
    the installation id that marks the events this installation writes."""
    if object == "contacts":
        return ContactsGoogle(account, people_client(account, client=client))
    return CalendarGoogle(account, calendar_client(account, client=client), installation_id)


class ContactsGoogle:
    CREATE_BATCH = 200
    UPDATE_BATCH = 200
    DELETE_BATCH = 500
    MEMBERS_BATCH = 1000

    def __init__(self, account, client):
        self.account, self.client = account, client
        # Google's limits, unless configured lower (tests and benchmarks use small batches to meet faults).
        size = current_app.config.get("SYNC_CONTACTS_BATCH")
        if size:
            self.CREATE_BATCH = self.UPDATE_BATCH = min(200, int(size))
        self.mappings = [(m.tag_id, m.google_label) for m in getattr(account, "tag_mappings", [])]
        self.groups: list[str] = []
        self.labels_by_tag: dict[str, str] = {}
        self.persons = RawCache()  # raw Google persons seen in this run, by resource name
        self.region = mapping.default_region()

    @property
    def api_calls(self) -> int:
        return self.client.calls

    def prepare(self, known: dict | None = None) -> dict:
        """The mapped labels exist in Google: a label we made before is found by its resource name (and renamed
        when the mapping's name changed), else by name, else created. Returns {"labels": {tag id: name}}."""
        known_labels = (known or {}).get("labels") or {}
        labels = {}
        if not self.mappings:
            return {"labels": labels}
        by_resource, by_name = {}, {}
        for group in self.client.list_groups():
            if group.get("groupType", "USER_CONTACT_GROUP") == "USER_CONTACT_GROUP":
                by_resource[group["resourceName"]] = group
                by_name.setdefault(group.get("name"), group["resourceName"])
                by_name.setdefault((group.get("name") or "").casefold(), group["resourceName"])
        for tag_id, label in self.mappings:
            resource = known_labels.get(str(tag_id))
            if resource in by_resource:
                if by_resource[resource].get("name") != label:
                    self.client.rename_group(resource, label, by_resource[resource].get("etag"))
            else:
                resource = by_name.get(label) or by_name.get(label.casefold())
                if resource is None:
                    resource = self.client.create_group(label)["resourceName"]
            labels[str(tag_id)] = resource
            self.labels_by_tag[str(tag_id)] = resource
            if resource not in self.groups:
                self.groups.append(resource)
        return {"labels": labels}

    def create_options(self, action) -> dict:
        """A contact made in the CRM from Google gets the tags whose labels it is in."""
        person = self.persons.get(getattr(action, "google_id", None)) or {}
        groups = mapping.person_info(person).groups if person else frozenset()
        tags = [int(tag) for tag, resource in self.labels_by_tag.items() if resource in groups]
        return {"tag_ids": tags} if tags else {}

    def _change(self, person):
        info = mapping.person_info(person)
        if info.deleted:
            return DELETED
        if not (info.groups & set(self.groups)):
            if info.crm_id is None:
                return OUT_OF_SCOPE
            # Ours but out of the label: its content is kept, so edits made there while it is out are merged
            # when it returns instead of being overwritten by a full write.
            return replace(mapping.person_change(person, None, self.region), in_scope=False)
        return mapping.person_change(person, None, self.region)

    def changes(self, token, known_etags=None):
        """(SideChanges, next token). A person whose etag is the one we stored (mostly the echo of our own
        writes) is unchanged and is skipped before any parsing (`unchanged` names them). The engine passes
        `known_etags` for incremental listings, and for a full one only when the scope is unchanged."""
        listing = self.client.list_connections(mapping.PERSON_FIELDS, sync_token=token)
        known = known_etags or {}
        changes = {}
        self.unchanged = set()  # listed, skipped as unchanged by their etag
        for person in listing.items():
            name = person.get("resourceName")
            if not name or (known.get(name) == person.get("etag") and not (person.get("metadata") or {}).get("deleted")):
                if name:
                    self.unchanged.add(name)
                continue
            self.persons[name] = person
            changes[name] = self._change(person)
        self.token = listing.sync_token  # where a lookup of this run's own creates starts (_created_by_us)
        return side(changes, full=token is None), listing.sync_token

    def fetch(self, google_ids):
        out = {}
        for name, person in self.client.batch_get(list(google_ids), mapping.PERSON_FIELDS).items():
            if isinstance(person, NotFound):
                out[name] = DELETED
            elif isinstance(person, GoogleError):
                continue
            else:
                self.persons[person.get("resourceName", name)] = person
                out[person.get("resourceName", name)] = self._change(person)
        return out

    def forget(self, names):
        """The chunk is done: its persons are let go."""
        for name in names:
            self.persons.pop(name, None)

    def _existing(self, names):
        missing = [n for n in names if n not in self.persons]
        if missing:
            self.fetch(missing)
        return {n: self.persons.get(n) for n in names}

    # --- writes -----------------------------------------------------------------------------------------
    @property
    def several_labels(self) -> bool:
        return len(set(self.labels_by_tag.values())) > 1

    def join_labels(self, wanted: dict, read=()) -> int:
        """`wanted`: Google id -> the mapped tags its CRM contact carries. Each person this run read (and
        those in `read`, read now) is added to the labels of those tags it is not in; none is taken out of
        one (a label put on in Google is not undone here). Returns how many memberships were added."""
        missing = [name for name in read if name in wanted and name not in self.persons]
        if missing:
            self.fetch(missing)
        add: dict[str, list[str]] = {}
        for name, tag_ids in wanted.items():
            person = self.persons.get(name)
            if person is None:
                continue
            groups = mapping.person_info(person).groups
            for label in self.labels_for(tag_ids) if tag_ids else ():
                if label not in groups:
                    add.setdefault(label, []).append(name)
        for label, names in add.items():
            for start in range(0, len(names), self.MEMBERS_BATCH):
                self.client.modify_members(label, add=names[start:start + self.MEMBERS_BATCH])
        return sum(len(names) for names in add.values())

    def labels_for(self, tag_ids) -> list[str]:
        """The labels of these mapped tags (the first mapped label when none is known)."""
        labels = [self.labels_by_tag[str(t)] for t in sorted(tag_ids or ()) if str(t) in self.labels_by_tag]
        return list(dict.fromkeys(labels)) or self.groups[:1]

    def create(self, actions, tags=None):
        """`tags`: CRM id -> its mapped tags, so each contact goes into the labels of its own tags."""
        bodies = self.create_bodies(actions, tags)
        return self.create_results(actions, bodies, lambda: self.client.batch_create(
            bodies, read_mask=mapping.PERSON_FIELDS))

    def create_bodies(self, actions, tags=None) -> list[dict]:
        """The Person bodies of these creates (local work: made while the previous batch is in flight)."""
        tags = tags or {}
        return [mapping.record_to_person(a.record, crm_id=a.crm_id, groups=self.labels_for(tags.get(a.crm_id)),
                                         region=self.region) for a in actions]

    def create_sender(self) -> "CreateSender":
        """Sends batch creates from a worker thread while the engine records and prepares others (engine)."""
        return CreateSender(self)

    def create_results(self, actions, bodies, answers, detached: bool = False):
        """One Result per action from `answers()` (Google's answers to the bodies sent). A dropped connection
        that may have reached Google is settled here (`_create_again`); so is a 401 met by a `detached` send,
        which cannot refresh the token: this thread's client refreshes it and sends again (Google made
        nothing of a request it refused as unauthenticated)."""
        try:
            answers = answers()
        except Unauthenticated:
            if not detached:
                raise
            answers = self.client.batch_create(bodies, read_mask=mapping.PERSON_FIELDS)
        except Transient as error:
            if not getattr(error, "ambiguous", False):
                raise
            answers = self._create_again(actions, bodies)
        results = []
        for action, answer in zip(actions, answers):
            if isinstance(answer, GoogleError):
                results.append(Result(action, False, error=answer))
                continue
            # Not kept: a run over 100,000 contacts would hold every answer. The mapping round-trips what we
            # sent; parsing 10,000 answers back would double the run's CPU.
            # Our own echo is skipped by its etag, so the fingerprint matters only after a later Google edit.
            results.append(Result(action, True, google_id=answer.get("resourceName"), etag=answer.get("etag")))
        return results

    def _create_again(self, actions, bodies):
        """The connection dropped after the create was sent: Google may have made some of the contacts. Those
        are found by the CRM id they carry in clientData, among the changes since this run's listing, and only
        the others are sent again (once: a second drop fails the run, and the next run finds them)."""
        found = self._created_by_us({a.crm_id for a in actions})
        again = [(i, body) for i, (action, body) in enumerate(zip(actions, bodies)) if action.crm_id not in found]
        created = self.client.batch_create([body for _, body in again], read_mask=mapping.PERSON_FIELDS) if again else []
        answers = [found.get(action.crm_id) for action in actions]
        for (index, _body), answer in zip(again, created):
            answers[index] = answer
        return answers

    def _created_by_us(self, crm_ids) -> dict:
        """CRM id -> the live Google contact carrying it, among what changed since this run's listing."""
        found = {}
        token = getattr(self, "token", None)  # None: no listing yet in this run, so a full one
        for person in self.client.list_connections(mapping.PERSON_FIELDS, sync_token=token).items():
            info = mapping.person_info(person)
            if info.crm_id in crm_ids and not info.deleted:
                found[info.crm_id] = person
        return found

    def update(self, actions):
        existing = self._existing([a.google_id for a in actions])
        bodies, results, sent = {}, {}, []
        for action in actions:
            current = existing.get(action.google_id)
            if current is None:
                results[id(action)] = Result(action, False, error=NotFound(action.google_id))
                continue
            record = action.record if isinstance(action, A.UpdateGoogle) else mapping.person_to_record(current, self.region)
            bodies[action.google_id] = mapping.record_to_person(record, current, crm_id=action.crm_id, region=self.region)
            bodies[action.google_id]["etag"] = planned_etag(action, current)
            sent.append(action)
        if bodies:
            try:
                answers = self.client.batch_update(bodies, mapping.UPDATE_PERSON_FIELDS, mapping.PERSON_FIELDS)
            except StaleEtag as error:
                # Google refuses the whole chunk: forget what we read so a retry reads it again.
                for action in sent:
                    self.persons.pop(action.google_id, None)
                    results[id(action)] = Result(action, False, error=error)
                answers = {}
            for action in sent:
                if id(action) in results:
                    continue
                answer = answers.get(action.google_id)
                if answer is None or isinstance(answer, GoogleError):
                    results[id(action)] = Result(action, False, error=answer or NotFound(action.google_id))
                    continue
                self.persons[answer.get("resourceName", action.google_id)] = answer
                results[id(action)] = Result(action, True, google_id=answer.get("resourceName"),
                                             etag=answer.get("etag"),
                                             record=mapping.person_to_record(answer, self.region))
        return [results[id(a)] for a in actions]

    def remove_from_scope(self, actions):
        names = [a.google_id for a in actions]
        refused = set()
        for group in self.groups:
            summary = self.client.modify_members(group, remove=names)
            refused |= set(summary.get("canNotRemoveLastContactGroupResourceNames") or [])
        if refused:
            # Google keeps every contact in at least one group: park it in "My contacts", then leave ours.
            for group in self.groups:
                self.client.modify_members("contactGroups/myContacts", add=sorted(refused))
                self.client.modify_members(group, remove=sorted(refused))
                break
        return [Result(a, True) for a in actions]

    def add_to_scope(self, actions, tags=None):
        """A detached contact returns from the CRM side: back into the labels of its mapped tags."""
        if not self.groups:
            return [Result(a, True) for a in actions]
        by_label: dict[str, list[str]] = {}
        for action in actions:
            for label in self.labels_for(tags.get(action.crm_id) if tags else None):
                by_label.setdefault(label, []).append(action.google_id)
        missing = set()
        for label, names in by_label.items():
            summary = self.client.modify_members(label, add=names)
            missing |= set(summary.get("notFoundResourceNames") or [])
        return [Result(a, False, error=NotFound(a.google_id)) if a.google_id in missing else Result(a, True)
                for a in actions]

    def delete(self, actions):
        try:
            self.client.batch_delete([a.google_id for a in actions])
        except (NotFound, Gone):
            # One of them is gone already (the whole batch is refused): one by one, gone counts as deleted.
            for action in actions:
                try:
                    self.client.delete(action.google_id)
                except (NotFound, Gone):
                    pass
        return [Result(a, True) for a in actions]


class CalendarGoogle:
    CREATE_BATCH = 1000
    UPDATE_BATCH = 1000
    DELETE_BATCH = 1000
    MEMBERS_BATCH = 1000

    def __init__(self, account, client, installation_id: str | None = None):
        settings = getattr(account, "settings", None)
        self.account, self.client = account, client
        self.calendar_id = getattr(settings, "target_calendar_id", None) or "primary"
        self.sync_from = getattr(settings, "activities_sync_from", None)
        self.send_updates = getattr(settings, "notify_attendees", None) or "none"
        self.installation = installation_id
        budget = getattr(getattr(getattr(client, "pacer", None), "policy", None), "max_cost", None)
        if budget:
            # A batch must fit the per-minute budget next to the listing page the run has just spent, or the
            # first batch would wait a whole window for one unit.
            self.CREATE_BATCH = self.UPDATE_BATCH = self.DELETE_BATCH = max(1, min(1000, budget - 1))
        self.events = RawCache()

    @property
    def api_calls(self) -> int:
        return self.client.calls

    def prepare(self, known=None):
        return known

    def _window_start(self):
        return datetime.combine(self.sync_from, time.min, timezone.utc) if self.sync_from else None

    @property
    def calendar_zone(self) -> str | None:
        """The calendar's time zone, as its event listing states it: an event without `timeZone` is in it
        (docs/field-mapping.md), never in the CRM user's zone."""
        return getattr(getattr(self, "listing", None), "time_zone", None)

    def _change(self, event):
        change = mapping.event_change(event, self.calendar_zone, self.installation)
        if not isinstance(change, Seen):
            return change
        horizon = (datetime.now(timezone.utc) + timedelta(days=RECURRENCE_HORIZON_DAYS)).date().isoformat()
        record = change.record
        if event.get("recurringEventId") and (record["start"] or "")[:10] > horizon:
            return None  # an instance beyond the horizon: not in the sync yet
        if self.sync_from is not None and (record["end"] or record["start"] or "")[:10] < self.sync_from.isoformat():
            return OUT_OF_SCOPE
        return change

    def changes(self, token, known_etags=None):
        listing = self.client.list_events(self.calendar_id, sync_token=token,
                                          time_min=None if token else self._window_start(), single_events=True)
        self.listing = listing
        known = known_etags or {}
        changes = {}
        self.unchanged = set()  # listed, skipped as unchanged by their etag
        for event in listing.items():
            event_id = event.get("id")
            if not event_id or (known.get(event_id) == event.get("etag") and event.get("status") != "cancelled"):
                if event_id:
                    self.unchanged.add(event_id)
                continue
            change = self._change(event)
            if change is None:
                continue
            self.events[event_id] = event
            changes[event_id] = change
        return side(changes, full=token is None), listing.sync_token

    def fetch(self, google_ids):
        ids = list(google_ids)
        answers = self.client.batch([self.client.get_request(self.calendar_id, i) for i in ids])
        out = {}
        for event_id, answer in zip(ids, answers):
            if isinstance(answer, (NotFound, Gone)):
                out[event_id] = DELETED
            elif isinstance(answer, dict):
                self.events[event_id] = answer
                change = self._change(answer)
                if change is not None:
                    out[event_id] = change
        return out

    def forget(self, event_ids):
        """The chunk is done: its events are let go."""
        for event_id in event_ids:
            self.events.pop(event_id, None)

    def _result(self, action, answer, keep=True):
        if isinstance(answer, GoogleError):
            return Result(action, False, error=answer)
        answer = answer or {}
        event_id = answer.get("id")
        if event_id and keep:
            self.events[event_id] = answer
        record = mapping.event_to_record(answer, self.calendar_zone) if answer.get("start") else None
        return Result(action, True, google_id=event_id, etag=answer.get("etag"), record=record)

    def create(self, actions, tags=None):
        requests = [self.client.insert_request(self.calendar_id, mapping.record_to_event(
            a.record, crm_id=a.crm_id, installation_id=self.installation, event_id=a.event_id), self.send_updates)
            for a in actions]
        answers = self.client.batch(requests)
        results = [self._result(a, answer, keep=False) for a, answer in zip(actions, answers)]
        # A retried insert answers 409: the event is ours (deterministic id); write our content over it.
        again = [(i, a) for i, (a, r) in enumerate(zip(actions, results))
                 if not r.ok and isinstance(r.error, AlreadyExists) and a.event_id]
        if again:
            put = [self.client.update_request(self.calendar_id, a.event_id, mapping.record_to_event(
                a.record, crm_id=a.crm_id, installation_id=self.installation, event_id=a.event_id),
                None, self.send_updates) for _, a in again]
            for (index, action), answer in zip(again, self.client.batch(put)):
                results[index] = self._result(action, answer, keep=False)
        return results

    def update(self, actions):
        missing = [a.google_id for a in actions if a.google_id not in self.events]
        if missing:
            self.fetch(missing)
        requests, sent, results = [], [], {}
        for action in actions:
            current = self.events.get(action.google_id)
            if current is None:
                results[id(action)] = Result(action, False, error=NotFound(action.google_id))
                continue
            record = (action.record if isinstance(action, A.UpdateGoogle)
                      else mapping.event_to_record(current, self.calendar_zone))
            body = mapping.record_to_event(record, current, crm_id=action.crm_id, installation_id=self.installation,
                                           calendar_zone=self.calendar_zone)
            requests.append(self.client.update_request(self.calendar_id, action.google_id, body,
                                                       planned_etag(action, current), self.send_updates))
            sent.append(action)
        for action, answer in zip(sent, self.client.batch(requests) if requests else []):
            if isinstance(answer, StaleEtag):
                self.events.pop(action.google_id, None)
            results[id(action)] = self._result(action, answer)
        return [results[id(a)] for a in actions]

    def remove_from_scope(self, actions):
        return [Result(a, True) for a in actions]  # a calendar has no membership: unlinking is enough

    def add_to_scope(self, actions, tags=None):
        return [Result(a, True) for a in actions]  # the CRM side's "show in calendar" is the membership

    def delete(self, actions):
        requests = [self.client.delete_request(self.calendar_id, a.google_id, a.etag, self.send_updates) for a in actions]
        results = []
        for action, answer in zip(actions, self.client.batch(requests)):
            ok = not isinstance(answer, GoogleError) or isinstance(answer, (NotFound, Gone))
            results.append(Result(action, ok, error=None if ok else answer))
        return results
