"""A post becomes one encrypted push per other member's device, with no patient data
(SECURITY.md 27): recipients, payload, headers, quiet hours, coalescing."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import func, select

from server.clock import FrozenClock
from server.push.payload import POST_KEYS, POST_TTL, room_topic
from server.push.worker import PushWorker
from server.settings import Settings
from store.models import Outbox, RoomMember
from tests.push.conftest import (
    PATIENT_NAME,
    POST_BODY,
    add_device,
    make_member,
    make_room,
    post,
    set_preferences,
)
from tests.support.push_receiver import PushReceiver

PATIENT_STRINGS = [PATIENT_NAME, POST_BODY, "鈴木", "一郎", "すずき", "架空市", "血圧", "182"]


def _assert_no_patient_data(raw: bytes) -> None:
    # The opaque room id is random hex and may contain digits such as "182" by chance:
    # look for patient data everywhere but in it.
    payload = json.loads(raw)
    text = json.dumps({k: v for k, v in payload.items() if k != "room"}, ensure_ascii=False)
    for needle in PATIENT_STRINGS:
        assert needle not in text
    assert set(payload) <= {"type", "room", "count", "urgent", "label", "addressed"}


async def test_post_reaches_other_members_encrypted_without_patient_data(
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    receiver: PushReceiver,
    worker: PushWorker,
) -> None:
    author = await make_member(sessionmaker, settings, clock, receiver, "author-a")
    reader = await make_member(sessionmaker, settings, clock, receiver, "reader-b")
    muted = await make_member(sessionmaker, settings, clock, receiver, "muted-c")
    outsider = await make_member(sessionmaker, settings, clock, receiver, "outsider-d")
    room_id = await make_room(
        sessionmaker, clock, [author.user.id, reader.user.id, muted.user.id], label="A-12"
    )
    await set_preferences(sessionmaker, muted.user.id, muted=[room_id])
    # The reader has a second tablet: both get it.
    _, tablet = await add_device(sessionmaker, reader.user.id, receiver, "reader-b-tablet")

    assert await post(sessionmaker, room_id, author.user.id, clock.now()) == 2
    assert await worker.run_once() == 2

    for subscription in (reader.subscription, tablet):
        [message] = receiver.received(subscription)
        _assert_no_patient_data(message.payload)
        assert message.json == {"type": "post", "room": str(room_id), "count": 1, "urgent": False}
        assert set(message.json) <= POST_KEYS
        assert message.urgency == "normal"
        assert message.ttl == POST_TTL
        assert message.topic == room_topic(room_id)
        assert message.vapid_claims["sub"].startswith("mailto:")
    for nobody in (author, muted, outsider):
        assert receiver.attempts(nobody.subscription) == []
    async with sessionmaker() as session:
        statuses = (await session.scalars(select(Outbox.status))).all()
        assert sorted(statuses) == ["sent", "sent"]
    assert await worker.run_once() == 0  # nothing is sent twice
    assert len(receiver.received()) == 2


async def test_an_addressed_post_tells_its_addressee_even_in_a_muted_room(
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    receiver: PushReceiver,
    worker: PushWorker,
) -> None:
    nurse = await make_member(sessionmaker, settings, clock, receiver, "nurse-a")
    doctor = await make_member(sessionmaker, settings, clock, receiver, "doctor-b")
    helper = await make_member(sessionmaker, settings, clock, receiver, "helper-c")
    room_id = await make_room(
        sessionmaker, clock, [nurse.user.id, doctor.user.id, helper.user.id]
    )
    # The doctor muted the room: a question to the doctor still reaches the doctor.
    await set_preferences(sessionmaker, doctor.user.id, muted=[room_id])
    assert await post(sessionmaker, room_id, nurse.user.id, clock.now(),
                      addressee_ids=frozenset({doctor.user.id})) == 2
    await worker.run_once()
    [to_doctor] = receiver.received(doctor.subscription)
    _assert_no_patient_data(to_doctor.payload)
    assert to_doctor.json == {"type": "post", "room": str(room_id), "count": 1,
                              "urgent": False, "addressed": True}
    [to_helper] = receiver.received(helper.subscription)
    assert "addressed" not in to_helper.json
    # A comment addressed to the helper tells the helper only (comments tell nobody else).
    assert await post(sessionmaker, room_id, doctor.user.id, clock.now(),
                      addressee_ids=frozenset({helper.user.id}), addressees_only=True) == 1
    await worker.run_once()
    assert len(receiver.received(helper.subscription)) == 2
    assert receiver.received(helper.subscription)[-1].json["addressed"] is True
    assert len(receiver.received(nurse.subscription)) == 0


async def test_urgent_post_is_high_urgency_and_marked(
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    receiver: PushReceiver,
    worker: PushWorker,
) -> None:
    author = await make_member(sessionmaker, settings, clock, receiver, "author-a")
    reader = await make_member(sessionmaker, settings, clock, receiver, "reader-b")
    room_id = await make_room(sessionmaker, clock, [author.user.id, reader.user.id])
    await post(sessionmaker, room_id, author.user.id, clock.now(), urgent=True)
    await worker.run_once()
    [message] = receiver.received(reader.subscription)
    assert message.urgency == "high"
    assert message.json["urgent"] is True


async def test_members_who_left_disabled_push_or_whose_device_is_flagged_get_nothing(
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    receiver: PushReceiver,
    worker: PushWorker,
) -> None:
    author = await make_member(sessionmaker, settings, clock, receiver, "author-a")
    left = await make_member(sessionmaker, settings, clock, receiver, "left-b")
    disabled = await make_member(sessionmaker, settings, clock, receiver, "disabled-c")
    flagged = await make_member(sessionmaker, settings, clock, receiver, "flagged-d")
    reader = await make_member(sessionmaker, settings, clock, receiver, "reader-e")
    room_id = await make_room(
        sessionmaker,
        clock,
        [author.user.id, left.user.id, disabled.user.id, flagged.user.id, reader.user.id],
    )
    await set_preferences(sessionmaker, disabled.user.id, enabled=False)
    async with sessionmaker() as session:
        member = await session.scalar(
            select(RoomMember).where(RoomMember.user_id == left.user.id)
        )
        assert member is not None
        member.left_at = clock.now()
        from store.models import Device

        device = await session.get(Device, flagged.device_id)
        assert device is not None
        device.wipe_requested_at = clock.now()
        await session.commit()

    assert await post(sessionmaker, room_id, author.user.id, clock.now()) == 1
    await worker.run_once()
    assert [m.subscription for m in receiver.received()] == ["reader-e"]


async def test_quiet_hours_in_tokyo_time_except_urgent(
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    receiver: PushReceiver,
    worker: PushWorker,
) -> None:
    author = await make_member(sessionmaker, settings, clock, receiver, "author-a")
    sleeper = await make_member(sessionmaker, settings, clock, receiver, "sleeper-b")
    room_id = await make_room(sessionmaker, clock, [author.user.id, sleeper.user.id])
    await set_preferences(sessionmaker, sleeper.user.id, quiet=(time(22, 0), time(7, 0)))

    # 14:30 UTC is 23:30 in Tokyo: quiet; 21:59 UTC is 06:59 JST: still quiet.
    for moment in (datetime(2026, 11, 26, 14, 30, tzinfo=UTC),
                   datetime(2026, 11, 26, 21, 59, tzinfo=UTC)):
        clock.set(moment)
        assert await post(sessionmaker, room_id, author.user.id, clock.now()) == 0
    assert await worker.run_once() == 0

    clock.set(datetime(2026, 11, 26, 15, 0, tzinfo=UTC))  # 00:00 JST, urgent gets through
    assert await post(sessionmaker, room_id, author.user.id, clock.now(), urgent=True) == 1
    await worker.run_once()
    assert [m.json["urgent"] for m in receiver.received(sleeper.subscription)] == [True]

    clock.set(datetime(2026, 11, 26, 22, 0, tzinfo=UTC))  # 07:00 JST: quiet hours are over
    assert await post(sessionmaker, room_id, author.user.id, clock.now()) == 1
    await worker.run_once()
    assert [m.json["urgent"] for m in receiver.received(sleeper.subscription)] == [True, False]


async def test_room_label_only_when_the_user_opted_in_and_the_admin_set_one(
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    receiver: PushReceiver,
    worker: PushWorker,
) -> None:
    author = await make_member(sessionmaker, settings, clock, receiver, "author-a")
    opted = await make_member(sessionmaker, settings, clock, receiver, "opted-b")
    default = await make_member(sessionmaker, settings, clock, receiver, "default-c")
    ids = [author.user.id, opted.user.id, default.user.id]
    labelled = await make_room(sessionmaker, clock, ids, label="東3-A")
    await set_preferences(sessionmaker, opted.user.id, show_room_label=True)
    await post(sessionmaker, labelled, author.user.id, clock.now())
    await worker.run_once()
    assert receiver.received(opted.subscription)[0].json["label"] == "東3-A"
    assert "label" not in receiver.received(default.subscription)[0].json


async def test_pending_pushes_for_a_room_collapse_into_one_with_a_count(
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    receiver: PushReceiver,
    worker: PushWorker,
) -> None:
    author = await make_member(sessionmaker, settings, clock, receiver, "author-a")
    reader = await make_member(sessionmaker, settings, clock, receiver, "reader-b")
    room_id = await make_room(sessionmaker, clock, [author.user.id, reader.user.id])
    other_room = await make_room_second(sessionmaker, clock, [author.user.id, reader.user.id])

    await post(sessionmaker, room_id, author.user.id, clock.now())
    await post(sessionmaker, room_id, author.user.id, clock.now(), urgent=True)
    await post(sessionmaker, room_id, author.user.id, clock.now())
    await post(sessionmaker, other_room, author.user.id, clock.now())
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Outbox)) == 2
    await worker.run_once()
    by_room = {m.json["room"]: m for m in receiver.received(reader.subscription)}
    assert by_room[str(room_id)].json["count"] == 3
    assert by_room[str(room_id)].json["urgent"] is True
    assert by_room[str(room_id)].urgency == "high"
    assert by_room[str(other_room)].json["count"] == 1

    # Once sent, the next post is a new push, not folded into the delivered one.
    await post(sessionmaker, room_id, author.user.id, clock.now())
    await worker.run_once()
    counts = [m.json["count"] for m in receiver.received(reader.subscription)
              if m.json["room"] == str(room_id)]
    assert counts == [3, 1]


async def make_room_second(sessionmaker: Any, clock: FrozenClock, ids: list[Any]) -> Any:
    """A second room (another patient) with the same members."""
    from datetime import date

    from store.models import Patient, Room

    async with sessionmaker() as session:
        patient = Patient(name="別の 患者", name_kana="べつの かんじゃ", sex="female",
                          birth_date=date(1940, 1, 1), care_level="要介護1")
        session.add(patient)
        await session.flush()
        room = Room(patient_id=patient.id)
        session.add(room)
        await session.flush()
        for user_id in ids:
            session.add(RoomMember(room_id=room.id, user_id=user_id, joined_at=clock.now()))
        await session.commit()
        return room.id


async def test_vapid_claims_are_fresh_for_every_push_service(
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    receiver: PushReceiver,
    worker: PushWorker,
) -> None:
    """Two push services in one batch: each must get a JWT whose aud is its own origin."""
    from server.push.keys import load_vapid_keys

    keys = load_vapid_keys(settings.data_dir, settings.push.vapid_private_key)
    with PushReceiver(vapid_public_key=keys.public_key) as other_service:
        author = await make_member(sessionmaker, settings, clock, receiver, "author-a")
        readers = [await make_member(sessionmaker, settings, clock, receiver, f"reader-{i}")
                   for i in range(3)]
        elsewhere = [await make_member(sessionmaker, settings, clock, other_service, f"far-{i}")
                     for i in range(3)]
        room_id = await make_room(
            sessionmaker, clock, [author.user.id] + [m.user.id for m in readers + elsewhere]
        )
        await post(sessionmaker, room_id, author.user.id, clock.now())
        await worker.run_once()
        assert len(receiver.received()) == 3
        assert len(other_service.received()) == 3
        assert {m.vapid_claims["aud"] for m in other_service.received()} == {other_service.origin}
        assert all(a.status == 201 for a in receiver.attempts() + other_service.attempts())


async def test_in_process_worker_delivers_right_after_the_post_commits(
    live_client: Any,
    sessionmaker: Any,
    settings: Settings,
    clock: FrozenClock,
    receiver: PushReceiver,
) -> None:
    """The app's own worker (lifespan) is woken by the commit, not by its next poll."""
    author = await make_member(sessionmaker, settings, clock, receiver, "author-a")
    reader = await make_member(sessionmaker, settings, clock, receiver, "reader-b")
    room_id = await make_room(sessionmaker, clock, [author.user.id, reader.user.id])
    await post(sessionmaker, room_id, author.user.id, clock.now(), urgent=True)
    [message] = await asyncio.to_thread(
        receiver.wait_for, 1, 5.0, endpoint=reader.subscription
    )
    assert json.loads(message.payload)["urgent"] is True
    async with sessionmaker() as session:
        for _ in range(50):  # the sent mark is committed right after the 201
            if await session.scalar(select(Outbox.status)) == "sent":
                break
            await session.rollback()
            await asyncio.sleep(0.05)
        assert await session.scalar(select(Outbox.status)) == "sent"
