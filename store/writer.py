"""The writers' queue: every unit of work that reads and then writes starts with `begin_write`.

On SQLite one process's writers wait their turn on an asyncio lock before BEGIN IMMEDIATE;
on PostgreSQL `begin_write` only opens the transaction. The lock is let go when the
session's transaction ends (a listener on every Session)."""

from __future__ import annotations

import asyncio
import logging
import weakref

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger("carebook.db")


async def begin_write(session: AsyncSession) -> None:
    """Start the session's transaction as a writer (SQLite: BEGIN IMMEDIATE; no-op elsewhere).

    Call it first in any unit of work that reads and then writes.

    On SQLite one process's writers also queue, in order, on an asyncio lock before BEGIN
    IMMEDIATE (released when the transaction ends): waiting inside SQLite's busy handler
    means sleeping in growing steps (up to 100 ms each) on a driver thread while the lock
    may long be free, which made the tail of concurrent pushes seconds long. Other
    processes (a separate `carebook worker`) still meet SQLite's own lock and busy timeout,
    and a lock not free within `WRITER_QUEUE_S` is not waited for any longer here.

    The session takes its pooled connection **before** it queues (no BEGIN is sent yet:
    `BEGIN_BY_HAND`), then sends BEGIN IMMEDIATE itself. The other way round, a writer with
    a session of its own (the push worker, the scheduler) held the lock while it waited for
    a connection, and every connection could be held by requests waiting for the lock: at
    200 clients that stalled every write for `WRITER_QUEUE_S`.
    """
    if session.in_transaction():
        return
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        await session.connection()
        return
    connection = await session.connection(execution_options={BEGIN_BY_HAND: True})
    lock = _writer_lock(bind.engine)
    try:
        await asyncio.wait_for(lock.acquire(), WRITER_QUEUE_S)
    except TimeoutError:
        log.warning("waited %ss for this process's SQLite writers; going on", WRITER_QUEUE_S)
    else:
        session.info[_WRITER_LOCK] = lock
    try:
        await connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        await session.rollback()  # ends SQLAlchemy's transaction and gives the lock back
        raise


# The execution option that makes the SQLite BEGIN hook (server/db.py) send nothing:
# `begin_write` sends BEGIN IMMEDIATE itself once its turn has come.
BEGIN_BY_HAND = "carebook_begin_by_hand"
WRITER_QUEUE_S = 10.0  # as long as SQLite's busy_timeout
_WRITER_LOCK = "carebook_writer_lock"
_WRITER_LOCKS: weakref.WeakKeyDictionary[Engine, dict[asyncio.AbstractEventLoop, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def _writer_lock(engine: Engine) -> asyncio.Lock:
    # One per engine and event loop: an asyncio lock belongs to the loop it first waited in.
    locks = _WRITER_LOCKS.setdefault(engine, {})
    loop = asyncio.get_running_loop()
    lock = locks.get(loop)
    if lock is None:
        for stale in [other for other in locks if other.is_closed()]:
            del locks[stale]
        lock = locks[loop] = asyncio.Lock()
    return lock


def _release_writer_lock(session: Session) -> None:
    lock: asyncio.Lock | None = session.info.pop(_WRITER_LOCK, None)
    if lock is not None and lock.locked():
        lock.release()


@event.listens_for(Session, "after_transaction_end")
def _writer_done(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        _release_writer_lock(session)

