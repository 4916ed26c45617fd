"""HTTP for read receipts: who has read a post, and my unread count per room.

Receipts themselves move with the sync engine's `receipt.mark` mutation.
"""

from __future__ import annotations

import uuid

from litestar import get
from sqlalchemy.ext.asyncio import AsyncSession

from store.models.enums import JobType

from ..auth.context import AuthContext
from .receipts_schemas import ReaderOut, ReadersOut
from .receipts_service import Reader, readers_of, unread_counts


def _job_type_label(job_type: str) -> str:
    return JobType.label_of(job_type)


def _out(reader: Reader) -> ReaderOut:
    return ReaderOut(
        user_id=reader.user_id,
        name=reader.name,
        job_type=reader.job_type,
        job_type_label=_job_type_label(reader.job_type),
        office_name=reader.office_name,
        read_at=reader.read_at,
    )


@get(
    "/api/rooms/{room_id:uuid}/posts/{post_id:uuid}/readers",
    summary="Who among the room's current members has read the post, and who has not",
    tags=["contact book"],
)
async def post_readers(
    room_id: uuid.UUID, post_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession
) -> ReadersOut:
    read, unread = await readers_of(db_session, auth, room_id, post_id)
    return ReadersOut(read=[_out(r) for r in read], unread=[_out(r) for r in unread])


@get(
    "/api/rooms/unread",
    summary="My unread post count per room: {roomId: count}",
    tags=["contact book"],
)
async def unread(auth: AuthContext, db_session: AsyncSession) -> dict[str, int]:
    assert auth.user is not None
    counts = await unread_counts(db_session, auth.user)
    return {str(room_id): count for room_id, count in counts.items()}


ROUTE_HANDLERS = [post_readers, unread]
