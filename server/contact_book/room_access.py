"""The contact book's HTTP answers to "may this user see / write this room?" (SECURITY.md 16).

The rule itself lives in `sync.access` (current membership only; admins, stopped
and pending users see no room), so that pulls, pushes, photos, search and receipts
cannot drift apart. Here it becomes HTTP-worthy errors: an unknown room, a former
member and a non-member all get the same 404, which does not even confirm that the
room exists; a member who may not write gets a 403 saying why.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from store.models import User
from store.models.enums import Permission
from sync.access import RoomAccess, room_access

from ..errors import Forbidden, NotFound


def room_not_found() -> NotFound:
    return NotFound(
        "部屋が見つからないか、この部屋の参加者ではありません。",
        "The room does not exist or you are not a member of it.",
        code="room_not_found",
    )


async def require_reader(session: AsyncSession, user: User, room_id: uuid.UUID) -> RoomAccess:
    access = await room_access(session, user.id, room_id)
    if access is None:
        raise room_not_found()
    return access


async def require_writer(session: AsyncSession, user: User, room_id: uuid.UUID) -> RoomAccess:
    access = await require_reader(session, user, room_id)
    if not access.open:
        raise Forbidden(
            "この部屋は終了しているため、書き込みできません。",
            "This room is closed; it can be read but not written to.",
            code="room_closed",
        )
    if access.permission != Permission.write:
        raise Forbidden(
            "この部屋では閲覧のみ許可されています。",
            "You may read this room but not write to it.",
            code="read_only",
        )
    return access
