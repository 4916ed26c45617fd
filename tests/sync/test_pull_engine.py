"""The pull side of the engine on a bare session: first pulls and paging, deltas, the cursor,
revocation, wipes and epochs. Each replica is compared with the tables themselves."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from typing import Any

import pytest
from sqlalchemy import update

from server.clock import FrozenClock
from store.models import Device, User
from store.models.enums import Permission, UserStatus
from store.writer import begin_write
from sync import cursor as cursors
from sync.pull import pull
from tests.sync.conftest import People
from tests.sync.test_push_engine import post_args, push
from tests.sync.world import (
    SECRET,
    Replica,
    RoomIds,
    close_room,
    join,
    leave,
    on_wire,
    open_room,
    pull_all,
    uid,
    visible_state,
)


async def fill(sm: Any, clock: FrozenClock, people: People, room: RoomIds, posts: int) -> None:
    """Posts by two authors, comments, an edit, a deletion and receipts."""
    batch: list[tuple[int, str, Any]] = []
    ids = []
    for i in range(posts):
        args = post_args(room, body=f"投稿 {i}")
        ids.append(args["id"])
        batch.append((i + 1, "post.create", args))
    await push(sm, people.nurse, "nurse-1", batch, clock.now())
    await push(sm, people.doctor, "doctor-1", [
        (1, "comment.create", {"id": uid(), "postId": ids[0], "body": "了解"}),
        (2, "post.create", post_args(room, body="医師より")),
        (3, "receipt.mark", {"roomId": str(room.room_id), "upToVersion": 10}),
    ], clock.now())
    await push(sm, people.nurse, "nurse-1", [
        (posts + 1, "post.delete", {"id": ids[1]}),
        (posts + 2, "post.edit", {"id": ids[2], "baseVersion": 0, "body": "stale"}),
    ], clock.now())


async def test_first_pull_serves_the_room_and_pages_to_the_same_state(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    await fill(sessionmaker, clock, people, room, 12)
    async with sessionmaker() as session:
        whole = Replica()
        assert await pull_all(session, people.nurse, whole, limit=1000) == 1
        paged = Replica()
        pulls = await pull_all(session, people.nurse, paged, limit=3)
        expected = await visible_state(session, people.nurse)
    assert pulls > 5
    assert whole.rooms == expected == paged.rooms
    held = whole.rooms[str(room.room_id)]
    types = {key[0] for key in held}
    assert types == {"room", "patient", "member", "reportTitle", "post", "comment", "receipt"}
    members = whole.of_type(room.room_id, "member")
    nurse = next(m for m in members.values() if m["userId"] == str(people.nurse))
    assert (nurse["name"], nurse["jobType"], nurse["officeName"], nurse["officePhone"]) == (
        "看護 花子", "nurse", "みどり訪問看護ステーション", "012-555-0105")
    assert len(whole.posts(room.room_id)) == 12  # 13 made, 1 deleted


async def test_first_pull_shape(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    async with sessionmaker() as session:
        result = await pull(session, people.nurse, None, 2, secret=SECRET)
    body = on_wire(result.body)
    assert set(body) == {"cursor", "rooms", "revokedRooms", "resetRooms", "lastMutationIds",
                         "wipe"}
    served = body["rooms"][str(room.room_id)]
    assert served["hasMore"] is True
    assert [c["type"] for c in served["changes"]] == ["room", "patient", "reportTitle",
                                                      "reportTitle"]
    assert all(set(c) == {"type", "op", "id", "version", "data"} for c in served["changes"])
    assert result.served[0].room_id == room.room_id and result.served[0].count == 4


async def test_cursor_is_opaque_signed_and_the_same_size_whatever_the_rooms(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    async with sessionmaker() as session:
        result = await pull(session, people.nurse, None, 500, secret=SECRET)
    token = on_wire(result.body)["cursor"]
    decoded = cursors.decode(token, SECRET)
    assert isinstance(decoded, cursors.Cursor) and decoded.progress is None
    assert decoded.position > 0 and room.room_id.hex not in token
    # A stream position, not a version per room: forty more rooms leave its size as it was.
    for i in range(40):
        await open_room(sessionmaker, clock.now(), {people.nurse: Permission.write},
                        patient_name=f"患者 {i}")
    replica = Replica()
    replica.apply(on_wire(result.body))
    async with sessionmaker() as session:
        await pull_all(session, people.nurse, replica, limit=1000)
        assert replica.rooms == await visible_state(session, people.nurse)
    assert len(replica.rooms) == 41
    assert len(replica.cursor or "") == len(token) <= 256
    # Claiming another position by editing the token is refused, as is a damaged one.
    payload, _, mac = token.partition(".")
    raw = bytearray(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    raw[9] ^= 1  # the last byte of the position
    forged = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    for bad in [f"{forged}.{mac}", token[:-2] + "AA", "garbage", token + ".x", "é.é",
                f"{payload}.{mac[:4]}"]:
        async with sessionmaker() as session:
            with pytest.raises(cursors.CursorError):
                await pull(session, people.nurse, bad, 500, secret=SECRET)
    async with sessionmaker() as session:
        with pytest.raises(cursors.CursorError):
            await pull(session, people.nurse, token, 500, secret="another-secret-" + "y" * 32)


def legacy_token(epoch: str, rooms: list[uuid.UUID], secret: str = SECRET) -> str:
    """A cursor as the server made them before the stream position (a version per room)."""
    payload = json.dumps({"e": epoch, "m": 1, "r": {r.hex: 3 for r in rooms}},
                         separators=(",", ":"), sort_keys=True).encode()
    key = hashlib.sha256(b"carebook sync cursor\x00" + secret.encode()).digest()
    mac = hmac.new(key, payload, hashlib.sha256).digest()

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{b64(payload)}.{b64(mac)}"


async def test_an_old_format_cursor_gets_a_clean_reset(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    """A tablet that last synced before the upgrade: the rooms its cursor names are reset (or
    revoked when no longer the user's), everything is served from scratch, no error."""
    await fill(sessionmaker, clock, people, room, 3)
    gone = await open_room(sessionmaker, clock.now(), {people.nurse: Permission.write},
                           patient_name="退院した 患者")
    await leave(sessionmaker, gone.room_id, people.nurse, clock.now())
    async with sessionmaker() as session:
        epoch = await cursors.read_epoch(session) or await cursors.ensure_epoch(session)
    for token_epoch in (epoch, "an-older-epoch"):
        replica = Replica(cursor=legacy_token(token_epoch, [room.room_id, gone.room_id]))
        replica.rooms = {str(room.room_id): {("post", "stale"): {}},
                         str(gone.room_id): {("post", "old"): {}}}
        async with sessionmaker() as session:
            first = await pull(session, people.nurse, replica.cursor, 500, secret=SECRET)
            assert on_wire(first.body)["resetRooms"] == [str(room.room_id)]
            assert on_wire(first.body)["revokedRooms"] == [str(gone.room_id)]
            assert on_wire(first.body)["rooms"][str(room.room_id)]["changes"][0]["type"] == "room"
            replica.apply(on_wire(first.body))
            await pull_all(session, people.nurse, replica)
            expected = await visible_state(session, people.nurse)
        assert replica.rooms == expected
        assert isinstance(cursors.decode(replica.cursor or "", SECRET), cursors.Cursor)


async def test_incremental_pulls_serve_latest_state_once(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    replica = Replica()
    async with sessionmaker() as session:
        await pull_all(session, people.doctor, replica)
        nothing = await pull(session, people.doctor, replica.cursor, 500, secret=SECRET)
    assert on_wire(nothing.body)["rooms"] == {} and nothing.served == []
    first, second = post_args(room), post_args(room)
    await push(sessionmaker, people.nurse, "nurse-1",
               [(1, "post.create", first), (2, "post.create", second)], clock.now())
    await push(sessionmaker, people.nurse, "nurse-1", [
        (3, "post.edit", {"id": first["id"], "baseVersion": 0, "body": "stale"}),
    ], clock.now())
    async with sessionmaker() as session:
        delta = await pull(session, people.doctor, replica.cursor, 500, secret=SECRET)
    changes = on_wire(delta.body)["rooms"][str(room.room_id)]["changes"]
    assert [(c["type"], c["id"], c["op"]) for c in changes] == [
        ("post", first["id"], "put"), ("post", second["id"], "put")]
    replica.apply(on_wire(delta.body))
    version = replica.posts(room.room_id)[first["id"]]["version"]
    edited = await push(sessionmaker, people.nurse, "nurse-1", [
        (4, "post.edit", {"id": first["id"], "baseVersion": version, "body": "一"}),
        (5, "post.edit", {"id": first["id"], "baseVersion": version, "body": "stale"}),
    ], clock.now())
    assert [r.status for r in edited] == ["ok", "conflict"]
    assert edited[1].server_state is not None
    await push(sessionmaker, people.nurse, "nurse-1", [
        (6, "post.edit", {"id": first["id"], "baseVersion": edited[1].server_state.version,
                          "body": "二"}),
        (7, "post.delete", {"id": second["id"]}),
    ], clock.now())
    async with sessionmaker() as session:
        delta = await pull(session, people.doctor, replica.cursor, 500, secret=SECRET)
        replica.apply(on_wire(delta.body))
        expected = await visible_state(session, people.doctor)
    changes = on_wire(delta.body)["rooms"][str(room.room_id)]["changes"]
    assert [(c["id"], c["op"]) for c in changes] == [(first["id"], "put"), (second["id"], "del")]
    assert changes[0]["data"]["body"] == "二"
    assert replica.rooms == expected


async def test_paging_misses_nothing_written_between_pages(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    await fill(sessionmaker, clock, people, room, 8)
    replica = Replica()
    async with sessionmaker() as session:
        first = await pull(session, people.doctor, None, 3, secret=SECRET)
    replica.apply(on_wire(first.body))
    held = set(replica.posts(room.room_id))
    # While the doctor pages, the nurse edits a served post, deletes an unserved one and adds
    # a new one.
    async with sessionmaker() as session:
        expected_before = await visible_state(session, people.doctor)
    posts = {k[1]: v for k, v in expected_before[str(room.room_id)].items() if k[0] == "post"}
    unserved = sorted((p for p in posts if p not in held), key=lambda p: posts[p]["version"])
    mine = [p for p in unserved if posts[p]["authorId"] == str(people.nurse)]
    await push(sessionmaker, people.nurse, "nurse-1", [
        (100, "post.delete", {"id": mine[-1]}),
        (101, "post.create", post_args(room, body="ページング中の投稿")),
        (102, "post.edit", {"id": mine[0], "baseVersion": posts[mine[0]]["version"],
                            "body": "編集済み"}),
    ], clock.now())
    async with sessionmaker() as session:
        await pull_all(session, people.doctor, replica, limit=3)
        expected = await visible_state(session, people.doctor)
    assert replica.rooms == expected
    assert replica.posts(room.room_id)[mine[0]]["body"] == "編集済み"
    assert mine[-1] not in replica.posts(room.room_id)


async def test_non_members_and_admins_get_nothing(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    await fill(sessionmaker, clock, people, room, 3)
    for user_id in (people.outsider, people.admin):
        async with sessionmaker() as session:
            result = await pull(session, user_id, None, 500, secret=SECRET)
        assert on_wire(result.body)["rooms"] == {} and result.served == []
        assert on_wire(result.body)["wipe"] is False


async def test_removed_member_is_revoked_and_never_served_again(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    other = await open_room(sessionmaker, clock.now(), {people.doctor: Permission.write},
                            patient_name="別の 患者")
    replica = Replica()
    async with sessionmaker() as session:
        await pull_all(session, people.doctor, replica)
    assert set(replica.rooms) == {str(room.room_id), str(other.room_id)}
    clock.advance(minutes=1)
    await leave(sessionmaker, room.room_id, people.doctor, clock.now())
    await push(sessionmaker, people.nurse, "nurse-1", [(1, "post.create", post_args(room))],
               clock.now())
    async with sessionmaker() as session:
        result = await pull(session, people.doctor, replica.cursor, 500, secret=SECRET)
    assert on_wire(result.body)["revokedRooms"] == [str(room.room_id)]
    assert str(room.room_id) not in on_wire(result.body)["rooms"]
    replica.apply(on_wire(result.body))
    assert set(replica.rooms) == {str(other.room_id)}
    # Even the old cursor (kept by a stale tab) gets nothing of the room.
    async with sessionmaker() as session:
        again = await pull(session, people.doctor, None, 500, secret=SECRET)
    assert set(on_wire(again.body)["rooms"]) == {str(other.room_id)}
    # The other members see the member leave (a put with leftAt).
    nurse = Replica()
    async with sessionmaker() as session:
        await pull_all(session, people.nurse, nurse)
    doctor_row = next(m for m in nurse.of_type(room.room_id, "member").values()
                      if m["userId"] == str(people.doctor))
    assert doctor_row["leftAt"] is not None
    # Rejoining serves the room from scratch again.
    clock.advance(minutes=1)
    await join(sessionmaker, room.room_id, people.doctor, Permission.read, clock.now())
    async with sessionmaker() as session:
        await pull_all(session, people.doctor, replica)
        expected = await visible_state(session, people.doctor)
    assert replica.rooms == expected and str(room.room_id) in replica.rooms


async def test_new_member_gets_the_room_from_scratch(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    await fill(sessionmaker, clock, people, room, 3)
    replica = Replica()
    async with sessionmaker() as session:
        await pull_all(session, people.outsider, replica)
    assert replica.rooms == {}
    await join(sessionmaker, room.room_id, people.outsider, Permission.write, clock.now())
    async with sessionmaker() as session:
        await pull_all(session, people.outsider, replica, limit=2)
        expected = await visible_state(session, people.outsider)
    assert replica.rooms == expected and len(replica.posts(room.room_id)) == 3


async def test_closed_room_stays_readable(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    replica = Replica()
    async with sessionmaker() as session:
        await pull_all(session, people.nurse, replica)
    await close_room(sessionmaker, room.room_id, clock.now())
    async with sessionmaker() as session:
        result = await pull(session, people.nurse, replica.cursor, 500, secret=SECRET)
    changes = on_wire(result.body)["rooms"][str(room.room_id)]["changes"]
    assert [(c["type"], c["data"]["status"]) for c in changes] == [("room", "closed")]
    assert on_wire(result.body)["revokedRooms"] == []


async def test_stopped_user_and_flagged_device_are_told_to_wipe(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    replica = Replica()
    async with sessionmaker() as session:
        await pull_all(session, people.nurse, replica)
        session.add(Device(device_key="lost-tablet-0001", user_id=people.nurse,
                           wipe_requested_at=clock.now()))
        await session.commit()
        device = await session.scalar(
            Device.__table__.select().with_only_columns(Device.id)
            .where(Device.device_key == "lost-tablet-0001"))
    async with sessionmaker() as session:
        flagged = await pull(session, people.nurse, replica.cursor, 500, secret=SECRET,
                             device_id=device)
        other_device = await pull(session, people.nurse, replica.cursor, 500, secret=SECRET)
    assert on_wire(flagged.body)["wipe"] is True and on_wire(flagged.body)["rooms"] == {}
    assert on_wire(flagged.body)["revokedRooms"] == [str(room.room_id)]
    assert on_wire(other_device.body)["wipe"] is False
    async with sessionmaker() as session:
        await begin_write(session)
        await session.execute(update(User).where(User.id == people.nurse)
                              .values(status=UserStatus.stopped))
        await session.commit()
        stopped = await pull(session, people.nurse, replica.cursor, 500, secret=SECRET)
    assert on_wire(stopped.body)["wipe"] is True and on_wire(stopped.body)["cursor"] is None
    assert stopped.served == []


async def test_a_new_epoch_resets_rooms(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    await fill(sessionmaker, clock, people, room, 3)
    replica = Replica()
    async with sessionmaker() as session:
        await pull_all(session, people.nurse, replica)
        await begin_write(session)
        await cursors.new_epoch(session)
        await session.commit()
        result = await pull(session, people.nurse, replica.cursor, 500, secret=SECRET)
        assert on_wire(result.body)["resetRooms"] == [str(room.room_id)]
        served = on_wire(result.body)["rooms"][str(room.room_id)]["changes"]
        assert served[0]["type"] == "room"  # from scratch
        replica.apply(on_wire(result.body))
        await pull_all(session, people.nurse, replica)
        expected = await visible_state(session, people.nurse)
    assert replica.rooms == expected


async def test_last_mutation_ids_come_with_the_pull(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    await push(sessionmaker, people.nurse, "nurse-tablet", [(7, "post.create",
                                                              post_args(room))], clock.now())
    await push(sessionmaker, people.doctor, "doctor-pc", [(3, "post.create", post_args(room))],
               clock.now())
    async with sessionmaker() as session:
        result = await pull(session, people.nurse, None, 500, secret=SECRET)
    assert on_wire(result.body)["lastMutationIds"] == {"nurse-tablet": 7}


async def test_leaving_and_rejoining_between_pulls_resets_the_room(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    """The doctor's tablet holds the room, the doctor is removed and invited again before it
    pulls: the room is reset and served from scratch, so what was deleted meanwhile goes."""
    await fill(sessionmaker, clock, people, room, 4)
    replica = Replica()
    async with sessionmaker() as session:
        await pull_all(session, people.doctor, replica)
    deleted = next(p for p in replica.posts(room.room_id).values()
                   if p["authorId"] == str(people.nurse))
    clock.advance(minutes=1)
    await leave(sessionmaker, room.room_id, people.doctor, clock.now())
    await push(sessionmaker, people.nurse, "nurse-1", [(50, "post.delete",
                                                         {"id": deleted["id"]})], clock.now())
    await join(sessionmaker, room.room_id, people.doctor, Permission.read, clock.now())
    async with sessionmaker() as session:
        result = await pull(session, people.doctor, replica.cursor, 500, secret=SECRET)
        assert on_wire(result.body)["resetRooms"] == [str(room.room_id)]
        assert on_wire(result.body)["revokedRooms"] == []
        replica.apply(on_wire(result.body))
        await pull_all(session, people.doctor, replica)
        expected = await visible_state(session, people.doctor)
    assert replica.rooms == expected
    assert deleted["id"] not in replica.posts(room.room_id)


async def test_one_limit_pages_across_many_rooms(
    sessionmaker: Any, clock: FrozenClock, people: People, room: RoomIds
) -> None:
    """`limit` bounds a whole answer, not each room: a doctor in many rooms gets them a page
    at a time, and a pass that spans pulls loses nothing written meanwhile."""
    others = [await open_room(sessionmaker, clock.now(), {people.doctor: Permission.write,
                                                          people.nurse: Permission.write},
                              patient_name=f"患者 {i}") for i in range(6)]
    await fill(sessionmaker, clock, people, room, 5)
    replica = Replica()
    async with sessionmaker() as session:
        first = await pull(session, people.doctor, None, 7, secret=SECRET)
    counted = sum(len([c for c in r["changes"] if c["type"] not in ("room", "patient")])
                  for r in on_wire(first.body)["rooms"].values())
    assert counted <= 7 and any(r["hasMore"] for r in on_wire(first.body)["rooms"].values())
    replica.apply(on_wire(first.body))
    await push(sessionmaker, people.nurse, "nurse-1", [
        (20, "post.create", post_args(others[-1], body="ページの合間に")),
        (21, "post.create", post_args(room, body="もう一件")),
    ], clock.now())
    async with sessionmaker() as session:
        pulls = await pull_all(session, people.doctor, replica, limit=7)
        expected = await visible_state(session, people.doctor)
    assert pulls > 3
    assert replica.rooms == expected and len(replica.rooms) == 7
