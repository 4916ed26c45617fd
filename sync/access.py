"""Who may see and write which room: current membership, and nothing else.

Admins (municipal admin, operator) manage rooms but never read contact books
(SECURITY.md 18): they get no room here even if a membership row names them.
A stopped or pending user gets no room either.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Room, RoomMember, User
from store.models.enums import Permission, Role, RoomStatus, UserStatus

NO_CONTENT_ROLES = frozenset({Role.municipal_admin.value, Role.operator.value})


@dataclass(frozen=True)
class UserState:
    status: str
    role: str
    membership_version: int

    @property
    def may_read_rooms(self) -> bool:
        return self.status == UserStatus.active and self.role not in NO_CONTENT_ROLES


@dataclass(frozen=True)
class RoomAccess:
    """A room the user currently belongs to, as of the caller's transaction."""

    room_id: uuid.UUID
    patient_id: uuid.UUID
    permission: str
    status: str
    version: int

    @property
    def open(self) -> bool:
        return self.status == RoomStatus.open

    @property
    def can_write(self) -> bool:
        return self.open and self.permission == Permission.write


async def user_state(session: AsyncSession, user_id: uuid.UUID) -> UserState | None:
    row = (
        await session.execute(
            select(User.status, User.role, User.membership_version).where(User.id == user_id)
        )
    ).first()
    return None if row is None else UserState(row.status, row.role, int(row.membership_version))


async def user_rooms(
    session: AsyncSession, user_id: uuid.UUID, state: UserState | None = None
) -> dict[uuid.UUID, RoomAccess]:
    """Every room the user may read now (empty for admins and stopped users)."""
    state = state or await user_state(session, user_id)
    if state is None or not state.may_read_rooms:
        return {}
    rows = await session.execute(
        select(
            RoomMember.room_id,
            RoomMember.permission,
            Room.patient_id,
            Room.status,
            Room.version,
        )
        .join(Room, Room.id == RoomMember.room_id)
        .where(RoomMember.user_id == user_id, RoomMember.left_at.is_(None))
    )
    return rooms_from_rows(rows)


def rooms_from_rows(rows: Iterable[Any]) -> dict[uuid.UUID, RoomAccess]:
    """Rooms from membership rows (`room_id`, `permission`, `patient_id`, `status`,
    `version`) of current stays; rows whose `room_id` is None are skipped."""
    rooms: dict[uuid.UUID, RoomAccess] = {}
    for row in rows:
        if row.room_id is None:
            continue
        known = rooms.get(row.room_id)
        if known is not None and known.permission == Permission.write:
            continue  # two open stays would be a data error; the wider one wins
        rooms[row.room_id] = RoomAccess(
            row.room_id, row.patient_id, row.permission, row.status, int(row.version)
        )
    return rooms


async def room_access(
    session: AsyncSession, user_id: uuid.UUID, room_id: uuid.UUID
) -> RoomAccess | None:
    """The user's access to one room now, or None when not a current member (or when the
    user may read no room at all): the user and their stay in one query."""
    rows = (
        await session.execute(_ROOM_ACCESS, {"user_id": user_id, "room_id": room_id})
    ).all()
    if not rows:
        return None
    state = UserState(rows[0].user_status, rows[0].role, int(rows[0].membership_version))
    if not state.may_read_rooms:
        return None
    found: RoomAccess | None = None
    for row in rows:
        if row.permission is None:
            continue
        if found is None or row.permission == Permission.write:
            found = RoomAccess(room_id, row.patient_id, row.permission, row.status,
                               int(row.version))
    return found


# Built once, with bound parameters: every mutation asks it, and building a statement costs
# more than running this one.
_ROOM_ACCESS = (
    select(
        User.status.label("user_status"),
        User.role,
        User.membership_version,
        RoomMember.permission,
        Room.patient_id,
        Room.status,
        Room.version,
    )
    .select_from(User)
    .outerjoin(
        RoomMember,
        and_(
            RoomMember.user_id == User.id,
            RoomMember.room_id == bindparam("room_id"),
            RoomMember.left_at.is_(None),
        ),
    )
    .outerjoin(Room, Room.id == RoomMember.room_id)
    .where(User.id == bindparam("user_id"))
)
