"""Read receipts (既読): who among the current members has read a post, and unread counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from server.clock import FrozenClock
from server.settings import Settings
from store.models import AuditEvent, RoomMember
from store.models.enums import JobType, Permission
from tests.contact_book.conftest import SignIn, World, add_post, change_post, mark_read
from tests.factories import make_user


async def test_readers_split_current_members_into_read_and_unread(
    world: World, sign_in: SignIn, sessionmaker: Any, settings: Settings, clock: FrozenClock
) -> None:
    now = clock.now()
    doctor = await make_user(
        sessionmaker, settings, "cb-doctor", now=now, job_type=JobType.doctor, name="医師 四郎"
    )
    async with sessionmaker() as session:
        session.add(
            RoomMember(
                room_id=world.room_id, user_id=doctor.id, permission=Permission.write, joined_at=now
            )
        )
        await session.commit()
    post_id, version = await add_post(
        sessionmaker, world.room_id, world.writer.id, "本日の訪問で発熱を確認。", at=now
    )
    read_at = now + timedelta(minutes=5)
    await mark_read(sessionmaker, world.room_id, world.reader.id, version, at=read_at)
    await mark_read(sessionmaker, world.room_id, doctor.id, version - 1, at=read_at)
    # A former member's receipt does not count: they are no longer in the room.
    await mark_read(sessionmaker, world.room_id, world.former.id, version, at=read_at)

    nurse = await sign_in(world.writer)
    answer = await nurse.get(f"/api/rooms/{world.room_id}/posts/{post_id}/readers")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["read"] == [
        {
            "userId": str(world.reader.id),
            "name": "薬剤 一郎",
            "jobType": "pharmacist",
            "jobTypeLabel": "薬剤師",
            "officeName": "さくら薬局",
            "readAt": read_at.isoformat().replace("+00:00", "Z"),
        }
    ]
    # The author is not listed; the doctor read only up to the version before the post.
    assert [(r["userId"], r["readAt"]) for r in body["unread"]] == [(str(doctor.id), None)]

    # An edit gives the post a new version: it is unread again until the reader catches up.
    await change_post(sessionmaker, post_id, at=now, body="本日の訪問で発熱（38.2℃）を確認。")
    again = (await nurse.get(f"/api/rooms/{world.room_id}/posts/{post_id}/readers")).json()
    assert again["read"] == []
    assert {r["userId"] for r in again["unread"]} == {str(world.reader.id), str(doctor.id)}


async def test_readers_of_unknown_deleted_or_foreign_posts_are_404(
    world: World, sign_in: SignIn, sessionmaker: Any, clock: FrozenClock
) -> None:
    now = clock.now()
    gone, _ = await add_post(sessionmaker, world.room_id, world.writer.id, "誤投稿", at=now)
    await change_post(sessionmaker, gone, at=now, delete=True)
    elsewhere, _ = await add_post(
        sessionmaker, world.other_room_id, world.writer.id, "別の部屋", at=now
    )
    nurse = await sign_in(world.writer)
    for post_id in (gone, elsewhere):
        answer = await nurse.get(f"/api/rooms/{world.room_id}/posts/{post_id}/readers")
        assert answer.status_code == 404
        assert answer.json()["error"] == "post_not_found"


async def test_viewing_readers_is_audited(
    world: World, sign_in: SignIn, sessionmaker: Any, clock: FrozenClock
) -> None:
    post_id, _ = await add_post(
        sessionmaker, world.room_id, world.writer.id, "連絡", at=clock.now()
    )
    reader = await sign_in(world.reader)
    assert (
        await reader.get(f"/api/rooms/{world.room_id}/posts/{post_id}/readers")
    ).status_code == 200
    async with sessionmaker() as session:
        event = await session.scalar(select(AuditEvent).where(AuditEvent.action == "post.readers"))
    assert event is not None
    assert (event.room_id, event.patient_id, event.target_id) == (
        world.room_id,
        world.patient_id,
        str(post_id),
    )


async def test_unread_counts_posts_by_others_after_my_receipt(
    world: World, sign_in: SignIn, sessionmaker: Any, clock: FrozenClock
) -> None:
    now = clock.now()
    _first, first_version = await add_post(
        sessionmaker, world.room_id, world.writer.id, "一件目", at=now
    )
    await add_post(sessionmaker, world.room_id, world.writer.id, "二件目", at=now)
    await add_post(sessionmaker, world.room_id, world.writer.id, "三件目", at=now)
    deleted, _ = await add_post(sessionmaker, world.room_id, world.writer.id, "四件目", at=now)
    await change_post(sessionmaker, deleted, at=now, delete=True)
    await add_post(sessionmaker, world.other_room_id, world.outsider.id, "他室", at=now)
    await mark_read(sessionmaker, world.room_id, world.reader.id, first_version, at=now)

    reader = await sign_in(world.reader)
    answer = await reader.get("/api/rooms/unread")
    assert answer.status_code == 200
    assert answer.json() == {str(world.room_id): 2}

    # The writer's own posts never count; the other room's post by someone else does.
    writer = await sign_in(world.writer)
    assert (await writer.get("/api/rooms/unread")).json() == {
        str(world.room_id): 0,
        str(world.other_room_id): 1,
    }


async def test_unread_lists_only_current_rooms(
    world: World, sign_in: SignIn, sessionmaker: Any, clock: FrozenClock
) -> None:
    await add_post(sessionmaker, world.room_id, world.writer.id, "連絡事項", at=clock.now())
    for user, expected in (
        (world.former, {}),
        (world.admin, {}),
        (world.outsider, {str(world.other_room_id): 0}),
    ):
        other = await sign_in(user)
        answer = await other.get("/api/rooms/unread")
        assert answer.status_code == 200
        assert answer.json() == expected, user.login_id
