"""Arranging rooms for sync tests the way the admin side does (rows + `record_change`), a
client replica that applies pulls like the PWA, and an oracle of what a user may see,
read straight from the tables (not through the engine)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import msgspec
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import (
    Addressee,
    Attachment,
    Comment,
    Medication,
    Office,
    Patient,
    Post,
    ReadReceipt,
    ReportTitle,
    Room,
    RoomMember,
    RoomPersonal,
    User,
    VitalThreshold,
    new_id,
)
from store.models.enums import JobType, OfficeKind, Permission, Role, RoomStatus, UserStatus
from store.writer import begin_write
from sync import wire
from sync.changes import EntityType, Op, record_change
from sync.membership import membership_changed

SECRET = "test-secret-key-" + "x" * 32


def on_wire(answer: Any) -> Any:
    """An engine answer (a wire Struct) as the client reads it: JSON, decoded."""
    return msgspec.json.decode(msgspec.json.encode(answer))


async def add_office(sm: Any, name: str = "みどり訪問看護ステーション") -> uuid.UUID:
    async with sm() as session:
        office = Office(name=name, kind=OfficeKind.visiting_nurse_station, phone="012-555-0105")
        session.add(office)
        await session.commit()
        return office.id


async def add_user(
    sm: Any,
    login_id: str,
    *,
    role: Role = Role.member,
    job_type: JobType = JobType.nurse,
    status: UserStatus = UserStatus.active,
    office_id: uuid.UUID | None = None,
    name: str | None = None,
) -> uuid.UUID:
    """A user row without sign-in factors: enough for the engine."""
    async with sm() as session:
        user = User(
            login_id=login_id,
            name=name or f"利用者 {login_id}",
            name_kana="りようしゃ",
            job_type=job_type,
            role=role,
            status=status,
            office_id=office_id,
        )
        session.add(user)
        await session.commit()
        return user.id


@dataclass
class RoomIds:
    room_id: uuid.UUID
    patient_id: uuid.UUID
    titles: list[uuid.UUID]
    inactive_title: uuid.UUID


async def open_room(
    sm: Any,
    now: datetime,
    members: dict[uuid.UUID, Permission],
    *,
    patient_name: str = "患者 太郎",
) -> RoomIds:
    async with sm() as session:
        await begin_write(session)
        patient = Patient(
            name=patient_name,
            name_kana="かんじゃ たろう",
            sex="male",
            birth_date=date(1940, 4, 1),
            care_level="care_2",
            address="みどり市1-2-3",
        )
        session.add(patient)
        await session.flush()
        room = Room(patient_id=patient.id, status=RoomStatus.open, opened_at=now, version=0)
        session.add(room)
        await session.flush()
        await record_change(session, room_id=room.id, entity_type=EntityType.room,
                            entity_id=room.id, op=Op.put, at=now)
        await record_change(session, room_id=room.id, entity_type=EntityType.patient,
                            entity_id=patient.id, op=Op.put, at=now)
        titles = []
        for position, name in enumerate(["連絡事項", "バイタル", "旧標題"]):
            title = ReportTitle(room_id=room.id, name=name, position=position,
                                vitals=name == "バイタル", active=name != "旧標題")
            session.add(title)
            await session.flush()
            title.version = await record_change(
                session, room_id=room.id, entity_type=EntityType.report_title,
                entity_id=title.id, op=Op.put, at=now)
            titles.append(title.id)
        await session.commit()
        ids = RoomIds(room.id, patient.id, titles[:2], titles[2])
    for user_id, permission in members.items():
        await join(sm, ids.room_id, user_id, permission, now)
    return ids


async def join(
    sm: Any, room_id: uuid.UUID, user_id: uuid.UUID, permission: Permission, now: datetime
) -> None:
    async with sm() as session:
        await begin_write(session)
        session.add(RoomMember(room_id=room_id, user_id=user_id, permission=permission,
                               joined_at=now))
        await session.flush()
        await membership_changed(session, room_id, user_id, now)
        await session.commit()


async def leave(sm: Any, room_id: uuid.UUID, user_id: uuid.UUID, now: datetime) -> None:
    async with sm() as session:
        await begin_write(session)
        await session.execute(
            update(RoomMember)
            .where(RoomMember.room_id == room_id, RoomMember.user_id == user_id,
                   RoomMember.left_at.is_(None))
            .values(left_at=now, left_reason="removed")
        )
        await membership_changed(session, room_id, user_id, now)
        await session.commit()


async def close_room(sm: Any, room_id: uuid.UUID, now: datetime) -> None:
    async with sm() as session:
        await begin_write(session)
        await session.execute(
            update(Room).where(Room.id == room_id)
            .values(status=RoomStatus.closed, closed_at=now, closed_reason="death")
        )
        await record_change(session, room_id=room_id, entity_type=EntityType.room,
                            entity_id=room_id, op=Op.put, at=now)
        await session.commit()


async def add_attachment(
    sm: Any, room_id: uuid.UUID | None, uploader_id: uuid.UUID
) -> uuid.UUID:
    async with sm() as session:
        attachment = Attachment(room_id=room_id, uploader_id=uploader_id, sha256="0" * 64,
                                content_type="image/jpeg", size=100, width=1, height=1)
        session.add(attachment)
        await session.commit()
        return attachment.id


def uid() -> str:
    return str(new_id())


# --- a client replica ---------------------------------------------------------------------


@dataclass
class Replica:
    """What a client holds after applying pull answers: per room, (type, id) → data."""

    cursor: str | None = None
    rooms: dict[str, dict[tuple[str, str], dict[str, Any]]] = field(default_factory=dict)
    last_mutation_ids: dict[str, int] = field(default_factory=dict)
    wiped: bool = False

    def apply(self, body: dict[str, Any]) -> None:
        if body["wipe"]:
            self.rooms.clear()
            self.cursor = None
            self.wiped = True
            return
        for room_id in [*body["revokedRooms"], *body["resetRooms"]]:
            self.rooms.pop(room_id, None)
        for room_id, served in body["rooms"].items():
            assert room_id not in body["revokedRooms"]
            held = self.rooms.setdefault(room_id, {})
            for change in served["changes"]:
                key = (change["type"], change["id"])
                if change["op"] == "put":
                    held[key] = change["data"]
                else:
                    assert change["data"] is None
                    held.pop(key, None)
        self.cursor = body["cursor"]
        self.last_mutation_ids = dict(body["lastMutationIds"])

    def posts(self, room_id: str | uuid.UUID) -> dict[str, dict[str, Any]]:
        held = self.rooms.get(str(room_id), {})
        return {key[1]: data for key, data in held.items() if key[0] == "post"}

    def of_type(self, room_id: str | uuid.UUID, entity_type: str) -> dict[str, dict[str, Any]]:
        held = self.rooms.get(str(room_id), {})
        return {key[1]: data for key, data in held.items() if key[0] == entity_type}


async def pull_all(
    session: AsyncSession, user_id: uuid.UUID, replica: Replica, limit: int = 500,
    **kwargs: Any,
) -> int:
    """Pull until no room has more; returns how many pulls it took."""
    from sync.pull import pull

    count = 0
    while True:
        result = await pull(session, user_id, replica.cursor, limit, secret=SECRET, **kwargs)
        replica.apply(on_wire(result.body))
        count += 1
        if replica.wiped or not any(r["hasMore"] for r in on_wire(result.body)["rooms"].values()):
            return count
        assert count < 10_000


# --- the oracle ------------------------------------------------------------------------------


async def visible_state(
    session: AsyncSession, user_id: uuid.UUID
) -> dict[str, dict[tuple[str, str], dict[str, Any]]]:
    """What `user_id` may see now, read straight from the tables."""
    user = await session.scalar(select(User).where(User.id == user_id)
                                .execution_options(populate_existing=True))
    assert user is not None
    if user.status != UserStatus.active or user.role in (Role.municipal_admin, Role.operator):
        await session.rollback()
        return {}
    room_ids = list(await session.scalars(
        select(RoomMember.room_id).where(RoomMember.user_id == user_id,
                                         RoomMember.left_at.is_(None))
    ))
    state: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}
    fresh = {"populate_existing": True}
    for room_id in room_ids:
        held: dict[tuple[str, str], dict[str, Any]] = {}
        room = await session.scalar(select(Room).where(Room.id == room_id)
                                    .execution_options(**fresh))
        assert room is not None
        patient = await session.get(Patient, room.patient_id, populate_existing=True)
        assert patient is not None
        held[("room", str(room.id))] = on_wire(wire.room_data(room))
        held[("patient", str(patient.id))] = on_wire(wire.patient_data(patient))
        rows = await session.execute(
            select(RoomMember, User.name, User.name_kana, User.job_type,
                   Office.id.label("office_id"), Office.name.label("office_name"),
                   Office.phone.label("office_phone"))
            .join(User, User.id == RoomMember.user_id)
            .outerjoin(Office, Office.id == User.office_id)
            .where(RoomMember.room_id == room_id).execution_options(**fresh)
        )
        for row in rows:
            held[("member", str(row.RoomMember.id))] = on_wire(
                wire.member_data(row.RoomMember, row)
            )
        for title in await session.scalars(select(ReportTitle).where(
                ReportTitle.room_id == room_id).execution_options(**fresh)):
            held[("reportTitle", str(title.id))] = on_wire(wire.report_title_data(title))
        for post in await session.scalars(select(Post).where(
                Post.room_id == room_id, Post.deleted_at.is_(None)).execution_options(**fresh)):
            held[("post", str(post.id))] = on_wire(wire.post_data(post))
        for comment in await session.scalars(select(Comment).where(
                Comment.room_id == room_id, Comment.deleted_at.is_(None))
                .execution_options(**fresh)):
            held[("comment", str(comment.id))] = on_wire(wire.comment_data(comment))
        for receipt in await session.scalars(select(ReadReceipt).where(
                ReadReceipt.room_id == room_id).execution_options(**fresh)):
            held[("receipt", str(receipt.user_id))] = on_wire(wire.receipt_data(receipt))
        for threshold in await session.scalars(select(VitalThreshold).where(
                VitalThreshold.room_id == room_id).execution_options(**fresh)):
            held[("threshold", str(threshold.id))] = on_wire(wire.threshold_data(threshold))
        for addressee in await session.scalars(select(Addressee).where(
                Addressee.room_id == room_id, Addressee.deleted_at.is_(None))
                .execution_options(**fresh)):
            held[("addressee", str(addressee.id))] = on_wire(wire.addressee_data(addressee))
        for line in await session.scalars(select(Medication).where(
                Medication.room_id == room_id, Medication.deleted_at.is_(None))
                .execution_options(**fresh)):
            held[("medication", str(line.id))] = on_wire(wire.medication_data(line))
        # My own reading state in the room, and nobody else's.
        for personal in await session.scalars(select(RoomPersonal).where(
                RoomPersonal.room_id == room_id, RoomPersonal.user_id == user_id)
                .execution_options(**fresh)):
            held[("personal", str(personal.user_id))] = on_wire(wire.personal_data(personal))
        state[str(room_id)] = held
    await session.rollback()
    return state
