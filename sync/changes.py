"""Recording changes: the room's version is bumped in the writing transaction, and the change
is logged at the transaction's stream position when it commits (`sync/stream.py`).

`UPDATE room SET version = version + 1 … RETURNING version` takes the room row's
lock on PostgreSQL, so writers to one room are ordered and a reader never sees
version N+1 committed before N. SQLite has one writer at a time anyway. Room versions
are what rows, pokes and read receipts carry; cursors hold stream positions.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Room, User

from .notify import queue_poke, queue_user_event
from .stream import PendingChange, queue_change


class EntityType(StrEnum):
    room = "room"
    patient = "patient"
    member = "member"
    report_title = "reportTitle"
    post = "post"
    comment = "comment"
    receipt = "receipt"
    threshold = "threshold"
    addressee = "addressee"
    personal = "personal"  # a member's own state in a room: served to that member only
    medication = "medication"  # a drug on the patient's list, or an allergy


class Op(StrEnum):
    put = "put"
    delete = "del"


async def bump_room_version(session: AsyncSession, room_id: uuid.UUID, by: int = 1) -> int:
    """The room's next version (or the last of the next `by`), taken inside the caller's
    transaction."""
    result = await session.execute(
        update(Room)
        .where(Room.id == room_id)
        .values(version=Room.version + by)
        .returning(Room.version)
        .execution_options(synchronize_session=False)
    )
    version = result.scalar_one_or_none()
    if version is None:
        raise LookupError(f"room {room_id} does not exist")
    return int(version)


async def record_change(
    session: AsyncSession,
    *,
    room_id: uuid.UUID,
    entity_type: EntityType,
    entity_id: uuid.UUID | str,
    op: Op,
    at: datetime,
) -> int:
    """Bump the room's version and log one change at it; returns the version.

    The caller stores the returned version on the changed row (`row.version`), in
    the same transaction, so a pull can serve the row's current state. The change-log
    row itself is written at commit, with the transaction's stream position.
    """
    (version,) = await record_changes(
        session, room_id=room_id, changes=[(entity_type, entity_id, op)], at=at
    )
    return version


async def record_changes(
    session: AsyncSession,
    *,
    room_id: uuid.UUID,
    changes: list[tuple[EntityType, uuid.UUID | str, Op]],
    at: datetime,
) -> list[int]:
    """`record_change` for many rows of one room at once (an import's history): one version
    bump and one poke for the lot; each change gets its own version, in the order given."""
    if not changes:
        return []
    last = await bump_room_version(session, room_id, by=len(changes))
    versions = list(range(last - len(changes) + 1, last + 1))
    for version, (entity_type, entity_id, op) in zip(versions, changes, strict=True):
        queue_change(
            session,
            PendingChange(room_id, version, str(entity_type), str(entity_id), str(op), at),
        )
    # Members' live streams hear of it when (and only if) the transaction commits.
    await queue_poke(session, room_id, last)
    return versions


async def bump_membership_version(session: AsyncSession, user_id: uuid.UUID) -> int:
    """A user's rooms changed (joined, left, room closed, ID stopped): their cursor must see it."""
    result = await session.execute(
        update(User)
        .where(User.id == user_id)
        .values(membership_version=User.membership_version + 1)
        .returning(User.membership_version)
        .execution_options(synchronize_session=False)
    )
    version = int(result.scalar_one())
    await queue_user_event(session, user_id)
    return version
