"""Correcting a person in the ledger, and transferring them to another office.

A transfer is decided room by room: the person stays in a room (now through
the new office) or leaves it; the rooms' other members learn the new office
through sync, the person's devices drop the rooms left. The ledger keeps both
office periods (`OfficeStay`), and the person's 様式4-2 for the new office is
recorded with the transfer. An office's システム管理担当者 is that office's: a
transfer makes them an ordinary member of the new office (audited as a role change and
mailed, as every role change is), and the office's last one cannot be moved away before a
successor is named.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Office, OfficeStay, Pledge, Room, RoomMember, User
from store.models.enums import JobType, Role, UserStatus
from store.writer import begin_write
from sync.membership import membership_changed, person_changed

from ..auth.context import AuthContext
from ..auth.roles import require_admin
from ..errors import Conflict, InvalidInput
from ..mail import templates
from ..mail.service import Mailer
from ..mail.templates import Letter
from .common import (
    JST,
    deliver,
    job_label,
    office_ref,
    record,
    room_refs,
    today_jst,
    user_not_found,
)
from .composition import may_visit_homes
from .correction_schemas import (
    OfficeStayOut,
    TransferIn,
    TransferOut,
    TransferPledgeIn,
    UserCorrectionIn,
    UserHistoryOut,
)
from .help import check_pledge
from .history import history_of, note_changes
from .ledger import LedgerFilter, ledger_rows
from .roles import _role_changed as role_changed  # the one way a role changes (audited)
from .roles import system_managers_of
from .rooms import left_letter
from .schemas import LedgerRow


async def live_office(session: AsyncSession, office_id: uuid.UUID) -> Office:
    """An office that can take staff: it exists and has not closed or merged."""
    office = await session.get(Office, office_id)
    if office is None:
        raise InvalidInput(
            "事業所が見つかりません。", "No such office.", code="unknown_office"
        )
    if office.closed_at is not None:
        raise Conflict(
            "この事業所は廃止・統合されています。",
            "This office has closed or merged.",
            code="office_closed",
        )
    return office


async def office_stays(session: AsyncSession, user: User) -> list[OfficeStayOut]:
    """The person's office periods, oldest first (one from registration if none recorded)."""
    stays = list(
        await session.scalars(
            select(OfficeStay).where(OfficeStay.user_id == user.id).order_by(OfficeStay.started_at)
        )
    )
    offices = {
        o.id: o
        for o in await session.scalars(
            select(Office).where(Office.id.in_({s.office_id for s in stays} | {user.office_id}))
        )
    }
    out = [
        OfficeStayOut(
            office=office_ref(offices[s.office_id]),
            started_at=s.started_at,
            ended_at=s.ended_at,
            ended_reason=s.ended_reason,
        )
        for s in stays
    ]
    if not stays and user.office_id is not None:
        out.append(
            OfficeStayOut(
                office=office_ref(offices[user.office_id]),
                started_at=user.created_at,
                ended_at=None,
                ended_reason=None,
            )
        )
    return out


def _pledge_moment(pledge: TransferPledgeIn, now: datetime) -> datetime:
    if pledge.accepted_on > today_jst(now):
        raise InvalidInput(
            "誓約書の日付が未来の日付です。",
            "The pledge date lies in the future.",
            code="invalid_pledge_date",
        )
    return datetime.combine(pledge.accepted_on, time(12), JST)


async def move_person(
    session: AsyncSession,
    ctx: AuthContext,
    user: User,
    office: Office,
    *,
    leave: set[uuid.UUID],
    pledge: TransferPledgeIn,
    visits_homes: bool | None = None,
    reason: str = "transfer",
    note: str = "",
) -> tuple[list[uuid.UUID], list[uuid.UUID], list[Letter]]:
    """Move one person to `office`, leaving the rooms in `leave`; returns (stayed, left) and
    the mail to send after the commit.

    The caller has begun the write transaction, checked the choices and the
    pledge version, and commits.
    """
    before_office = await session.get(Office, user.office_id) if user.office_id else None
    stays = list(
        await session.scalars(
            select(RoomMember).where(RoomMember.user_id == user.id, RoomMember.left_at.is_(None))
        )
    )
    left = [m for m in stays if m.room_id in leave]
    for member in left:
        member.left_at = ctx.now
        member.left_reason = reason
    # The office periods: close the open one (made from registration if none was recorded).
    current = await session.scalar(
        select(OfficeStay).where(OfficeStay.user_id == user.id, OfficeStay.ended_at.is_(None))
    )
    if current is None and user.office_id is not None:
        current = OfficeStay(user_id=user.id, office_id=user.office_id, started_at=user.created_at)
        session.add(current)
    if current is not None:
        current.ended_at = ctx.now
        current.ended_reason = reason
    session.add(OfficeStay(user_id=user.id, office_id=office.id, started_at=ctx.now))
    before: dict[str, object] = {
        "office": before_office.name if before_office else None,
        "role": Role.label_of(user.role),
        "visitsHomes": user.visits_homes,
    }
    letters: list[Letter] = []
    if user.role == Role.office_admin:
        await role_changed(session, ctx, user, user.role, Role.member)
        if user.email and before_office is not None:
            letters.append(
                templates.system_manager_unnamed(
                    user.email, name=user.name, office_name=before_office.name
                )
            )
    user.office_id = office.id
    if visits_homes is not None:
        user.visits_homes = visits_homes and may_visit_homes(user.job_type)
    user.updated_at = ctx.now
    session.add(
        Pledge(
            form="4-2",
            version=pledge.version,
            office_id=office.id,
            user_id=user.id,
            signer_name=user.name,
            accepted_at=_pledge_moment(pledge, ctx.now),
        )
    )
    await session.flush()
    if left:
        # One mail for every room left through the transfer: labels, never patients.
        rooms_left = list(
            await session.scalars(select(Room).where(Room.id.in_([m.room_id for m in left])))
        )
        told = left_letter(user, rooms_left, why="transfer")
        if told is not None:
            letters.append(told)
    refs = await room_refs(session, [m.room_id for m in left])
    left_text = "、".join(refs[m.room_id].label or refs[m.room_id].patient_name for m in left)
    await note_changes(
        session,
        ctx,
        "user",
        user.id,
        before,
        {
            "office": office.name,
            "role": Role.label_of(user.role),
            "visitsHomes": user.visits_homes,
        },
        note="\n".join(
            part for part in (note, f"退出した部屋：{left_text}" if left_text else "") if part
        ),
    )
    rows = await session.execute(
        select(Room.id, Room.patient_id).where(Room.id.in_([m.room_id for m in left]))
    )
    patients: dict[uuid.UUID, uuid.UUID] = {room_id: patient_id for room_id, patient_id in rows}
    for member in left:
        await membership_changed(session, member.room_id, user.id, ctx.now)
        await record(
            session,
            ctx,
            "admin.member_left_on_transfer",
            target_type="user",
            target_id=user.id,
            room_id=member.room_id,
            patient_id=patients.get(member.room_id),
        )
    await person_changed(session, user.id, ctx.now)
    stayed = [m.room_id for m in stays if m.room_id not in leave]
    await record(
        session,
        ctx,
        "admin.user_transferred",
        target_type="user",
        target_id=user.id,
        fromOfficeId=str(before_office.id) if before_office else None,
        toOfficeId=str(office.id),
        reason=reason,
        roomsStayed=len(stayed),
        roomsLeft=len(left),
        pledgeVersion=pledge.version,
    )
    return stayed, [m.room_id for m in left], letters


class UserCorrections:
    """The city corrects a person (name, kana, mail, job type, home visits) or moves them."""

    def __init__(
        self, session: AsyncSession, ctx: AuthContext, mailer: Mailer | None = None
    ) -> None:
        require_admin(ctx)
        self.session = session
        self.ctx = ctx
        self.mailer = mailer

    async def _user(self, user_id: uuid.UUID) -> User:
        user = await self.session.get(User, user_id, populate_existing=True)
        if user is None:
            raise user_not_found()
        return user

    async def _row(self, user_id: uuid.UUID) -> LedgerRow:
        (row,) = await ledger_rows(self.session, LedgerFilter(user_id=user_id))
        return row

    async def history(self, user_id: uuid.UUID) -> UserHistoryOut:
        user = await self._user(user_id)
        return UserHistoryOut(
            user=await self._row(user_id),
            changes=await history_of(self.session, "user", [user_id]),
            office_stays=await office_stays(self.session, user),
        )

    async def correct(self, user_id: uuid.UUID, data: UserCorrectionIn) -> UserHistoryOut:
        wanted = {
            k: v
            for k, v in {
                "name": data.name.strip() if data.name else None,
                "nameKana": data.name_kana.strip() if data.name_kana else None,
                "email": data.email,
                "jobType": data.job_type.value if data.job_type else None,
                "visitsHomes": data.visits_homes,
            }.items()
            if v is not None
        }
        if not wanted:
            raise InvalidInput(
                "訂正する項目を指定してください。",
                "Name at least one field to correct.",
                code="nothing_to_correct",
            )
        await begin_write(self.session)
        user = await self._user(user_id)
        job_type = str(wanted.get("jobType", user.job_type))
        if job_type == JobType.city_staff and user.role not in (
            Role.municipal_admin,
            Role.operator,
        ):
            in_rooms = await self.session.scalar(
                select(RoomMember.id)
                .where(RoomMember.user_id == user.id, RoomMember.left_at.is_(None))
                .limit(1)
            )
            if in_rooms is not None:
                raise Conflict(
                    "部屋の参加者の職種を市職員にはできません。先に部屋から外してください。",
                    "A room member cannot become city staff; remove them from their rooms first.",
                    code="member_cannot_be_city_staff",
                )
        if wanted.get("visitsHomes") and not may_visit_homes(job_type):
            raise InvalidInput(
                "訪問診療・訪問看護の指定は医師と看護師のみです。",
                "Only doctors and nurses can be marked as making home visits.",
                code="visits_homes_not_applicable",
            )
        before: dict[str, object] = {
            "name": user.name,
            "nameKana": user.name_kana,
            "email": user.email,
            "jobType": job_label(user.job_type),
            "visitsHomes": user.visits_homes,
        }
        user.name = str(wanted.get("name", user.name))
        user.name_kana = str(wanted.get("nameKana", user.name_kana))
        user.email = str(wanted.get("email", user.email))
        user.job_type = job_type
        visits = wanted.get("visitsHomes", user.visits_homes)
        user.visits_homes = bool(visits) and may_visit_homes(job_type)
        after: dict[str, object] = {
            "name": user.name,
            "nameKana": user.name_kana,
            "email": user.email,
            "jobType": job_label(user.job_type),
            "visitsHomes": user.visits_homes,
        }
        changed = await note_changes(
            self.session, self.ctx, "user", user.id, before, after, note=data.note
        )
        if changed:
            user.updated_at = self.ctx.now
            await self.session.flush()
            if {"name", "nameKana", "jobType"} & set(changed):
                await person_changed(self.session, user.id, self.ctx.now)
            await record(
                self.session,
                self.ctx,
                "admin.user_corrected",
                target_type="user",
                target_id=user.id,
                fields=changed,
            )
        await self.session.commit()
        return await self.history(user_id)

    async def transfer(self, user_id: uuid.UUID, data: TransferIn) -> TransferOut:
        await begin_write(self.session)
        user = await self._user(user_id)
        if user.status == UserStatus.stopped:
            raise Conflict(
                "停止されたIDは異動できません。",
                "A stopped ID cannot be transferred.",
                code="user_stopped",
            )
        office = await live_office(self.session, data.office_id)
        if office.id == user.office_id:
            raise InvalidInput(
                "異動先が現在の事業所と同じです。",
                "The new office is the current office.",
                code="same_office",
            )
        current = set(
            await self.session.scalars(
                select(RoomMember.room_id).where(
                    RoomMember.user_id == user.id, RoomMember.left_at.is_(None)
                )
            )
        )
        chosen = [c.room_id for c in data.rooms]
        unknown = [str(r) for r in chosen if r not in current]
        missing = [str(r) for r in current if r not in set(chosen)]
        if unknown or missing or len(set(chosen)) != len(chosen):
            raise InvalidInput(
                "参加中の部屋それぞれについて、残るか退出するかを一度ずつ選んでください。",
                "Choose, once for each room the person is in, whether they stay or leave.",
                code="room_choices_invalid",
                unknownRooms=unknown,
                missingRooms=missing,
            )
        await check_pledge(self.session, data.pledge.version, True)
        if user.role == Role.office_admin and user.office_id is not None:
            managers = (await system_managers_of(self.session, [user.office_id])).get(
                user.office_id, []
            )
            if not [m for m in managers if m.id != user.id]:
                raise Conflict(
                    "事業所に最低1名のシステム管理担当者が必要です。先に後任を指定してください。",
                    "An office needs at least one system manager. Name the successor first.",
                    code="last_system_manager",
                )
        if data.visits_homes and not may_visit_homes(user.job_type):
            raise InvalidInput(
                "訪問診療・訪問看護の指定は医師と看護師のみです。",
                "Only doctors and nurses can be marked as making home visits.",
                code="visits_homes_not_applicable",
            )
        stayed, left, letters = await move_person(
            self.session,
            self.ctx,
            user,
            office,
            leave={c.room_id for c in data.rooms if not c.stay},
            pledge=data.pledge,
            visits_homes=data.visits_homes,
            note=data.note,
        )
        await self.session.commit()
        if self.mailer is not None:
            await deliver(self.mailer, letters)
        refs = await room_refs(self.session, [*stayed, *left])
        user = await self._user(user_id)
        return TransferOut(
            user=await self._row(user_id),
            stayed=[refs[r] for r in stayed],
            left=[refs[r] for r in left],
            office_stays=await office_stays(self.session, user),
        )
