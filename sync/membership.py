"""Telling sync that a user's membership of a room changed (joined, left, permission changed).

The admin side calls `membership_changed` in the transaction that changed the
`RoomMember` row: the room's other members get the member change, and the
user's membership version moves, so the user's next pull recomputes its rooms
(serving a new room from scratch, or listing a lost one in `revokedRooms`) and
the user's live streams re-check at commit. The stay's `joined_position` or
`left_position` is stamped with the transaction's stream position (`sync/stream.py`).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import RoomMember

from .changes import EntityType, Op, bump_membership_version, record_change
from .stream import queue_stay


async def membership_changed(
    session: AsyncSession, room_id: uuid.UUID, user_id: uuid.UUID, now: datetime
) -> int:
    """Record the change of the user's (latest) membership row of the room; returns its version.

    Raises `LookupError` when the user never was a member of the room.
    """
    member_id = await session.scalar(
        select(RoomMember.id)
        .where(RoomMember.room_id == room_id, RoomMember.user_id == user_id)
        .order_by(RoomMember.left_at.is_not(None), RoomMember.joined_at.desc())
        .limit(1)
    )
    if member_id is None:
        raise LookupError(f"user {user_id} never was a member of room {room_id}")
    version = await record_change(
        session,
        room_id=room_id,
        entity_type=EntityType.member,
        entity_id=member_id,
        op=Op.put,
        at=now,
    )
    await session.execute(
        update(RoomMember)
        .where(RoomMember.id == member_id)
        .values(version=version)
        .execution_options(synchronize_session="fetch")
    )
    # The stay's start or end gets the transaction's stream position: a pull tells from it
    # whether the client can hold the room yet (serve it from scratch) or lost it (revoke).
    queue_stay(session, member_id)
    await bump_membership_version(session, user_id)
    return version


async def person_changed(session: AsyncSession, user_id: uuid.UUID, now: datetime) -> int:
    """The user's name, job type or office changed: each room they are in now learns of it.

    A member change carries the person's name and office, so every current stay is
    recorded again (the rooms' other members see the new name or office in the care
    team and beside the posts). The set of rooms is unchanged: no membership bump.
    Returns how many rooms were told.
    """
    stays = (
        await session.execute(
            select(RoomMember.id, RoomMember.room_id).where(
                RoomMember.user_id == user_id, RoomMember.left_at.is_(None)
            )
        )
    ).all()
    for member_id, room_id in stays:
        version = await record_change(
            session,
            room_id=room_id,
            entity_type=EntityType.member,
            entity_id=member_id,
            op=Op.put,
            at=now,
        )
        await session.execute(
            update(RoomMember)
            .where(RoomMember.id == member_id)
            .values(version=version)
            .execution_options(synchronize_session="fetch")
        )
    return len(stays)
