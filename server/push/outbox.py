"""The transactional push outbox: one row per recipient device, written with the post.

The sync engine calls `enqueue_post_notifications` inside the transaction that commits a
post, so a post and the promise to tell the others about it commit (or roll back) together;
the worker (`worker.py`) delivers the rows afterwards (persist → commit → notify → push).
Recipients are worked out here, once, at write time: current members of the room but the
author, active users whose device is not flagged for wipe, with push enabled, not muting the
room, and outside their quiet hours (Asia/Tokyo wall-clock) unless the post is urgent.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, time
from typing import Any, Final

from sqlalchemy import bindparam, delete, event, exists, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from store.models import (
    Device,
    NotificationPreference,
    Outbox,
    PushSubscription,
    Room,
    RoomMember,
    RoomMute,
    User,
    new_id,
)
from store.models.enums import OutboxStatus, RoomStatus, UserStatus

from ..japan import JST
from . import payload as payloads

#: A row a worker has claimed and is sending; `next_attempt_at` is then the end of its lease.
#: (`OutboxStatus` has pending/sent/dead; the column is a plain string.)
SENDING: Final = "sending"

TOKYO = JST  # quiet hours are Japan's wall clock

_CHUNK: Final = 500  # bound parameter lists (SQLite caps bound variables)


# --- waking the worker after commit ----------------------------------------------------------

_wakers: set[Callable[[], None]] = set()
_wakers_lock = threading.Lock()


def add_waker(wake: Callable[[], None]) -> None:
    """Register a thread-safe callback that makes a worker poll now (see `PushWorker`)."""
    with _wakers_lock:
        _wakers.add(wake)


def remove_waker(wake: Callable[[], None]) -> None:
    with _wakers_lock:
        _wakers.discard(wake)


def wake_workers() -> None:
    with _wakers_lock:
        wakers = list(_wakers)
    for wake in wakers:
        wake()


def _on_commit(session: Session) -> None:
    session.info.pop("carebook_push_wake", None)
    wake_workers()


def _wake_after_commit(session: AsyncSession) -> None:
    """In-process workers start delivering as soon as the writing transaction commits."""
    sync_session = session.sync_session
    if not sync_session.info.get("carebook_push_wake"):
        sync_session.info["carebook_push_wake"] = True
        event.listen(sync_session, "after_commit", _on_commit, once=True)


# --- recipients -------------------------------------------------------------------------------


def in_quiet_hours(at: datetime, start: time | None, end: time | None) -> bool:
    """Whether `at` falls in [start, end) in Tokyo time; start > end spans midnight."""
    if start is None or end is None or start == end:
        return False
    now = at.astimezone(TOKYO).time().replace(tzinfo=None)
    if start < end:
        return start <= now < end
    return now >= start or now < end


def _chunks(items: Sequence[uuid.UUID]) -> Iterable[Sequence[uuid.UUID]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


_SUBSCRIBERS: dict[str, Any] = {}


def _subscribers_query(told: str) -> Any:
    """The subscriptions a new post in a room tells, with their owners' notification
    preferences. `told`: "all" members who did not mute the room, "muted-addressees" (those
    and the post's addressees, muted or not) or "addressees" only. Built once per shape,
    with bound parameters (`room_id`, `author_id`, `addressee_ids`): a post asks it every
    time, and building it cost more than running it."""
    query = _SUBSCRIBERS.get(told)
    if query is not None:
        return query
    room_id = bindparam("room_id", type_=Room.id.type)
    muted: Any = exists().where(
        RoomMute.user_id == PushSubscription.user_id, RoomMute.room_id == room_id
    )
    addressed = PushSubscription.user_id.in_(bindparam("addressee_ids", expanding=True))
    if told == "addressees":
        muted = ~addressed
    elif told == "muted-addressees":
        muted = muted & ~addressed
    member = exists().where(
        RoomMember.user_id == PushSubscription.user_id,
        RoomMember.room_id == room_id,
        RoomMember.left_at.is_(None),
    )
    query = _SUBSCRIBERS[told] = (
        select(
            PushSubscription.id,
            PushSubscription.user_id,
            NotificationPreference.quiet_start,
            NotificationPreference.quiet_end,
            NotificationPreference.show_room_label,
        )
        .join(User, User.id == PushSubscription.user_id)
        .join(Device, Device.id == PushSubscription.device_id)
        .outerjoin(
            NotificationPreference,
            NotificationPreference.user_id == PushSubscription.user_id,
        )
        .where(
            member,
            ~muted,
            PushSubscription.user_id != bindparam("author_id", type_=User.id.type),
            User.status == UserStatus.active,
            Device.user_id == PushSubscription.user_id,
            Device.wipe_requested_at.is_(None),
            or_(
                NotificationPreference.user_id.is_(None),
                NotificationPreference.enabled.is_(True),
            ),
        )
    )
    return query


def _is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def enqueue_post_notifications(
    session: AsyncSession,
    *,
    room_id: uuid.UUID,
    post_id: uuid.UUID,
    author_id: uuid.UUID,
    urgent: bool,
    at: datetime,
    addressee_ids: frozenset[uuid.UUID] = frozenset(),
    addressees_only: bool = False,
) -> int:
    """Write the outbox rows for a new post in the caller's transaction; returns how many.

    Members a post or comment is addressed to (宛先) are told even if they muted the room,
    and their push says it is addressed to them; a comment tells only its addressees
    (`addressees_only`).

    A subscription that still has an unsent push for this room gets that push's count raised
    instead of a second row: the tablet shows one notification per room either way, and a
    burst of posts must not become a burst of pushes. Returns rows written or updated.
    """
    del post_id  # the push never names the post; kept in the signature for the sync engine
    room = (
        await session.execute(select(Room.status, Room.label).where(Room.id == room_id))
    ).one_or_none()
    if room is None or room.status != RoomStatus.open:
        return 0
    if addressees_only and not addressee_ids:
        return 0
    told = "addressees" if addressees_only else ("muted-addressees" if addressee_ids else "all")
    params: dict[str, Any] = {"room_id": room_id, "author_id": author_id}
    if addressee_ids:
        params["addressee_ids"] = list(addressee_ids)
    rows = (await session.execute(_subscribers_query(told), params)).all()
    labels: dict[uuid.UUID, str | None] = {}
    addressed: set[uuid.UUID] = set()
    for row in rows:
        if not urgent and in_quiet_hours(at, row.quiet_start, row.quiet_end):
            continue
        labels[row.id] = room.label if (row.show_room_label and room.label) else None
        if row.user_id in addressee_ids:
            addressed.add(row.id)
    if not labels:
        return 0

    topic = payloads.room_topic(room_id)
    urgency = payloads.urgency_for(urgent)
    pending: dict[uuid.UUID, tuple[uuid.UUID, dict[str, Any]]] = {}
    for chunk in _chunks(list(labels)):
        query = select(Outbox.id, Outbox.subscription_id, Outbox.payload).where(
            Outbox.subscription_id.in_(chunk),
            Outbox.topic == topic,
            Outbox.status == OutboxStatus.pending,
        )
        if _is_postgres(session):
            # Lock them so a worker cannot claim a row between our read and our update
            # (its claim skips locked rows; one it already claimed is no longer pending).
            query = query.with_for_update()
        for outbox_id, subscription_id, body in (await session.execute(query)).all():
            pending[subscription_id] = (outbox_id, body)

    updates = []
    inserts = []
    for subscription_id, label in labels.items():
        found = pending.get(subscription_id)
        if found is not None:
            outbox_id, body = found
            merged = payloads.merge_post_payload(
                body, urgent=urgent, label=label, addressed=subscription_id in addressed
            )
            updates.append(
                {
                    "id": outbox_id,
                    "payload": merged,
                    "urgency": payloads.urgency_for(bool(merged["urgent"])),
                }
            )
        else:
            inserts.append(
                {
                    "id": new_id(),
                    "subscription_id": subscription_id,
                    "payload": payloads.post_payload(
                        room_id, count=1, urgent=urgent, label=label,
                        addressed=subscription_id in addressed,
                    ),
                    "urgency": urgency,
                    "topic": topic,
                    "ttl": payloads.POST_TTL,
                    "status": OutboxStatus.pending,
                    "attempts": 0,
                    "next_attempt_at": at,
                    "created_at": at,
                }
            )
    if updates:
        await session.execute(update(Outbox), updates)
    if inserts:
        await session.execute(insert(Outbox), inserts)
    _wake_after_commit(session)
    return len(updates) + len(inserts)


# --- wipe and removal ----------------------------------------------------------------------------


async def enqueue_wipe(
    session: AsyncSession, device_ids: Sequence[uuid.UUID], *, at: datetime
) -> int:
    """Queue a high-urgency `wipe` push to each device's subscription, in the caller's transaction.

    The service worker wipes the device even while the app is closed. Post pushes still
    waiting for those subscriptions are dropped; the subscription itself is deleted by the
    worker once the wipe is delivered (or the push service says it is gone).
    """
    if not device_ids:
        return 0
    subscription_ids = list(
        await session.scalars(
            select(PushSubscription.id).where(PushSubscription.device_id.in_(device_ids))
        )
    )
    if not subscription_ids:
        return 0
    await session.execute(
        delete(Outbox).where(
            Outbox.subscription_id.in_(subscription_ids),
            Outbox.status == OutboxStatus.pending,
        )
    )
    await session.execute(
        insert(Outbox),
        [
            {
                "id": new_id(),
                "subscription_id": subscription_id,
                "payload": payloads.wipe_payload(),
                "urgency": "high",
                "topic": payloads.WIPE_TOPIC,
                "ttl": payloads.WIPE_TTL,
                "status": OutboxStatus.pending,
                "attempts": 0,
                "next_attempt_at": at,
                "created_at": at,
            }
            for subscription_id in subscription_ids
        ],
    )
    _wake_after_commit(session)
    return len(subscription_ids)


def _awaiting_wipe() -> Any:
    return exists().where(
        Outbox.subscription_id == PushSubscription.id,
        Outbox.topic == payloads.WIPE_TOPIC,
        Outbox.status.in_([OutboxStatus.pending, SENDING]),
    )


async def remove_device_subscriptions(session: AsyncSession, device_id: uuid.UUID) -> int:
    """Forget the device's push subscription (sign-out), in the caller's transaction.

    A subscription still carrying an undelivered wipe stays until the worker delivers it.
    Its outbox rows go with it (ON DELETE CASCADE).
    """
    result = await session.execute(
        delete(PushSubscription)
        .where(PushSubscription.device_id == device_id, ~_awaiting_wipe())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def remove_user_subscriptions(session: AsyncSession, user_id: uuid.UUID) -> int:
    """Forget every push subscription of a user (ID stop), but those awaiting a wipe push."""
    result = await session.execute(
        delete(PushSubscription)
        .where(PushSubscription.user_id == user_id, ~_awaiting_wipe())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
