"""Signed-in requests resolved once, then served from memory until something changes.

Every signed-in request used to read its device, session and user (one query, and on
PostgreSQL a round trip), the largest share of an empty sync pull. `SessionCache` keeps what
the auth middleware resolved for a (session token, device key) and hands it back to the
next request of the same pair; the middleware still checks it, with that request's time,
exactly as it checks a fresh read (expiry, idle time, the device binding, the second
factor; the unlock proof is checked after either against the session's current hash), and
still writes `last_seen_at` once a minute. A lock replaces that hash: a write to the session,
so it empties the caches like any other change of sign-in.

**It never serves a sign-in that has changed.** Any transaction that writes a user, a
session or a device row (a sign-out, a password change, an ID stop, a wipe order, a new
device …) queues a `SignInsChanged` event (the write hooks below see ORM statements and
flushed objects alike); at commit it reaches this process's hub and, on PostgreSQL, every
other process through the same LISTEN/NOTIFY feed that pokes live streams, and each cache
forgets everything it holds. A listener that lost its connection (events may be gone)
makes the hub publish `Resync`, which empties the caches too. Writes that bypass the ORM
(none in carebook) are covered by `MAX_AGE_S`: no entry is older than that. Only the
middleware's own once-a-minute `last_seen_at` update is exempt (`TOUCH`), since it is what
the entry already says. A pull double-checks in its own snapshot that the user is active,
the device not flagged and the session still there (`sync/pull.py`), so a pull can never
be served to a stopped user or an ended session, even in the moment before an event lands.

The cache holds detached ORM objects shared by the requests that hit it; request code reads
them (`ctx.user`, `ctx.session`, `ctx.device`) and never changes them in place.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from store.models import Device, User, UserSession
from sync import notify

MAX_ENTRIES = 20_000
MAX_AGE_S = 10.0
# Execution option of the middleware's own `last_seen_at` writes: not a change of sign-in.
TOUCH = "carebook_sign_in_touch"
_WATCHED = (User, UserSession, Device)


@dataclass
class Resolved:
    """What a signed-in request resolved: its device (None without a device key), session
    and user, detached."""

    device: Device | None
    session: UserSession
    user: User
    at: float


class SessionCache:
    """This process's resolved sign-ins, emptied by `SignInsChanged` and `Resync` events."""

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple[str, str | None], Resolved] = OrderedDict()
        self._stop: Any = None

    def start(self) -> None:
        """Listen to the hub; until then (and after `stop`) nothing is cached."""
        if self._stop is None:
            self._stop = notify.hub().observe(self._on_event)

    def stop(self) -> None:
        if self._stop is not None:
            self._stop()
            self._stop = None
        self._entries.clear()

    def _on_event(self, item: notify.Event) -> None:
        if isinstance(item, notify.SignInsChanged | notify.Resync):
            self._entries.clear()

    def get(self, token_hash: str, device_key: str | None) -> Resolved | None:
        entry = self._entries.get((token_hash, device_key))
        if entry is None:
            return None
        if time.monotonic() - entry.at > MAX_AGE_S:
            del self._entries[(token_hash, device_key)]
            return None
        return entry

    def put(self, token_hash: str, device_key: str | None, device: Device | None,
            session: UserSession, user: User) -> None:
        if self._stop is None:
            return
        key = (token_hash, device_key)
        held = self._entries.get(key)
        if held is not None and held.session.last_seen_at > session.last_seen_at:
            # A request that read the session before another wrote its heartbeat: the entry
            # with the newer heartbeat stays (else the next request would write it again).
            return
        self._entries[key] = Resolved(device, session, user, time.monotonic())
        self._entries.move_to_end(key)
        while len(self._entries) > MAX_ENTRIES:
            self._entries.popitem(last=False)

    def drop(self, token_hash: str, device_key: str | None) -> None:
        self._entries.pop((token_hash, device_key), None)

    def __len__(self) -> int:
        return len(self._entries)


# --- the write hooks ---------------------------------------------------------------------------


@event.listens_for(Session, "do_orm_execute")
def _statement_written(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    if state.execution_options.get(TOUCH):
        return
    mapper = state.bind_mapper
    if mapper is not None and issubclass(mapper.class_, _WATCHED):
        notify.queue_sign_ins_changed(state.session)


@event.listens_for(Session, "after_flush")
def _objects_written(session: Session, _flush: UOWTransaction) -> None:
    for objects in (session.new, session.dirty, session.deleted):
        if any(isinstance(obj, _WATCHED) for obj in objects):
            notify.queue_sign_ins_changed(session)
            return
