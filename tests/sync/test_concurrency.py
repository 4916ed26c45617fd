"""Concurrent writers and a continuously pulling reader: the reader sees every post exactly
once and its final cursor is complete. This is what catches id- or timestamp-based cursors
(a row with a lower id or time committing after a higher one is read).

On PostgreSQL: 8 writers × 300 posts into a shared room and rooms of their own at once.
On SQLite (one writer at a time anyway) the same with 8 × 40.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
from collections import Counter

from sqlalchemy import select

from server import db
from server.clock import FrozenClock
from server.settings import Settings
from store.models import Room, SyncStream
from store.models.enums import Permission
from sync import cursor as cursors
from sync.pull import pull
from sync.push import Mutation, apply_mutations
from tests.sync.world import SECRET, add_user, on_wire, open_room, uid

POSTGRES = bool(os.environ.get("CAREBOOK_TEST_DATABASE_URL"))
WRITERS = 8
POSTS = 300 if POSTGRES else 40
BATCH = 10


async def test_a_pulling_reader_sees_every_post_exactly_once(
    settings: Settings, clock: FrozenClock
) -> None:
    engine = db.create_engine(dataclasses.replace(settings.database, null_pool=False))
    sm = db.session_factory(engine)
    try:
        reader = await add_user(sm, "reader")
        writers = [await add_user(sm, f"writer-{i}") for i in range(WRITERS)]
        everyone = {w: Permission.write for w in writers} | {reader: Permission.read}
        shared = await open_room(sm, clock.now(), everyone)
        own = [await open_room(sm, clock.now(), {w: Permission.write, reader: Permission.read})
               for w in writers]
        made: list[str] = []
        done = asyncio.Event()

        async def write(i: int) -> None:
            mutation_id = 0
            for start in range(0, POSTS, BATCH):
                batch = []
                for n in range(start, min(start + BATCH, POSTS)):
                    room = shared if n % 2 == 0 else own[i]
                    mutation_id += 1
                    args = {"id": uid(), "roomId": str(room.room_id),
                            "reportTitleId": str(room.titles[0]), "body": f"w{i} p{n}"}
                    made.append(args["id"])
                    batch.append(Mutation(mutation_id, "post.create", args))
                async with sm() as session:
                    results = await apply_mutations(session, writers[i], f"writer-client-{i}",
                                                    batch, clock.now())
                assert all(r.status == "ok" for r in results), results

        seen: Counter[str] = Counter()
        pulls = 0

        async def read() -> str | None:
            nonlocal pulls
            token: str | None = None
            while True:
                finished = done.is_set()
                async with sm() as session:
                    result = await pull(session, reader, token, 100, secret=SECRET)
                pulls += 1
                token = on_wire(result.body)["cursor"]
                for served in on_wire(result.body)["rooms"].values():
                    for change in served["changes"]:
                        if change["type"] == "post":
                            assert change["op"] == "put"
                            seen[change["id"]] += 1
                more = any(r["hasMore"] for r in on_wire(result.body)["rooms"].values())
                if finished and not more:
                    return token
                if not more:
                    await asyncio.sleep(0)

        reader_task = asyncio.create_task(read())
        await asyncio.gather(*(write(i) for i in range(WRITERS)))
        done.set()
        token = await reader_task

        assert len(made) == WRITERS * POSTS
        assert set(seen) == set(made), "the reader missed posts"
        assert all(count == 1 for count in seen.values()), "the reader saw a post twice"
        assert pulls > 3  # it really read while the writers wrote
        # The final cursor is complete: no pass left half done, and its stream position is
        # the head of the stream, at or after every room's last change.
        assert token is not None
        final = cursors.decode(token, SECRET)
        assert isinstance(final, cursors.Cursor) and final.progress is None
        async with sm() as session:
            head = await session.scalar(select(SyncStream.position))
            changed = {row.id: row.changed_position for row in await session.execute(
                select(Room.id, Room.changed_position).where(
                    Room.id.in_([shared.room_id, *(r.room_id for r in own)])))}
        assert final.position == head
        assert len(changed) == WRITERS + 1 and max(changed.values()) <= final.position
        async with sm() as session:
            nothing = await pull(session, reader, token, 100, secret=SECRET)
        assert on_wire(nothing.body)["rooms"] == {}
    finally:
        await engine.dispose()
