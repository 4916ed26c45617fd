"""Live-update pokes: tell connected clients *that* a room moved, never *what* changed.

Writers queue events in their transaction (`queue_poke`, `queue_user_event`;
`record_change` and `bump_membership_version` do it for them). Only a commit
publishes them: a rolled-back write pokes nobody. In-process, a `Hub` fans the
events out to the server-sent-event streams of this process. On PostgreSQL the
writer also issues `pg_notify` just before COMMIT (`sync/stream.py`, in the statement
that takes the stream position; PostgreSQL delivers it at commit, to every listener);
each process runs a `PgListener` on a dedicated asyncpg connection that feeds its own
hub, so several `carebook serve` processes behind one address behave as one. The hub
drops an event it has already seen, since a process hears its own NOTIFY after publishing
locally.

An event carries ids and a version only: no patient data ever leaves through here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

log = logging.getLogger("carebook.sync.notify")

CHANNEL = "carebook_sync"
_PENDING = "carebook_sync_events"
QUEUE_SIZE = 512
RECENT = 8192


@dataclass(frozen=True)
class Poke:
    """Room `room_id` reached `version`: members should pull."""

    room_id: uuid.UUID
    version: int


@dataclass(frozen=True)
class UserEvent:
    """Something about a user changed (rooms joined or left, ID stopped, devices flagged):
    that user's streams re-check who they are and which rooms they may see."""

    user_id: uuid.UUID


@dataclass(frozen=True)
class Resync:
    """Events may have been lost (the listener reconnected): every stream re-pokes its rooms."""


@dataclass(frozen=True)
class SignInsChanged:
    """A user, session or device row changed (a sign-out, an ID stop, a wipe order …): every
    process forgets the sign-ins it has resolved (`server/auth/session_cache.py`)."""


Event = Poke | UserEvent | Resync | SignInsChanged
Queued = Poke | UserEvent | SignInsChanged


class Subscription:
    """One live stream's inbox: the user it belongs to and the rooms it may hear of."""

    def __init__(self, hub: Hub, user_id: uuid.UUID) -> None:
        self.hub = hub
        self.user_id = user_id
        self.rooms: frozenset[uuid.UUID] = frozenset()
        self._queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=QUEUE_SIZE)
        self._lagged = False

    def set_rooms(self, rooms: Iterable[uuid.UUID]) -> None:
        self.hub._reindex(self, frozenset(rooms))

    def offer(self, item: Event) -> None:
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            # A stream that cannot keep up loses single pokes but learns it must resync.
            self._lagged = True

    async def next(self, wait_s: float) -> Event | None:
        """The next event, or None when `wait_s` seconds passed without one."""
        if self._lagged and self._queue.empty():
            self._lagged = False
            return Resync()
        try:
            return await asyncio.wait_for(self._queue.get(), wait_s)
        except TimeoutError:
            return None

    def close(self) -> None:
        self.hub._remove(self)


class Hub:
    """In-process fan-out of events to subscriptions, by room and by user."""

    def __init__(self) -> None:
        self._by_room: dict[uuid.UUID, set[Subscription]] = {}
        self._by_user: dict[uuid.UUID, set[Subscription]] = {}
        self._recent: OrderedDict[tuple[str, int], None] = OrderedDict()
        self._observers: set[Callable[[Event], None]] = set()

    def observe(self, callback: Callable[[Event], None]) -> Callable[[], None]:
        """Call `callback` for every event published here, whoever it is for; returns the
        function that stops it. The push worker of a separate process uses it to wake up when
        another process commits a post (heard through LISTEN/NOTIFY), instead of polling."""
        self._observers.add(callback)
        return lambda: self._observers.discard(callback)

    def subscribe(self, user_id: uuid.UUID, rooms: Iterable[uuid.UUID] = ()) -> Subscription:
        subscription = Subscription(self, user_id)
        self._by_user.setdefault(user_id, set()).add(subscription)
        subscription.set_rooms(rooms)
        return subscription

    def subscriber_count(self) -> int:
        return sum(len(subs) for subs in self._by_user.values())

    def publish(self, item: Event) -> None:
        if isinstance(item, Poke):
            key = (str(item.room_id), item.version)
            if key in self._recent:
                return  # heard twice: published locally and then through NOTIFY
            self._recent[key] = None
            if len(self._recent) > RECENT:
                self._recent.popitem(last=False)
        for observer in list(self._observers):
            observer(item)
        if isinstance(item, Poke):
            for subscription in list(self._by_room.get(item.room_id, ())):
                subscription.offer(item)
        elif isinstance(item, UserEvent):
            for subscription in list(self._by_user.get(item.user_id, ())):
                subscription.offer(item)
        elif isinstance(item, Resync):
            for subscriptions in list(self._by_user.values()):
                for subscription in list(subscriptions):
                    subscription.offer(item)

    def _reindex(self, subscription: Subscription, rooms: frozenset[uuid.UUID]) -> None:
        for room_id in subscription.rooms - rooms:
            subs = self._by_room.get(room_id)
            if subs is not None:
                subs.discard(subscription)
                if not subs:
                    del self._by_room[room_id]
        for room_id in rooms - subscription.rooms:
            self._by_room.setdefault(room_id, set()).add(subscription)
        subscription.rooms = rooms

    def _remove(self, subscription: Subscription) -> None:
        self._reindex(subscription, frozenset())
        subs = self._by_user.get(subscription.user_id)
        if subs is not None:
            subs.discard(subscription)
            if not subs:
                del self._by_user[subscription.user_id]


_HUB = Hub()


def hub() -> Hub:
    """This process's hub (one per process: every app and session of it publishes here)."""
    return _HUB


# --- writers ------------------------------------------------------------------------------


def _encode(item: Queued) -> str:
    if isinstance(item, Poke):
        return json.dumps({"r": str(item.room_id), "v": item.version}, separators=(",", ":"))
    if isinstance(item, UserEvent):
        return json.dumps({"u": str(item.user_id)}, separators=(",", ":"))
    return '{"s":1}'


def _decode(payload: str) -> Event | None:
    try:
        data = json.loads(payload)
        if "r" in data:
            return Poke(uuid.UUID(data["r"]), int(data["v"]))
        if "u" in data:
            return UserEvent(uuid.UUID(data["u"]))
        if "s" in data:
            return SignInsChanged()
    except (ValueError, KeyError, TypeError):
        pass
    log.warning("ignoring a malformed sync notification")
    return None


async def _queue(session: AsyncSession, item: Queued) -> None:
    session.info.setdefault(_PENDING, []).append(item)


def queue_sign_ins_changed(session: Session) -> None:
    """Make every process forget its resolved sign-ins once the caller's transaction commits
    (once per transaction; called from the write hooks of `server/auth/session_cache.py`)."""
    pending: list[Queued] = session.info.setdefault(_PENDING, [])
    if not any(isinstance(item, SignInsChanged) for item in pending):
        pending.append(SignInsChanged())


def _users_first(pending: list[Queued]) -> list[Queued]:
    # A member removed in this transaction drops the room from its streams before the
    # room's poke arrives, so it is not poked about a room it has just left.
    return sorted(pending, key=lambda e: not isinstance(e, UserEvent))


async def queue_poke(session: AsyncSession, room_id: uuid.UUID, version: int) -> None:
    """Poke the room's members once the caller's transaction commits."""
    await _queue(session, Poke(room_id, version))


async def queue_user_event(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Make the user's live streams re-check the user once the caller's transaction commits:
    call after flagging a user's devices or stopping an ID (membership changes do it already)."""
    await _queue(session, UserEvent(user_id))


def pending_payloads(session: Session) -> list[str]:
    """The NOTIFY payloads of the events this transaction queued, users first (PostgreSQL:
    `sync.stream` sends them in its commit-time statement, or `send_notifications` does)."""
    pending: list[Queued] | None = session.info.get(_PENDING)
    return [_encode(item) for item in _users_first(pending or [])]


def send_notifications(session: Session, payloads: list[str]) -> None:
    """NOTIFY every listening process of `payloads`; PostgreSQL delivers them at commit
    (nothing on rollback), in this order."""
    calls = [func.pg_notify(CHANNEL, payload) for payload in payloads]
    for start in range(0, len(calls), 500):  # a select list holds at most 1664 columns
        session.execute(select(*calls[start : start + 500]))


@event.listens_for(Session, "after_commit")
def _publish_after_commit(session: Session) -> None:
    pending: list[Queued] | None = session.info.pop(_PENDING, None)
    for item in _users_first(pending or []):
        _HUB.publish(item)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


# --- the PostgreSQL bridge ------------------------------------------------------------------


def listener_dsn(sqlalchemy_url: str) -> str:
    """asyncpg wants a plain postgresql:// URL, not SQLAlchemy's postgresql+asyncpg://."""
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(
        hide_password=False
    )


class PgListener:
    """LISTENs on `CHANNEL` over a dedicated connection and feeds the hub; reconnects on loss
    (and then asks every stream to resync, since NOTIFYs sent meanwhile are gone)."""

    def __init__(self, dsn: str, target: Hub | None = None, *, retry_s: float = 1.0) -> None:
        self.dsn = dsn
        self.hub = target or _HUB
        self.retry_s = retry_s
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._stopping = False

    async def start(self, wait_s: float = 10.0) -> None:
        self._task = asyncio.create_task(self._run(), name="carebook-sync-listener")
        ready = asyncio.create_task(self._ready.wait())
        done, _ = await asyncio.wait({ready, self._task}, timeout=wait_s,
                                     return_when=asyncio.FIRST_COMPLETED)
        if ready not in done:
            ready.cancel()
            if self._task in done:
                self._task.result()  # raises what went wrong
            log.warning("sync listener not connected after %ss; retrying in background", wait_s)

    async def stop(self) -> None:
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        item = _decode(payload)
        if item is not None:
            self.hub.publish(item)

    async def _run(self) -> None:
        import asyncpg

        first = True
        while not self._stopping:
            conn: Any = None
            try:
                conn = await asyncpg.connect(self.dsn)
                lost = asyncio.Event()
                conn.add_termination_listener(lambda _c, lost=lost: lost.set())
                await conn.add_listener(CHANNEL, self._on_notify)
                if not first:
                    self.hub.publish(Resync())
                first = False
                self._ready.set()
                await lost.wait()
                log.warning("sync listener connection lost; reconnecting")
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # keep listening whatever the database does
                log.warning("sync listener cannot connect (%s); retrying", type(exc).__name__)
            finally:
                if conn is not None and not conn.is_closed():
                    with contextlib.suppress(Exception):
                        await asyncio.shield(conn.close(timeout=2))
            await asyncio.sleep(self.retry_s)
