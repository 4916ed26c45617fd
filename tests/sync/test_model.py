"""A model-based test of the engine: several clients write offline, push in random
interleavings with pulls, retry batches whose answers were lost, while an admin moves
members in and out of rooms.

After every pull a client's replica must equal what its user may see now (read
straight from the tables); no mutation is ever applied twice; at the end, once every
outbox is flushed, every mutation ever made has been applied exactly once, and revoked
rooms are gone from every replica.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from server import db
from server.clock import FrozenClock
from server.settings import Settings
from store.models.enums import JobType, Permission
from sync.hooks import Hooks, MutationRecord
from sync.push import Mutation, apply_mutations
from tests.sync.world import (
    Replica,
    RoomIds,
    add_office,
    add_user,
    join,
    leave,
    open_room,
    pull_all,
    uid,
    visible_state,
)

EXAMPLES = 25
STEPS = 30


@dataclass
class Client:
    name: str
    user: str
    client_id: str
    replica: Replica = field(default_factory=Replica)
    outbox: list[Mutation] = field(default_factory=list)
    next_id: int = 1
    made: list[int] = field(default_factory=list)


def test_replicas_converge_and_mutations_apply_once(settings: Settings) -> None:
    loop = asyncio.new_event_loop()
    engine = db.create_engine(dataclasses.replace(settings.database, null_pool=False))
    sm = db.session_factory(engine)
    run_number = itertools.count()

    class SyncMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.clock = FrozenClock()
            self.applied: Counter[tuple[str, int]] = Counter()
            self.run(self._arrange(next(run_number)))

        def run(self, coro: Any) -> Any:
            return loop.run_until_complete(coro)

        async def _arrange(self, n: int) -> None:
            office = await add_office(sm)
            self.users = {
                "nurse": await add_user(sm, f"m{n}-nurse", office_id=office),
                "doctor": await add_user(sm, f"m{n}-doctor", job_type=JobType.doctor),
                "helper": await add_user(sm, f"m{n}-helper", job_type=JobType.home_helper),
            }
            now = self.clock.now()
            self.rooms: list[RoomIds] = [
                await open_room(sm, now, {self.users["nurse"]: Permission.write,
                                          self.users["doctor"]: Permission.write,
                                          self.users["helper"]: Permission.read}),
                await open_room(sm, now, {self.users["nurse"]: Permission.write}),
            ]
            self.members = {(r.room_id, u) for u in ("nurse", "doctor", "helper")
                            for r in self.rooms[:1]} | {(self.rooms[1].room_id, "nurse")}
            self.clients = [
                Client("nurse-tablet", "nurse", f"m{n}-nurse-tablet"),
                Client("nurse-pc", "nurse", f"m{n}-nurse-pc"),
                Client("doctor-pc", "doctor", f"m{n}-doctor-pc"),
                Client("helper-phone", "helper", f"m{n}-helper-phone"),
            ]
            # A contact book in use: a few posts and a comment that every client holds.
            for i, (c, room) in enumerate([(0, 0), (2, 0), (1, 1)]):
                target = self.rooms[room]
                self._queue(self.clients[c], "post.create", {
                    "id": uid(), "roomId": str(target.room_id),
                    "reportTitleId": str(target.titles[0]), "body": f"最初の投稿 {i}"})
            for client in self.clients:
                await self._flush(client)
            first = self._known_posts(self.clients[0], own=False)[0]
            self._queue(self.clients[3], "comment.create", {"id": uid(), "postId": first["id"],
                                                            "body": "読みました"})
            self._queue(self.clients[2], "comment.create", {"id": uid(), "postId": first["id"],
                                                            "body": "確認しました"})
            for client in self.clients:
                await self._flush(client)

        async def _flush(self, client: Client) -> None:
            if client.outbox:
                await self._push(client, client.outbox)
                client.outbox = []
            async with sm() as session:
                await pull_all(session, self.users[client.user], client.replica)

        # --- offline writes -------------------------------------------------------------

        def _queue(self, client: Client, name: str, args: dict[str, Any]) -> None:
            client.outbox.append(Mutation(client.next_id, name, args))
            client.made.append(client.next_id)
            client.next_id += 1

        def _known_posts(self, client: Client, own: bool) -> list[dict[str, Any]]:
            me = str(self.users[client.user])
            return [p for room in client.replica.rooms for p in
                    client.replica.posts(room).values() if not own or p["authorId"] == me]

        @rule(c=st.integers(0, 3), room=st.integers(0, 1), wrong_title=st.integers(0, 9),
              urgent=st.booleans(), blank=st.integers(0, 9),
              spo2=st.none() | st.integers(80, 99),
              to=st.lists(st.sampled_from(["nurse", "doctor", "helper"]), max_size=2),
              asks=st.booleans())
        def create_post(self, c: int, room: int, wrong_title: int, urgent: bool,
                        blank: int, spo2: int | None, to: list[str], asks: bool) -> None:
            target = self.rooms[room]
            title = target.titles[0] if wrong_title else self.rooms[1 - room].titles[0]
            extra: dict[str, Any] = {}
            if spo2 is not None:
                extra["vitals"] = {"spo2": spo2}
            if to:  # sometimes oneself, a duplicate or a non-member: refused
                extra["addresseeIds"] = [str(self.users[u]) for u in to]
                extra["asksAnswer"] = asks
            self._queue(self.clients[c], "post.create", {
                "id": uid(), "roomId": str(target.room_id),
                "reportTitleId": str(title), "urgent": urgent,
                "body": "" if blank == 0 else f"投稿 {uuid.uuid4().hex[:6]}", **extra,
            })

        @rule(c=st.integers(0, 3), data=st.data(),
              to=st.lists(st.sampled_from(["nurse", "doctor", "helper"]), max_size=1))
        def create_comment(self, c: int, data: st.DataObject, to: list[str]) -> None:
            client = self.clients[c]
            posts = self._known_posts(client, own=False)
            if not posts:
                return
            post_id = data.draw(st.sampled_from(posts))["id"]
            extra = {"addresseeIds": [str(self.users[u]) for u in to]} if to else {}
            self._queue(client, "comment.create", {"id": uid(), "postId": post_id,
                                                   "body": "コメント", **extra})

        @rule(c=st.integers(0, 3), room=st.integers(0, 1),
              sign=st.sampled_from(["spo2", "pulse", "temperature"]),
              low=st.none() | st.integers(30, 95), high=st.none() | st.integers(90, 140))
        def set_threshold(self, c: int, room: int, sign: str, low: int | None,
                          high: int | None) -> None:
            self._queue(self.clients[c], "threshold.set", {
                "roomId": str(self.rooms[room].room_id), "sign": sign, "low": low,
                "high": high})

        @rule(c=st.integers(0, 3), data=st.data(), done=st.booleans())
        def mark_addressee_done(self, c: int, data: st.DataObject, done: bool) -> None:
            client = self.clients[c]
            rows = [x for room in client.replica.rooms
                    for x in client.replica.of_type(room, "addressee").values()]
            if not rows:
                return
            row = data.draw(st.sampled_from(rows))  # mostly not mine: refused
            self._queue(client, "addressee.done", {"id": row["id"], "done": done})

        @rule(c=st.integers(0, 3), room=st.integers(0, 1), data=st.data(),
              dose=st.sampled_from(["1錠", "2錠", " "]), stop=st.booleans(),
              allergy=st.booleans())
        def set_medication(self, c: int, room: int, data: st.DataObject, dose: str,
                           stop: bool, allergy: bool) -> None:
            """A new line or a change to one the client holds (the helper and the doctor
            outside their rooms are refused; a change to nothing is refused)."""
            client = self.clients[c]
            target = self.rooms[room]
            held = list(client.replica.of_type(target.room_id, "medication").values())
            line = data.draw(st.sampled_from(held)) if held and data.draw(st.booleans()) else None
            args: dict[str, Any] = {
                "id": line["id"] if line else uid(), "postId": uid(),
                "roomId": str(target.room_id),
                "kind": line["kind"] if line else ("allergy" if allergy else "drug"),
                "name": line["name"] if line else "アムロジピン錠5mg", "dose": dose,
                "startedOn": "2026-12-01", "stoppedOn": "2026-12-20" if stop else None,
            }
            self._queue(client, "medication.set", args)

        @rule(c=st.integers(0, 3), data=st.data())
        def delete_medication(self, c: int, data: st.DataObject) -> None:
            client = self.clients[c]
            held = [x for room in client.replica.rooms
                    for x in client.replica.of_type(room, "medication").values()]
            if not held:
                return
            line = data.draw(st.sampled_from(held))
            self._queue(client, "medication.delete", {"id": line["id"], "postId": uid()})

        @rule(c=st.integers(0, 3), room=st.integers(0, 1), up_to=st.integers(0, 200))
        def clear_attention(self, c: int, room: int, up_to: int) -> None:
            self._queue(self.clients[c], "attention.clear",
                        {"roomId": str(self.rooms[room].room_id), "upToVersion": up_to})

        @rule(c=st.integers(0, 3), data=st.data(), unread=st.booleans())
        def mark_unread(self, c: int, data: st.DataObject, unread: bool) -> None:
            client = self.clients[c]
            posts = self._known_posts(client, own=False)
            if not posts:
                return
            post_id = data.draw(st.sampled_from(posts))["id"]
            self._queue(client, "post.markUnread", {"postId": post_id, "unread": unread})

        @rule(c=st.integers(0, 3), data=st.data(), stale=st.integers(0, 4))
        def edit_post(self, c: int, data: st.DataObject, stale: int) -> None:
            client = self.clients[c]
            posts = self._known_posts(client, own=True)
            if not posts:
                return
            post = data.draw(st.sampled_from(posts))
            base = post["version"] - (1 if stale == 0 else 0)
            self._queue(client, "post.edit", {"id": post["id"], "baseVersion": base,
                                              "body": f"編集 {uuid.uuid4().hex[:4]}"})

        @rule(c=st.integers(0, 3), data=st.data(), others=st.integers(0, 4))
        def delete_something(self, c: int, data: st.DataObject, others: int) -> None:
            client = self.clients[c]
            me = str(self.users[client.user])
            comments = [x for room in client.replica.rooms
                        for x in client.replica.of_type(room, "comment").values()]
            own = others > 0  # mostly one's own; sometimes someone else's (refused)
            choices = [("post.delete", p["id"]) for p in self._known_posts(client, own=own)]
            choices += [("comment.delete", x["id"]) for x in comments
                        if (x["authorId"] == me) == own]
            if not choices:
                return
            name, entity_id = data.draw(st.sampled_from(choices))
            self._queue(client, name, {"id": entity_id})

        @rule(c=st.integers(0, 3), room=st.integers(0, 1), up_to=st.integers(0, 200))
        def mark_read(self, c: int, room: int, up_to: int) -> None:
            self._queue(self.clients[c], "receipt.mark",
                        {"roomId": str(self.rooms[room].room_id), "upToVersion": up_to})

        # --- network --------------------------------------------------------------------

        async def _push(self, client: Client, batch: list[Mutation]) -> list[Any]:
            async def done(_session: Any, record: MutationRecord) -> None:
                self.applied[(record.client_id, record.mutation_id)] += 1

            async with sm() as session:
                return await apply_mutations(session, self.users[client.user],
                                             client.client_id, batch, self.clock.now(),
                                             Hooks(mutation_done=done))

        @precondition(lambda self: any(c.outbox for c in self.clients))
        @rule(c=st.integers(0, 3), lost=st.integers(0, 3), size=st.integers(1, 8),
              then_pull=st.booleans(), limit=st.sampled_from([1, 3, 500]))
        def push(self, c: int, lost: int, size: int, then_pull: bool, limit: int) -> None:
            client = self.clients[c]
            batch = client.outbox[:size]
            if batch:
                results = self.run(self._push(client, batch))
                assert [r.id for r in results] == [m.id for m in batch]
                assert all(r.status in {"ok", "conflict", "rejected"} for r in results)
                if lost:  # the answer came back: the outbox lets go of what was answered
                    client.outbox = client.outbox[len(batch):]
            if then_pull:  # as the PWA does after a push
                self.pull(c, limit)

        @rule(c=st.integers(0, 3), limit=st.sampled_from([1, 2, 5, 500]))
        def pull(self, c: int, limit: int) -> None:
            client = self.clients[c]

            async def go() -> tuple[Any, Any]:
                async with sm() as session:
                    await pull_all(session, self.users[client.user], client.replica, limit)
                    return await visible_state(session, self.users[client.user])

            expected = self.run(go())
            assert client.replica.rooms == expected
            for room in self.rooms:
                if (room.room_id, client.user) not in self.members:
                    assert str(room.room_id) not in client.replica.rooms
            server_last = client.replica.last_mutation_ids.get(client.client_id, 0)
            answered = [m for m in client.made if m not in {x.id for x in client.outbox}]
            assert server_last >= max(answered, default=0)

        # --- the admin ------------------------------------------------------------------

        @rule(who=st.sampled_from(["doctor", "helper"]), room=st.integers(0, 1),
              write=st.booleans())
        def toggle_membership(self, who: str, room: int, write: bool) -> None:
            target = self.rooms[room]
            self.clock.advance(seconds=1)
            key = (target.room_id, who)
            if key in self.members:
                self.run(leave(sm, target.room_id, self.users[who], self.clock.now()))
                self.members.discard(key)
            else:
                permission = Permission.write if write else Permission.read
                self.run(join(sm, target.room_id, self.users[who], permission,
                              self.clock.now()))
                self.members.add(key)

        # --- what must always hold ------------------------------------------------------------

        @invariant()
        def nothing_applied_twice(self) -> None:
            assert all(times == 1 for times in self.applied.values()), self.applied

        def teardown(self) -> None:
            for client in self.clients:
                while client.outbox:
                    batch, client.outbox = client.outbox[:50], client.outbox[50:]
                    self.run(self._push(client, batch))
                made = {(client.client_id, m) for m in client.made}
                applied = {key for key in self.applied if key[0] == client.client_id}
                assert applied == made, "a mutation was lost"
                self.pull(self.clients.index(client), 500)
            assert all(times == 1 for times in self.applied.values())

    try:
        run_state_machine_as_test(
            SyncMachine,
            settings=hypothesis_settings(
                max_examples=EXAMPLES,
                stateful_step_count=STEPS,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
                database=None,
            ),
        )
    finally:
        loop.run_until_complete(engine.dispose())
        loop.close()
