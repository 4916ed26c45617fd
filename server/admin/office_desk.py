"""What an office's system manager needs to fill in applications: who can be proposed as a
member, which rooms their office takes part in, and who is in those rooms.

Of other offices' people the forms (様式6, a removal request) need only name, job type and
office: the directory and the room members carry no login ID, role, status or contact data.
"""

from __future__ import annotations

import uuid

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Room, RoomMember, User
from store.models.enums import ROOM_MEMBER_ROLES, JobType, UserStatus

from ..auth.context import AuthContext
from ..auth.roles import require_office_admin
from .common import job_label, room_refs
from .room_requests import room_members_for_office
from .schemas import DirectoryEntryOut, OfficeRoomMemberOut, RoomRef

DIRECTORY_LIMIT = 50


class OfficeDesk:
    def __init__(self, session: AsyncSession, ctx: AuthContext) -> None:
        _user, self.office_id = require_office_admin(ctx)
        self.session = session

    async def directory(self, q: str | None) -> list[DirectoryEntryOut]:
        """Professionals of every office who could be proposed as room members (not admins)."""
        stmt = (
            select(User)
            .where(
                User.role.in_(ROOM_MEMBER_ROLES),
                User.job_type != JobType.city_staff,
                User.status != UserStatus.stopped,
            )
            .order_by(User.name_kana)
            .limit(DIRECTORY_LIMIT)
        )
        if q and q.strip():
            term = q.strip()
            stmt = stmt.where(
                or_(
                    User.name.contains(term, autoescape=True),
                    User.name_kana.contains(term, autoescape=True),
                )
            )
        return [
            DirectoryEntryOut(
                id=u.id,
                name=u.name,
                name_kana=u.name_kana,
                job_type=u.job_type,
                job_type_label=job_label(u.job_type),
                office_id=u.office_id,
                office_name=u.office.name if u.office else None,
                office_kind=u.office.kind if u.office else None,
            )
            for u in (await self.session.scalars(stmt)).unique()
        ]

    async def rooms(self) -> list[RoomRef]:
        """Rooms in which a current member belongs to this office (for join/close requests)."""
        ids = await self.session.scalars(
            select(Room.id)
            .join(RoomMember, RoomMember.room_id == Room.id)
            .join(User, User.id == RoomMember.user_id)
            .where(RoomMember.left_at.is_(None), User.office_id == self.office_id)
            .distinct()
        )
        refs = await room_refs(self.session, list(ids))
        return sorted(refs.values(), key=lambda r: r.patient_name_kana)

    async def room_members(self, room_id: uuid.UUID) -> list[OfficeRoomMemberOut]:
        """For a removal request: a room the office is not in is 404, as if it did not exist."""
        return await room_members_for_office(self.session, self.office_id, room_id)
