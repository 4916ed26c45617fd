"""Room membership asked for by offices: joining a patient's room, removing a member.

An office that takes part in a room names it by id; an office new to a patient's care
names the patient (name, date of birth, 被保険者番号) and the city finds the room. The
office's answers never depend on rooms it is not in: a room it has no member in is
"not found" exactly like a room that does not exist, and a request naming a patient is
accepted the same whether such a room exists or not. The city sees the matching rooms
(`candidates`), chooses one, and approval adds the members; the removal of a member is
asked by any office with a member in the room and decided by the city. Every person
added or removed is told by mail (the room's label and a link, never the patient).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Application, Room, RoomMember, User
from store.models.enums import ApplicationKind, ApplicationState, RoomStatus

from ..auth.context import AuthContext
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..mail.templates import Letter
from . import composition
from .common import era_out, job_label, record, room_refs, user_not_found, users_by_id
from .patient_match import PatientQuery, matching_rooms
from .patients import birth_date_of
from .rooms import add_member, current_member, remove_member
from .schemas import MemberRemovePayload, OfficeRoomMemberOut, RoomCandidateOut, RoomJoinPayload


def room_not_found() -> NotFound:
    return NotFound("部屋が見つかりません。", "Room not found.", code="room_not_found")


async def office_takes_part(
    session: AsyncSession, office_id: uuid.UUID, room_id: uuid.UUID
) -> bool:
    """Whether a current member of the room belongs to the office."""
    found = await session.scalar(
        select(RoomMember.id)
        .join(User, User.id == RoomMember.user_id)
        .where(
            RoomMember.room_id == room_id,
            RoomMember.left_at.is_(None),
            User.office_id == office_id,
        )
        .limit(1)
    )
    return found is not None


async def office_room(
    session: AsyncSession, office_id: uuid.UUID, room_id: uuid.UUID, *, open_only: bool = True
) -> Room:
    """A room the office takes part in; any other room is 404, as if it did not exist."""
    room = await session.get(Room, room_id)
    if room is None or not await office_takes_part(session, office_id, room.id):
        raise room_not_found()
    if open_only and room.status != RoomStatus.open:
        raise Conflict(
            "この部屋は終了しています。", "This room has been closed.", code="room_closed"
        )
    return room


async def own_staff(
    session: AsyncSession, office_id: uuid.UUID, user_ids: list[uuid.UUID]
) -> dict[uuid.UUID, User]:
    """The office's own people among `user_ids`; anyone else is refused by name of the rule."""
    users = await users_by_id(session, user_ids)
    for user_id in user_ids:
        user = users.get(user_id)
        if user is None:
            raise user_not_found()
        if user.office_id != office_id:
            raise Forbidden(
                "他の事業所のシステム利用者については申請できません。",
                "You can only apply for users of your own office.",
                code="other_office",
            )
    return users


def _patient_key(payload: dict[str, Any]) -> tuple[str, str, str]:
    p = payload.get("patient") or {}
    return (str(p.get("name", "")), str(p.get("birthDate", "")), str(p.get("insuredNumber", "")))


def _member_ids(payload: dict[str, Any]) -> set[str]:
    return {str(m.get("userId")) for m in payload.get("members", []) if isinstance(m, dict)}


async def _no_duplicate_join(
    session: AsyncSession, office_id: uuid.UUID, normalized: dict[str, Any]
) -> None:
    """The office's own waiting requests for the same room (or patient) and person."""
    waiting = await session.scalars(
        select(Application).where(
            Application.kind == ApplicationKind.room_join,
            Application.state == ApplicationState.submitted,
            Application.office_id == office_id,
        )
    )
    wanted = _member_ids(normalized)
    for application in waiting:
        same_place = (
            application.payload.get("roomId") == normalized.get("roomId")
            if normalized.get("roomId")
            else _patient_key(application.payload) == _patient_key(normalized)
        )
        if same_place and wanted & _member_ids(application.payload):
            raise Conflict(
                "同じ内容の申請がすでに審査中です。",
                "The same request is already waiting for review.",
                code="duplicate_application",
            )


async def check_join(
    session: AsyncSession, office_id: uuid.UUID, payload: RoomJoinPayload, today: date
) -> tuple[dict[str, Any], uuid.UUID | None]:
    """The normalized payload and the room (None when the patient names it)."""
    if (payload.room_id is None) == (payload.patient is None):
        raise InvalidInput(
            "参加する部屋（参加中の部屋）か、患者（利用者）の氏名・生年月日のどちらか一方を指定してください。",
            "Name either the room (one your office takes part in) or the patient, not both.",
            code="room_or_patient",
        )
    ids = [m.user_id for m in payload.members]
    users = await own_staff(session, office_id, ids)
    composition.check_members(ids, users, require_active=False)
    normalized: dict[str, Any] = msgspec.to_builtins(payload)
    room_id = None
    if payload.room_id is not None:
        room = await office_room(session, office_id, payload.room_id)
        room_id = room.id
        already = [
            users[i].name for i in ids if await current_member(session, room.id, i) is not None
        ]
        if already:
            raise Conflict(
                "すでに部屋の参加者です：" + "、".join(already),
                "Already members of the room: " + ", ".join(already),
                code="already_member",
            )
        normalized.pop("patient", None)
    else:
        assert payload.patient is not None
        patient = payload.patient
        normalized.pop("roomId", None)
        normalized["patient"] = {
            "name": patient.name.strip(),
            "birthDate": birth_date_of(patient.birth_date, today).isoformat(),
            "insuredNumber": patient.insured_number,
            **({"nameKana": patient.name_kana.strip()} if patient.name_kana else {}),
        }
    await _no_duplicate_join(session, office_id, normalized)
    return normalized, room_id


async def check_removal(
    session: AsyncSession, office_id: uuid.UUID, payload: MemberRemovePayload
) -> dict[str, Any]:
    """Any office with a member in the room may ask; the person must be a member now."""
    room = await office_room(session, office_id, payload.room_id)
    if await current_member(session, room.id, payload.user_id) is None:
        raise NotFound(
            "このシステム利用者は部屋の参加者ではありません。",
            "This user is not a member of the room.",
            code="not_member",
        )
    waiting = await session.scalar(
        select(Application.id)
        .where(
            Application.kind == ApplicationKind.member_remove,
            Application.state == ApplicationState.submitted,
            Application.room_id == room.id,
            Application.subject_user_id == payload.user_id,
        )
        .limit(1)
    )
    if waiting is not None:
        raise Conflict(
            "同じ内容の申請がすでに審査中です。",
            "The same request is already waiting for review.",
            code="duplicate_application",
        )
    normalized: dict[str, Any] = msgspec.to_builtins(payload)
    normalized["reason"] = payload.reason.strip()
    return normalized


async def room_members_for_office(
    session: AsyncSession, office_id: uuid.UUID, room_id: uuid.UUID
) -> list[OfficeRoomMemberOut]:
    """Who is in a room the office takes part in (what a removal request needs, no more)."""
    room = await office_room(session, office_id, room_id, open_only=False)
    members = list(
        await session.scalars(
            select(RoomMember)
            .where(RoomMember.room_id == room.id, RoomMember.left_at.is_(None))
            .order_by(RoomMember.joined_at)
        )
    )
    people = await users_by_id(session, [m.user_id for m in members])
    out = []
    for m in members:
        person = people.get(m.user_id)
        if person is None:
            continue
        out.append(
            OfficeRoomMemberOut(
                user_id=person.id,
                name=person.name,
                job_type_label=job_label(person.job_type),
                office_name=person.office.name if person.office else None,
                permission=m.permission,
                own_office=person.office_id == office_id,
            )
        )
    return out


async def candidates(session: AsyncSession, application: Application) -> list[RoomCandidateOut]:
    """The rooms whose patient matches a room-join request that named the patient."""
    patient = application.payload.get("patient")
    if application.kind != ApplicationKind.room_join or not isinstance(patient, dict):
        return []
    query = PatientQuery(
        name=str(patient.get("name", "")),
        birth_date=date.fromisoformat(str(patient["birthDate"])),
        insured_number=str(patient.get("insuredNumber") or ""),
        name_kana=patient.get("nameKana"),
    )
    found = await matching_rooms(session, query)
    if not found:
        return []
    refs = await room_refs(session, [m.room.id for m in found])
    counts: dict[uuid.UUID, int] = {}
    offices: dict[uuid.UUID, set[str]] = {}
    rows = await session.execute(
        select(RoomMember.room_id, User)
        .join(User, User.id == RoomMember.user_id)
        .where(RoomMember.room_id.in_([m.room.id for m in found]), RoomMember.left_at.is_(None))
    )
    for room_id, user in rows.unique().all():
        counts[room_id] = counts.get(room_id, 0) + 1
        if user.office is not None:
            offices.setdefault(room_id, set()).add(user.office.name)
    return [
        RoomCandidateOut(
            room=refs[m.room.id],
            birth_date=m.patient.birth_date,
            birth_date_era=era_out(m.patient.birth_date),
            insured_number=m.patient.insured_number,
            matched=m.matched,
            member_count=int(counts.get(m.room.id, 0)),
            offices=sorted(offices.get(m.room.id, set())),
        )
        for m in found
    ]


async def carry_out_join(
    session: AsyncSession,
    ctx: AuthContext,
    application: Application,
    payload: RoomJoinPayload,
    chosen_room: uuid.UUID | None,
) -> list[Letter]:
    """Add each member the office named to the room (the one asked for, or the city's choice).

    People already in the room are left as they are; everyone added is mailed.
    """
    room_id = payload.room_id or chosen_room
    if payload.room_id is not None and chosen_room not in (None, payload.room_id):
        raise InvalidInput(
            "この申請は部屋を指定しています。別の部屋は選べません。",
            "This request names its room; another one cannot be chosen.",
            code="room_fixed",
        )
    if room_id is None:
        raise InvalidInput(
            "参加させる部屋を選んでください（患者（利用者）の氏名・生年月日などから探せます）。",
            "Choose the room to add the members to (find it by the patient's details).",
            code="room_choice_needed",
        )
    room = await session.get(Room, room_id)
    if room is None:
        raise room_not_found()
    letters: list[Letter] = []
    added = 0
    for wanted in payload.members:
        if await current_member(session, room.id, wanted.user_id) is not None:
            continue
        _member, letter = await add_member(
            session, ctx, room.id, wanted.user_id, wanted.permission, application_id=application.id
        )
        added += 1
        if letter is not None:
            letters.append(letter)
    if added == 0:
        raise Conflict(
            "申請されたシステム利用者は全員すでにこの部屋の参加者です。申請を却下してください。",
            "Everyone asked for is already a member of this room; reject the request.",
            code="already_member",
        )
    application.room_id = room.id
    await record(
        session,
        ctx,
        "admin.room_join_matched",
        target_type="application",
        target_id=application.id,
        room_id=room.id,
        patient_id=room.patient_id,
        chosen=payload.room_id is None,
        added=added,
    )
    return letters


async def carry_out_removal(
    session: AsyncSession, ctx: AuthContext, application: Application, payload: MemberRemovePayload
) -> list[Letter]:
    letter = await remove_member(
        session, ctx, payload.room_id, payload.user_id, application_id=application.id
    )
    return [letter] if letter is not None else []

