"""`GET /api/sync/events` against a real uvicorn: pokes reach the room's members only, one per
change; heartbeats; a removed member hears `revoked`, a new one a poke, a stopped one `wipe`;
the stream ends with the session."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import update

from server.clock import FrozenClock
from server.settings import Settings
from store.models import User
from store.models.enums import JobType, Permission, Role, UserStatus
from store.writer import begin_write
from sync.changes import bump_membership_version
from tests.support.api import ApiClient
from tests.sync.conftest import Live
from tests.sync.support import EventReader
from tests.sync.world import RoomIds, join, leave, open_room, uid


def post(room: RoomIds) -> dict[str, Any]:
    return {"id": uid(), "roomId": str(room.room_id), "reportTitleId": str(room.titles[0]),
            "body": "夕方に再訪問します。"}


async def push(api: ApiClient, *args: dict[str, Any], first_id: int = 1) -> list[Any]:
    response = await api.post("/api/sync/push", {"clientId": f"client-{api.device[:10]}",
                                                 "mutations": [
        {"id": first_id + i, "name": "post.create", "args": a} for i, a in enumerate(args)]})
    assert response.status_code == 200, response.text
    return list(response.json()["results"])


async def test_a_post_pokes_the_members_and_no_one_else(
    live: Live, sessionmaker: Any, settings: Settings, clock: FrozenClock
) -> None:
    nurse, nurse_api = await live.user(sessionmaker, settings, clock, "ev-nurse")
    doctor, doctor_api = await live.user(sessionmaker, settings, clock, "ev-doctor",
                                         job_type=JobType.doctor)
    reader, reader_api = await live.user(sessionmaker, settings, clock, "ev-reader")
    _outsider, outsider_api = await live.user(sessionmaker, settings, clock, "ev-outsider")
    admin, admin_api = await live.user(sessionmaker, settings, clock, "ev-admin",
                                       role=Role.municipal_admin, job_type=JobType.city_staff)
    former, former_api = await live.user(sessionmaker, settings, clock, "ev-former")
    room = await open_room(sessionmaker, clock.now(), {
        nurse.id: Permission.write, doctor.id: Permission.write, reader.id: Permission.read,
        admin.id: Permission.write, former.id: Permission.write})
    await leave(sessionmaker, room.room_id, former.id, clock.now())
    streams = {name: EventReader(api) for name, api in [
        ("nurse", nurse_api), ("doctor", doctor_api), ("reader", reader_api),
        ("outsider", outsider_api), ("admin", admin_api), ("former", former_api)]}
    for stream in streams.values():
        await stream.__aenter__()
    try:
        for name, stream in streams.items():
            assert stream.response is not None and stream.response.status_code == 200, name
            assert stream.response.headers["content-type"].startswith("text/event-stream")
            connected = await stream.next(comments=True)
            assert connected.comment == "connected"
        results = await push(nurse_api, post(room), post(room))
        assert [r["status"] for r in results] == ["ok", "ok"]
        for name in ("nurse", "doctor", "reader"):
            first = await streams[name].next()
            second = await streams[name].next()
            assert (first.event, second.event) == ("poke", "poke"), name
            assert first.data["roomId"] == str(room.room_id)
            assert second.data["version"] == first.data["version"] + 1  # one event per change
            assert set(first.data) == {"roomId", "version"}  # no patient data
        for name in ("outsider", "admin", "former"):
            assert await streams[name].none_within(0.7) == [], name
    finally:
        for stream in streams.values():
            await stream.__aexit__(None, None, None)


async def test_heartbeat_comments_keep_the_stream_alive(
    live: Live, sessionmaker: Any, settings: Settings, clock: FrozenClock
) -> None:
    _, api = await live.user(sessionmaker, settings, clock, "ev-nurse")
    async with EventReader(api) as stream:
        assert (await stream.next(comments=True)).comment == "connected"
        beats = [await stream.next(2.0, comments=True) for _ in range(2)]
        assert [b.comment for b in beats] == ["heartbeat", "heartbeat"]


async def test_membership_changes_and_stops_reach_the_stream(
    live: Live, sessionmaker: Any, settings: Settings, clock: FrozenClock
) -> None:
    nurse, nurse_api = await live.user(sessionmaker, settings, clock, "ev-nurse")
    newcomer, newcomer_api = await live.user(sessionmaker, settings, clock, "ev-new")
    room = await open_room(sessionmaker, clock.now(), {nurse.id: Permission.write})
    async with EventReader(nurse_api) as nurse_events, \
            EventReader(newcomer_api) as new_events:
        await nurse_events.next(comments=True)
        await new_events.next(comments=True)
        await join(sessionmaker, room.room_id, newcomer.id, Permission.read, clock.now())
        joined = await new_events.next()
        assert joined.event == "poke" and joined.data["roomId"] == str(room.room_id)
        seen = await nurse_events.next()  # the member change is a change of the room
        assert seen.event == "poke" and seen.data["version"] == joined.data["version"]
        await leave(sessionmaker, room.room_id, newcomer.id, clock.now())
        revoked = await new_events.next()
        assert revoked.event == "revoked" and revoked.data == {"roomId": str(room.room_id)}
        await push(nurse_api, post(room))
        assert [e.event for e in await new_events.none_within(0.7)] == []
        # An ID stop: the user's stream says wipe and ends.
        async with sessionmaker() as session:
            await begin_write(session)
            await session.execute(update(User).where(User.id == nurse.id)
                                  .values(status=UserStatus.stopped))
            await bump_membership_version(session, nurse.id)
            await session.commit()
        events = []
        while True:
            try:
                events.append((await nurse_events.next()).event)
            except EOFError:
                break
        assert events[-1] == "wipe"


async def test_the_stream_ends_with_the_session(
    live: Live, sessionmaker: Any, settings: Settings, clock: FrozenClock
) -> None:
    _, api = await live.user(sessionmaker, settings, clock, "ev-nurse")
    async with EventReader(api) as stream:
        await stream.next(comments=True)
        assert (await api.post("/api/auth/logout", {})).status_code in (200, 204)
        with pytest.raises(EOFError):
            while True:
                await stream.next(3.0, comments=True)
    again = await api.get("/api/sync/events")
    assert again.status_code == 401


async def test_pokes_are_not_sent_for_rolled_back_writes(
    live: Live, sessionmaker: Any, settings: Settings, clock: FrozenClock
) -> None:
    nurse, api = await live.user(sessionmaker, settings, clock, "ev-nurse")
    room = await open_room(sessionmaker, clock.now(), {nurse.id: Permission.write})
    async with EventReader(api) as stream:
        await stream.next(comments=True)
        rejected = await push(api, {**post(room), "body": ""})
        assert rejected[0]["status"] == "rejected"
        assert await stream.none_within(0.6) == []
        await asyncio.sleep(0)
