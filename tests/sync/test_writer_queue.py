"""SQLite writers of one process queue on an asyncio lock in `begin_write` (server/db.py): in
arrival order, and the lock is given back however the transaction ends — commit, rollback,
close, an error inside it. On PostgreSQL `begin_write` takes no lock at all."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from server import db
from store.writer import WRITER_QUEUE_S, begin_write


def is_sqlite(sessionmaker: Any) -> bool:
    return bool(sessionmaker.kw["bind"].dialect.name == "sqlite")


async def test_sqlite_writers_enter_one_at_a_time_in_arrival_order(sessionmaker: Any) -> None:
    """SQLite: in arrival order, one at a time. PostgreSQL: no queue in the process (row locks
    order writers there), so these writers, which lock no row, overlap."""
    order: list[int] = []
    inside = 0
    most_inside = 0

    async def writer(i: int) -> None:
        nonlocal inside, most_inside
        async with sessionmaker() as session:
            await begin_write(session)
            order.append(i)
            inside += 1
            most_inside = max(most_inside, inside)
            await session.execute(text("SELECT 1"))
            await asyncio.sleep(0.02)  # holds the write lock across awaits, like a mutation
            inside -= 1
            await session.commit()

    tasks = []
    for i in range(5):
        tasks.append(asyncio.create_task(writer(i)))
        await asyncio.sleep(0.005)  # arrive one after the other
    await asyncio.gather(*tasks)
    assert sorted(order) == [0, 1, 2, 3, 4]
    if is_sqlite(sessionmaker):
        assert order == [0, 1, 2, 3, 4]
        assert most_inside == 1
    else:
        assert most_inside > 1


@pytest.mark.parametrize("ending", ["commit", "rollback", "close", "error"])
async def test_the_lock_is_given_back_however_the_transaction_ends(
    sessionmaker: Any, ending: str
) -> None:
    session = sessionmaker()
    try:
        await begin_write(session)
        holds = session.info.get("carebook_writer_lock")
        if is_sqlite(sessionmaker):
            assert holds is not None and holds.locked()
        else:
            assert holds is None  # PostgreSQL orders writers by row locks
        if ending == "commit":
            await session.commit()
        elif ending == "rollback":
            await session.rollback()
        elif ending == "error":
            with pytest.raises(DBAPIError):
                await session.execute(text("SELECT * FROM no_such_table"))
            await session.rollback()
    finally:
        await session.close()
    # The next writer gets in at once (a lock never given back would hold it for
    # WRITER_QUEUE_S = 10 s before it went on without).
    started = time.perf_counter()
    async with sessionmaker() as other:
        await begin_write(other)
        await other.execute(text("SELECT 1"))
        await other.commit()
    assert time.perf_counter() - started < 2.0
    assert "carebook_writer_lock" not in other.info


async def test_a_writer_never_holds_the_queue_while_it_waits_for_a_connection(
    tmp_path: Any,
) -> None:
    """SQLite: a writer takes its pooled connection before it queues. The other way round, a
    writer with a session of its own (the push worker) held the queue while it waited for a
    connection that requests waiting in the queue held: every write stalled for
    `WRITER_QUEUE_S`. Here the pool has two connections and a request keeps one throughout."""
    engine = create_async_engine(
        f"sqlite+aiosqlite:///{tmp_path / 'writers.sqlite3'}", pool_size=2, max_overflow=0,
        connect_args={"check_same_thread": False},
    )
    event.listen(engine.sync_engine, "connect", db._sqlite_on_connect)
    event.listen(engine.sync_engine, "begin", db._sqlite_begin)
    try:
        async with engine.begin() as connection:
            await connection.exec_driver_sql("CREATE TABLE written (who TEXT)")
        first_in = asyncio.Event()
        second_request_done = asyncio.Event()

        async def write(session: AsyncSession, who: str) -> None:
            await begin_write(session)
            await session.execute(text("INSERT INTO written VALUES (:who)"), {"who": who})

        async def request_holding_its_connection() -> None:
            async with engine.connect() as connection:
                session = AsyncSession(bind=connection)
                await write(session, "request")
                first_in.set()
                await asyncio.sleep(0.2)  # the worker and the second request arrive
                await session.commit()
                await session.close()
                await second_request_done.wait()  # its connection stays taken till then

        async def worker_with_a_session_of_its_own() -> None:
            await first_in.wait()
            async with AsyncSession(engine) as session:
                await write(session, "worker")
                await session.commit()

        async def second_request() -> None:
            await first_in.wait()
            await asyncio.sleep(0.05)  # after the worker
            async with engine.connect() as connection:
                session = AsyncSession(bind=connection)
                await write(session, "second request")
                await session.commit()
                await session.close()
            second_request_done.set()

        await asyncio.wait_for(asyncio.gather(
            request_holding_its_connection(), worker_with_a_session_of_its_own(),
            second_request()), timeout=WRITER_QUEUE_S / 2)
        async with engine.connect() as connection:
            rows = (await connection.exec_driver_sql("SELECT who FROM written")).all()
        assert [row.who for row in rows] == ["request", "worker", "second request"]
    finally:
        await engine.dispose()
