"""SECURITY.md 16, 18, 19: every sync route × member / read-only member / non-member / former
member / admin. Only current members get the room's data or pokes; only writers write; an
admin gets no contact-book content even with a membership row; a former member's next pull
revokes the room."""

from __future__ import annotations

from typing import Any

from server.clock import FrozenClock
from server.settings import Settings
from store.models.enums import JobType, Permission, Role
from tests.sync.conftest import Live
from tests.sync.support import EventReader
from tests.sync.world import leave, open_room, uid

ROLES = ["member", "reader", "outsider", "former", "admin"]

# What each route answers each role: pull → whether the room's data comes (or is revoked);
# post.create / receipt.mark → the result status or reason code; events → poked or not.
EXPECTED: dict[str, dict[str, Any]] = {
    "member": {"pull": "data", "post": "ok", "receipt": "ok", "events": True},
    "reader": {"pull": "data", "post": "read_only", "receipt": "ok", "events": True},
    "outsider": {"pull": "nothing", "post": "not_member", "receipt": "not_member",
                 "events": False},
    "former": {"pull": "revoked", "post": "not_member", "receipt": "not_member",
               "events": False},
    "admin": {"pull": "nothing", "post": "not_member", "receipt": "not_member",
              "events": False},
}


async def test_sync_routes_by_role(
    live: Live, sessionmaker: Any, settings: Settings, clock: FrozenClock
) -> None:
    users = {}
    for role in ROLES:
        kwargs: dict[str, Any] = {}
        if role == "admin":
            kwargs = {"role": Role.municipal_admin, "job_type": JobType.city_staff}
        users[role] = await live.user(sessionmaker, settings, clock, f"authz-{role}", **kwargs)
    room = await open_room(sessionmaker, clock.now(), {
        users["member"][0].id: Permission.write,
        users["reader"][0].id: Permission.read,
        users["former"][0].id: Permission.write,
        users["admin"][0].id: Permission.write,  # a mistaken row must not open the book
    })
    cursors = {}
    for role in ROLES:
        first = await users[role][1].post("/api/sync/pull", {"cursor": None})
        assert first.status_code == 200
        cursors[role] = first.json()["cursor"]
    await leave(sessionmaker, room.room_id, users["former"][0].id, clock.now())

    streams = {role: EventReader(users[role][1]) for role in ROLES}
    for stream in streams.values():
        await stream.__aenter__()
        await stream.next(comments=True)
    try:
        for role in ROLES:
            api = users[role][1]
            client_id = f"authz-client-{role}"
            post = {"id": uid(), "roomId": str(room.room_id),
                    "reportTitleId": str(room.titles[0]), "body": f"{role} の投稿"}
            answer = await api.post("/api/sync/push", {"clientId": client_id, "mutations": [
                {"id": 1, "name": "post.create", "args": post},
                {"id": 2, "name": "receipt.mark",
                 "args": {"roomId": str(room.room_id), "upToVersion": 1}},
            ]})
            assert answer.status_code == 200, (role, answer.text)
            got = [r["reason"]["code"] if "reason" in r else r["status"]
                   for r in answer.json()["results"]]
            assert got == [EXPECTED[role]["post"], EXPECTED[role]["receipt"]], role

        for role in ROLES:
            pulled = (await users[role][1].post("/api/sync/pull",
                                                {"cursor": cursors[role]})).json()
            fresh = (await users[role][1].post("/api/sync/pull", {"cursor": None})).json()
            has_data = str(room.room_id) in pulled["rooms"] or str(room.room_id) in fresh["rooms"]
            expected = EXPECTED[role]["pull"]
            if expected == "data":
                assert str(room.room_id) in pulled["rooms"], role
                bodies = [c["data"]["body"] for c in pulled["rooms"][str(room.room_id)]["changes"]
                          if c["type"] == "post"]
                assert bodies == ["member の投稿"], role
            else:
                assert not has_data, role
                assert pulled["revokedRooms"] == (
                    [str(room.room_id)] if expected == "revoked" else []), role

        for role in ROLES:
            events = await streams[role].none_within(0.5)
            poked = any(e.event == "poke" and e.data["roomId"] == str(room.room_id)
                        for e in events)
            assert poked is EXPECTED[role]["events"], (role, events)
    finally:
        for stream in streams.values():
            await stream.__aexit__(None, None, None)
