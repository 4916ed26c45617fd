"""A room with every kind of user around it, posts made the way the sync engine makes them,
and signed-in API clients — arranged by direct inserts, independent of the sync routes."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from server.clock import FrozenClock
from server.settings import Settings
from store.models import Patient, Post, ReadReceipt, ReportTitle, Room, RoomMember
from store.models.enums import JobType, OfficeKind, Permission, Role, RoomStatus
from store.writer import begin_write
from sync.changes import EntityType, Op, record_change
from tests.factories import MadeUser, make_office, make_user
from tests.support.api import ApiClient


@dataclass
class World:
    """One patient's room and its neighbourhood; `other_room_id` is a room only `outsider`
    and `writer` belong to."""

    room_id: uuid.UUID
    patient_id: uuid.UUID
    title_id: uuid.UUID
    other_room_id: uuid.UUID
    writer: MadeUser  # current member with write permission
    reader: MadeUser  # current member, read-only
    outsider: MadeUser  # never a member of the room
    former: MadeUser  # was a member, has left
    admin: MadeUser  # municipal admin: manages rooms, reads no contact book


async def _room(session: Any, name: str, now: datetime) -> tuple[Room, ReportTitle]:
    patient = Patient(
        name=name,
        name_kana="てすと",
        sex="female",
        birth_date=date(1938, 4, 1),
        care_level="care_3",
        created_at=now,
    )
    session.add(patient)
    await session.flush()
    room = Room(patient_id=patient.id, status=RoomStatus.open, opened_at=now, created_at=now)
    session.add(room)
    await session.flush()
    title = ReportTitle(room_id=room.id, name="訪問看護記録", position=0)
    session.add(title)
    await session.flush()
    return room, title


def _member(
    room_id: uuid.UUID, user: MadeUser, permission: Permission, now: datetime
) -> RoomMember:
    return RoomMember(room_id=room_id, user_id=user.id, permission=permission, joined_at=now)


async def make_world(sessionmaker: Any, settings: Settings, now: datetime) -> World:
    nurses = await make_office(sessionmaker, "みどり訪問看護ステーション")
    pharmacy = await make_office(sessionmaker, "さくら薬局", OfficeKind.pharmacy)
    city = await make_office(sessionmaker, "市役所 高齢福祉課", OfficeKind.city_office)
    writer = await make_user(
        sessionmaker, settings, "cb-writer", now=now, office_id=nurses, name="看護 花子"
    )
    reader = await make_user(
        sessionmaker,
        settings,
        "cb-reader",
        now=now,
        office_id=pharmacy,
        job_type=JobType.pharmacist,
        name="薬剤 一郎",
    )
    outsider = await make_user(
        sessionmaker, settings, "cb-outsider", now=now, office_id=nurses, name="外部 次郎"
    )
    former = await make_user(
        sessionmaker, settings, "cb-former", now=now, office_id=nurses, name="退室 三郎"
    )
    admin = await make_user(
        sessionmaker,
        settings,
        "cb-admin",
        now=now,
        office_id=city,
        role=Role.municipal_admin,
        job_type=JobType.city_staff,
        name="市役所 太郎",
    )
    async with sessionmaker() as session:
        room, title = await _room(session, "青木 ハナ", now)
        other, _ = await _room(session, "井上 タロウ", now)
        session.add_all(
            [
                _member(room.id, writer, Permission.write, now),
                _member(room.id, reader, Permission.read, now),
                _member(other.id, outsider, Permission.write, now),
                _member(other.id, writer, Permission.write, now),
            ]
        )
        gone = _member(room.id, former, Permission.write, now - timedelta(days=30))
        gone.left_at = now - timedelta(days=1)
        gone.left_reason = "transfer"
        session.add(gone)
        await session.commit()
        return World(
            room_id=room.id,
            patient_id=room.patient_id,
            title_id=title.id,
            other_room_id=other.id,
            writer=writer,
            reader=reader,
            outsider=outsider,
            former=former,
            admin=admin,
        )


@pytest.fixture()
async def world(sessionmaker: Any, settings: Settings, clock: FrozenClock) -> World:
    return await make_world(sessionmaker, settings, clock.now())


async def add_post(
    sessionmaker: Any,
    room_id: uuid.UUID,
    author_id: uuid.UUID,
    body: str,
    *,
    at: datetime,
    title_id: uuid.UUID | None = None,
) -> tuple[uuid.UUID, int]:
    """A post as `post.create` writes it: the room version is bumped in the same transaction."""
    async with sessionmaker() as session:
        await begin_write(session)
        post_id = uuid.uuid4()
        version = await record_change(
            session, room_id=room_id, entity_type=EntityType.post, entity_id=post_id,
            op=Op.put, at=at,
        )  # fmt: skip
        session.add(
            Post(
                id=post_id,
                room_id=room_id,
                author_id=author_id,
                report_title_id=title_id,
                body=body,
                version=version,
                created_at=at,
            )
        )
        await session.commit()
        return post_id, version


async def change_post(
    sessionmaker: Any,
    post_id: uuid.UUID,
    *,
    at: datetime,
    body: str | None = None,
    delete: bool = False,
) -> int:
    """An edit (new body) or a tombstone, with a new room version, as the sync engine does."""
    async with sessionmaker() as session:
        await begin_write(session)
        room_id = await session.scalar(select(Post.room_id).where(Post.id == post_id))
        assert room_id is not None
        version = await record_change(
            session, room_id=room_id, entity_type=EntityType.post, entity_id=post_id,
            op=Op.delete if delete else Op.put, at=at,
        )  # fmt: skip
        values: dict[str, Any] = {"version": version}
        if body is not None:
            values.update(body=body, edited_at=at)
        if delete:
            values["deleted_at"] = at
        await session.execute(update(Post).where(Post.id == post_id).values(**values))
        await session.commit()
        return version


async def mark_read(
    sessionmaker: Any, room_id: uuid.UUID, user_id: uuid.UUID, up_to: int, *, at: datetime
) -> None:
    """A read receipt as `receipt.mark` leaves it."""
    async with sessionmaker() as session:
        await begin_write(session)
        version = await record_change(
            session, room_id=room_id, entity_type=EntityType.receipt, entity_id=user_id,
            op=Op.put, at=at,
        )  # fmt: skip
        receipt = await session.get(ReadReceipt, (room_id, user_id))
        if receipt is None:
            receipt = ReadReceipt(room_id=room_id, user_id=user_id)
            session.add(receipt)
        receipt.up_to_version = max(receipt.up_to_version or 0, up_to)
        receipt.version = version
        receipt.updated_at = at
        await session.commit()


class MemberClient(ApiClient):
    """One signed-in user on the test's one client: the user's own cookie jar is put in place
    for each request. A second AsyncTestClient would run the same app, and its engine, in a
    second event loop, which SQLAlchemy's asyncio locks do not allow."""

    def __init__(self, http: Any) -> None:
        super().__init__(http)
        self.jar = httpx.Cookies()

    async def _as_me(self, call: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
        self.http.cookies = self.jar
        try:
            return await call()
        finally:
            self.jar = httpx.Cookies(self.http.cookies)
            self.http.cookies = httpx.Cookies()

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self._as_me(lambda: ApiClient.get(self, path, **kwargs))

    async def request(
        self, method: str, path: str, json: Any = None, **kwargs: Any
    ) -> httpx.Response:
        return await self._as_me(lambda: ApiClient.request(self, method, path, json, **kwargs))


SignIn = Callable[[MadeUser], Awaitable[ApiClient]]


@pytest.fixture()
def sign_in(client: Any, clock: FrozenClock) -> SignIn:
    """Sign a user in; each user keeps their own cookies, device id and CSRF token."""

    async def _sign_in(user: MadeUser) -> ApiClient:
        api = MemberClient(client)
        assert user.totp_secret is not None
        done = await api.sign_in_totp(user.login_id, user.password, user.totp_secret, clock.now())
        assert done.status_code == 200, done.text
        assert done.json()["next"] == "done", done.json()
        return api

    return _sign_in
