"""Push tests: a loopback push service that checks VAPID and decrypts, rooms with members,
devices with subscriptions, and a worker driven by the test (the app's own worker is off
unless a test turns it on)."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.clock import FrozenClock
from server.push.keys import load_vapid_keys
from server.push.outbox import enqueue_post_notifications
from server.push.worker import PushWorker
from server.settings import Settings, load_settings
from store.models import (
    Device,
    NotificationPreference,
    Patient,
    Post,
    PushSubscription,
    Room,
    RoomMember,
    RoomMute,
)
from store.writer import begin_write
from tests.conftest import BASE_URL, server_env
from tests.factories import MadeUser, make_user
from tests.support.api import ApiClient
from tests.support.push_receiver import PushReceiver

PATIENT_NAME = "鈴木 一郎"
POST_BODY = "鈴木 一郎さん 血圧 182/110、胸の痛みあり"


def push_env(data_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    env = {"CAREBOOK_PUSH_ALLOW_HTTP_LOOPBACK": "1", "CAREBOOK_PUSH_WORKER": "0"}
    env.update(extra)
    return server_env(data_dir, database_url, **env)


@pytest.fixture()
def settings(data_dir: Path, database_url: str) -> Settings:
    return load_settings(push_env(data_dir, database_url))


@pytest.fixture()
def receiver(settings: Settings) -> Iterator[PushReceiver]:
    keys = load_vapid_keys(settings.data_dir, settings.push.vapid_private_key)
    with PushReceiver(vapid_public_key=keys.public_key) as service:
        yield service


@pytest.fixture()
def worker(settings: Settings, sessionmaker: Any, clock: FrozenClock) -> Iterator[PushWorker]:
    made = PushWorker(settings, sessionmaker, clock)
    yield made
    made.close()


@pytest.fixture()
def api(client: Any) -> ApiClient:
    return ApiClient(client)


def second_client(client: Any) -> ApiClient:
    return ApiClient(client.__class__(client.app, base_url=str(client.base_url)))




@dataclass
class Member:
    user: MadeUser
    device_id: uuid.UUID
    subscription: dict[str, Any]


async def make_room(
    sessionmaker: Any,
    clock: FrozenClock,
    user_ids: list[uuid.UUID],
    *,
    label: str | None = None,
) -> uuid.UUID:
    """A room about a patient whose name must never appear in a push."""
    async with sessionmaker() as session:
        patient = Patient(
            name=PATIENT_NAME,
            name_kana="すずき いちろう",
            sex="male",
            birth_date=date(1938, 4, 1),
            care_level="要介護3",
            address="架空市中央1-2-3",
        )
        session.add(patient)
        await session.flush()
        room = Room(patient_id=patient.id, label=label, opened_at=clock.now())
        session.add(room)
        await session.flush()
        for user_id in user_ids:
            session.add(RoomMember(room_id=room.id, user_id=user_id, joined_at=clock.now()))
        await session.commit()
        return room.id


async def add_device(
    sessionmaker: Any,
    user_id: uuid.UUID,
    receiver: PushReceiver,
    name: str,
) -> tuple[uuid.UUID, dict[str, Any]]:
    """A signed-in-before device of the user with a push subscription at the receiver."""
    subscription = receiver.new_subscription(name)
    async with sessionmaker() as session:
        device = Device(device_key=secrets.token_urlsafe(16), user_id=user_id, label=name,
                        signed_in_before=True)
        session.add(device)
        await session.flush()
        session.add(
            PushSubscription(
                user_id=user_id,
                device_id=device.id,
                endpoint=subscription["endpoint"],
                p256dh=subscription["keys"]["p256dh"],
                auth=subscription["keys"]["auth"],
            )
        )
        await session.commit()
        return device.id, subscription


async def make_member(
    sessionmaker: Any, settings: Settings, clock: FrozenClock, receiver: PushReceiver, name: str
) -> Member:
    user = await make_user(sessionmaker, settings, name, now=clock.now(), with_totp=False)
    device_id, subscription = await add_device(sessionmaker, user.id, receiver, name)
    return Member(user, device_id, subscription)


async def post(
    sessionmaker: Any,
    room_id: uuid.UUID,
    author_id: uuid.UUID,
    at: datetime,
    *,
    urgent: bool = False,
    addressee_ids: frozenset[uuid.UUID] = frozenset(),
    addressees_only: bool = False,
) -> int:
    """What the sync engine does: the post and its outbox rows in one transaction."""
    async with sessionmaker() as session:
        await begin_write(session)
        row = Post(room_id=room_id, author_id=author_id, report_title_id=None, body=POST_BODY,
                   urgent=urgent, created_at=at)
        session.add(row)
        await session.flush()
        count = await enqueue_post_notifications(
            session, room_id=room_id, post_id=row.id, author_id=author_id, urgent=urgent, at=at,
            addressee_ids=addressee_ids, addressees_only=addressees_only,
        )
        await session.commit()
        return count


async def set_preferences(
    sessionmaker: Any,
    user_id: uuid.UUID,
    *,
    enabled: bool = True,
    quiet: tuple[Any, Any] | None = None,
    show_room_label: bool = False,
    muted: list[uuid.UUID] | None = None,
) -> None:
    async with sessionmaker() as session:
        session.add(
            NotificationPreference(
                user_id=user_id,
                enabled=enabled,
                quiet_start=quiet[0] if quiet else None,
                quiet_end=quiet[1] if quiet else None,
                show_room_label=show_room_label,
            )
        )
        for room_id in muted or []:
            session.add(RoomMute(user_id=user_id, room_id=room_id))
        await session.commit()


async def signed_in(
    api: ApiClient, sessionmaker: Any, settings: Settings, clock: FrozenClock, login_id: str
) -> MadeUser:
    user = await make_user(sessionmaker, settings, login_id, now=clock.now())
    assert user.totp_secret is not None
    done = await api.sign_in_totp(user.login_id, user.password, user.totp_secret, clock.now())
    assert done.status_code == 200, done.text
    return user


@pytest.fixture()
async def live_client(
    data_dir: Path, database_url: str, clock: FrozenClock
) -> AsyncIterator[AsyncTestClient[Any]]:
    """The app with its in-process push worker on, as `carebook serve` runs it."""
    settings = load_settings(push_env(data_dir, database_url, CAREBOOK_PUSH_WORKER="1"))
    async with AsyncTestClient(create_app(settings, clock=clock), base_url=BASE_URL) as client:
        yield client
