"""One connection per request (server/request_database.py): the auth middleware and the
handler share one session on one pooled connection; a transaction's options (SQLite's
BEGIN IMMEDIATE, a pull's read-only REPEATABLE READ on PostgreSQL) end with it; the event
stream holds no connection while it waits; a pull that finds nothing runs one query and no
transaction around it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import aiosqlite
import pytest
from litestar import Litestar
from sqlalchemy import event, func, select
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection

from server.clock import FrozenClock
from server.settings import Settings
from store.models import AuditEvent
from store.models.enums import JobType, Permission
from tests.sync.conftest import Live
from tests.sync.support import EventReader, signed_in
from tests.sync.world import RoomIds, open_room, uid


class PoolWatch:
    """Connections the app's engine checks out, the statements it sends and (SQLite) the
    trips to aiosqlite's thread."""

    def __init__(self, app: Litestar) -> None:
        self.engine = app.state.engine.sync_engine
        self.checkouts = 0
        self.open = 0
        self.statements: list[str] = []
        self.trips = 0
        self.pg_transactions: list[str] = []  # isolation of each transaction asyncpg began

    def _checkout(self, *_: Any) -> None:
        self.checkouts += 1
        self.open += 1

    def _checkin(self, *_: Any) -> None:
        self.open -= 1

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.statements.append(statement)

    def reset(self) -> None:
        self.checkouts = 0
        self.statements = []
        self.trips = 0
        self.pg_transactions = []

    def queries(self) -> list[str]:
        """Statements other than BEGIN (which asyncpg sends on its own, unseen here)."""
        return [s for s in self.statements if not s.upper().startswith("BEGIN")]

    @property
    def sqlite(self) -> bool:
        return bool(self.engine.dialect.name == "sqlite")

    def __enter__(self) -> PoolWatch:
        event.listen(self.engine.pool, "checkout", self._checkout)
        event.listen(self.engine.pool, "checkin", self._checkin)
        event.listen(self.engine, "before_cursor_execute", self._statement)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self.engine.pool, "checkout", self._checkout)
        event.remove(self.engine.pool, "checkin", self._checkin)
        event.remove(self.engine, "before_cursor_execute", self._statement)


@pytest.fixture()
def watch(app: Litestar, monkeypatch: pytest.MonkeyPatch) -> Iterator[PoolWatch]:
    with PoolWatch(app) as watching:
        queue = aiosqlite.Connection._execute

        async def counted(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
            # Statements, commits and rollbacks (the tests' pool connects and closes too).
            if getattr(fn, "__name__", "") in {"_one_hop", "commit", "rollback"}:
                watching.trips += 1
            return await queue(self, fn, *args, **kwargs)

        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
        begin = AsyncAdapt_asyncpg_connection._start_transaction

        async def begun(self: Any) -> None:
            if self.isolation_level != "autocommit":
                watching.pg_transactions.append(str(self.isolation_level))
            await begin(self)

        monkeypatch.setattr(AsyncAdapt_asyncpg_connection, "_start_transaction", begun)
        yield watching


def post(room: RoomIds) -> dict[str, Any]:
    return {"id": uid(), "roomId": str(room.room_id), "reportTitleId": str(room.titles[0]),
            "body": "夕方に再訪問します。"}


async def test_pull_and_push_each_use_one_connection_and_an_empty_pull_one_query(
    client: Any, sessionmaker: Any, settings: Settings, clock: FrozenClock, watch: PoolWatch
) -> None:
    nurse, api = await signed_in(client, sessionmaker, settings, clock, "conn-nurse")
    room = await open_room(sessionmaker, clock.now(), {nurse.id: Permission.write})
    await api.refresh_csrf()

    watch.reset()
    first = await api.post("/api/sync/pull", {"cursor": None, "limit": 100})
    assert first.status_code == 200, first.text
    assert first.json()["rooms"], "the first pull serves the room (and audits it)"
    assert (watch.checkouts, watch.open) == (1, 0)

    watch.reset()
    pushed = await api.post("/api/sync/push", {
        "clientId": "conn-tablet", "mutations": [{"id": 1, "name": "post.create",
                                                  "args": post(room)}]})
    assert pushed.status_code == 200, pushed.text
    assert pushed.json()["results"] == [{"id": 1, "status": "ok"}]
    assert (watch.checkouts, watch.open) == (1, 0)

    cursor = first.json()["cursor"]
    caught_up = await api.post("/api/sync/pull", {"cursor": cursor, "limit": 100})
    assert caught_up.status_code == 200
    assert caught_up.json()["lastMutationIds"] == {"conn-tablet": 1}

    watch.reset()
    empty = await api.post("/api/sync/pull", {"cursor": caught_up.json()["cursor"],
                                              "limit": 100})
    assert empty.status_code == 200, empty.text
    body = empty.json()
    assert body["rooms"] == {} and body["lastMutationIds"] == {"conn-tablet": 1}
    assert (watch.checkouts, watch.open) == (1, 0)
    selects = [s for s in watch.queries()
               if s.lstrip().upper().startswith(("SELECT", "WITH"))]  # WITH: a read too
    # One query: who asks comes from the sign-in cache (an earlier request of this session
    # resolved it); the user, the session, the rooms changed and the state in one read.
    assert len(selects) == 1, watch.statements
    # One statement is its own snapshot: no BEGIN and no ROLLBACK around it (SQLite), no
    # transaction at all (PostgreSQL, where asyncpg would begin one unseen by the watch).
    assert watch.statements == selects
    assert watch.pg_transactions == []
    # SQLite: reads never wait for a lock, so they run on the loop's thread, no trip to
    # aiosqlite's; a push makes two, BEGIN IMMEDIATE and COMMIT: its writes, made while it
    # holds the write lock, run on the loop's thread too.
    assert watch.trips == 0
    pushed = await api.post("/api/sync/push", {"clientId": "conn-tablet", "mutations": [
        {"id": 2, "name": "post.create", "args": post(room)}]})
    writes = [s for s in watch.statements
              if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert len(writes) > 2, watch.statements  # the post, the room's version, the audit event …
    assert watch.trips == (2 if watch.sqlite else 0), watch.statements

    # A pull that finds something reads again, in a snapshot of its own: the one-statement
    # read left nothing behind on the request's connection.
    watch.reset()
    changed = await api.post("/api/sync/pull", {"cursor": body["cursor"], "limit": 100})
    assert changed.status_code == 200, changed.text
    assert pushed.json()["results"] == [{"id": 2, "status": "ok"}]
    assert str(room.room_id) in changed.json()["rooms"]
    if watch.sqlite:
        assert watch.statements[0].lstrip().upper().startswith(("SELECT", "WITH"))
        assert watch.statements[1].upper() == "BEGIN", watch.statements
    else:
        assert watch.pg_transactions[0] == "repeatable_read", watch.pg_transactions


async def test_a_transactions_options_end_with_it(
    client: Any, sessionmaker: Any, settings: Settings, clock: FrozenClock, watch: PoolWatch
) -> None:
    """The middleware's write (touching an idle session) and the pull's snapshot and audit
    write run on one connection: each transaction starts as its own code asks."""
    nurse, api = await signed_in(client, sessionmaker, settings, clock, "conn-touch")
    room = await open_room(sessionmaker, clock.now(), {nurse.id: Permission.write})
    await api.refresh_csrf()
    warm = await api.post("/api/sync/pull", {"cursor": None, "limit": 100})  # makes the epoch
    assert warm.status_code == 200, warm.text
    clock.advance(seconds=61)  # the middleware now writes `last_seen_at` first

    watch.reset()
    first = await api.post("/api/sync/pull", {"cursor": None, "limit": 100})
    assert first.status_code == 200, first.text
    assert str(room.room_id) in first.json()["rooms"]
    assert (watch.checkouts, watch.open) == (1, 0)
    async with sessionmaker() as session:  # read-only options leaking would refuse this write
        audited = await session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "sync.pull", AuditEvent.room_id == room.room_id))
    assert audited == 2
    if watch.sqlite:
        begins = [s.upper() for s in watch.statements if s.upper().startswith("BEGIN")]
        # who asks (reader), touch (writer), the pull's snapshot (reader: no write lock
        # although the connection's previous transaction was a writer), its audit (writer)
        assert begins == ["BEGIN", "BEGIN IMMEDIATE", "BEGIN", "BEGIN IMMEDIATE"]


async def test_an_event_stream_holds_no_connection_while_it_waits(
    live: Live, sessionmaker: Any, settings: Settings, clock: FrozenClock, watch: PoolWatch
) -> None:
    nurse, nurse_api = await live.user(sessionmaker, settings, clock, "conn-sse-nurse")
    doctor, doctor_api = await live.user(sessionmaker, settings, clock, "conn-sse-doctor",
                                         job_type=JobType.doctor)
    room = await open_room(sessionmaker, clock.now(), {nurse.id: Permission.write,
                                                       doctor.id: Permission.write})
    async with EventReader(doctor_api) as stream:
        assert stream.response is not None and stream.response.status_code == 200
        assert (await stream.next(comments=True)).comment == "connected"
        assert watch.open == 0
        pushed = await nurse_api.post("/api/sync/push", {
            "clientId": "conn-sse", "mutations": [{"id": 1, "name": "post.create",
                                                   "args": post(room)}]})
        assert pushed.status_code == 200, pushed.text
        poke = await stream.next()
        assert poke.event == "poke" and poke.data["roomId"] == str(room.room_id)
        heartbeat = await stream.next(comments=True)  # the stream re-checks the user
        assert heartbeat.comment == "heartbeat"
        assert watch.open == 0
