"""Who has read a post, and how many posts each of my rooms holds that I have not read.

Receipts are written by the sync engine (`receipt.mark`): per user per room, "read
up to room version N", only ever moving forward. A post counts as read by a member
when N reaches the post's version. A post's version is the room version of its
last change, so an edited post shows as unread again until the member catches up —
which is what a nurse wants to know after a doctor changes an instruction.

`readAt` is when the member's receipt last moved, the closest the receipt records.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Office, Post, ReadReceipt, RoomMember, User
from store.writer import begin_write
from sync.access import user_rooms

from ..audit import service as audit
from ..auth.context import AuthContext
from ..errors import NotFound
from .room_access import require_reader


@dataclass(frozen=True)
class Reader:
    user_id: uuid.UUID
    name: str
    job_type: str
    office_name: str | None
    read_at: datetime | None


async def readers_of(
    session: AsyncSession, ctx: AuthContext, room_id: uuid.UUID, post_id: uuid.UUID
) -> tuple[list[Reader], list[Reader]]:
    """(read, unread) over the room's current members other than the post's author."""
    assert ctx.user is not None
    await begin_write(session)  # the audit event is written with the read
    access = await require_reader(session, ctx.user, room_id)
    found = (
        await session.execute(
            select(Post.author_id, Post.version).where(
                Post.id == post_id, Post.room_id == room_id, Post.deleted_at.is_(None)
            )
        )
    ).first()
    if found is None:
        raise NotFound("投稿が見つかりません。", "The post does not exist.", code="post_not_found")
    author_id, version = found
    rows = await session.execute(
        select(User.id, User.name, User.job_type, Office.name, ReadReceipt)
        .join(RoomMember, RoomMember.user_id == User.id)
        .outerjoin(Office, Office.id == User.office_id)
        .outerjoin(
            ReadReceipt,
            and_(ReadReceipt.room_id == RoomMember.room_id, ReadReceipt.user_id == User.id),
        )
        .where(
            RoomMember.room_id == room_id,
            RoomMember.left_at.is_(None),
            User.id != author_id,
        )
        .order_by(User.name_kana, User.name, User.id)
    )
    read: list[Reader] = []
    unread: list[Reader] = []
    for user_id, name, job_type, office_name, receipt in rows:
        has_read = receipt is not None and receipt.up_to_version >= version
        reader = Reader(
            user_id=user_id,
            name=name,
            job_type=job_type,
            office_name=office_name,
            read_at=receipt.updated_at if has_read else None,
        )
        (read if has_read else unread).append(reader)
    read.sort(key=lambda r: (r.read_at is None, r.read_at))
    await audit.record(
        session,
        at=ctx.now,
        actor=ctx.actor,
        action="post.readers",
        target_type="post",
        target_id=post_id,
        room_id=room_id,
        patient_id=access.patient_id,
        details={"read": len(read), "unread": len(unread)},
    )
    await session.commit()
    return read, unread


async def unread_counts(session: AsyncSession, user: User) -> dict[uuid.UUID, int]:
    """For each room the user is a current member of: live posts by others not yet read."""
    room_ids = list(await user_rooms(session, user.id))
    counts: dict[uuid.UUID, int] = dict.fromkeys(room_ids, 0)
    if not room_ids:
        return counts
    rows = await session.execute(
        select(Post.room_id, func.count())
        .select_from(Post)
        .outerjoin(
            ReadReceipt,
            and_(ReadReceipt.room_id == Post.room_id, ReadReceipt.user_id == user.id),
        )
        .where(
            Post.room_id.in_(room_ids),
            Post.deleted_at.is_(None),
            Post.author_id != user.id,
            Post.version > func.coalesce(ReadReceipt.up_to_version, 0),
        )
        .group_by(Post.room_id)
    )
    for room_id, count in rows:
        counts[room_id] = int(count)
    return counts
