"""SQLite through aiosqlite: statements that can wait go to the driver's thread in one trip;
reads, which cannot, run on the event loop's thread with no trip at all.

SQLAlchemy's aiosqlite adapter makes four trips per statement (create a cursor, execute,
fetch all, close), each a queue hand-off to the connection's thread and a wake-up of the
event loop, and under load a fight for the GIL: the largest cost of a small query on SQLite.
`one_hop_statements` swaps the adapter's connection class for one whose cursors run the
whole statement in one trip.

A read costs microseconds and, in WAL mode, never waits for a lock: for it even one trip
(two thread switches, a self-pipe write and an event-loop wake-up, tens to hundreds of
microseconds on a busy machine) costs more than the statement. So SELECTs, a deferred BEGIN
and ROLLBACK run right on the loop's thread (`_runs_inline`); what can wait — BEGIN
IMMEDIATE (another process's write lock, up to the busy timeout) and COMMIT (WAL frames
written, and a checkpoint may fsync) — still goes to the driver's thread, so a wait never
stalls the loop. INSERT, UPDATE and DELETE inside a transaction that BEGIN IMMEDIATE opened
run on the loop's thread too: the write lock is held, so they wait for nothing, and they
only change pages in the connection's cache. Each trip costs the trip's statement little
and the request a lot under load: the loop is busy with other requests, the driver thread
waits for the GIL at every hand-off, and a post of ten writes took ~700 ms while 50 clients
pulled (docs/benchmarks.md); now it makes two trips, BEGIN IMMEDIATE and COMMIT.
The connection is opened with `check_same_thread=False` (`server/db.py`); SQLAlchemy never
runs two statements of one connection at once, so the two threads take turns.

It touches SQLAlchemy's private adapter API, so it is applied only to exactly the class it
was written for (SQLAlchemy is pinned to 2.0.x by requirements.lock);
tests/sync/test_request_connections.py counts the statements and the trips.
"""

from __future__ import annotations

import sqlite3
import weakref
from collections import deque
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
)

# Statements that never wait for a lock or a disk flush (WAL mode): run on the loop's thread.
_INLINE = ("SELECT", "WITH", "ROLLBACK")
# Writes, once the transaction holds the write lock (BEGIN IMMEDIATE went through): they
# change pages in this connection's cache, and WAL frames are written only at COMMIT.
_WRITES = ("INSERT", "UPDATE", "DELETE")
_BEGIN_IMMEDIATE = "BEGIN IMMEDIATE"

# The aiosqlite connections whose open transaction began with BEGIN IMMEDIATE (weakly
# held; a connection leaves when its transaction ends).
_HOLDING_WRITE_LOCK: weakref.WeakSet[Any] = weakref.WeakSet()


def _runs_inline(operation: str, connection: Any = None) -> bool:
    head = operation.lstrip()[:8].upper()
    if head.startswith(_INLINE) or head.rstrip() == "BEGIN":
        return True
    return (head.startswith(_WRITES) and connection is not None
            and connection in _HOLDING_WRITE_LOCK and connection._conn.in_transaction)


def one_hop_statements(dbapi_connection: Any) -> None:
    """Make this (new) aiosqlite connection execute each statement in one trip."""
    if type(dbapi_connection) is AsyncAdapt_aiosqlite_connection:
        dbapi_connection.__class__ = _OneHopConnection


def _one_hop(
    connection: sqlite3.Connection, operation: str, parameters: Any
) -> tuple[Any, list[Any] | None, int | None, int]:
    # Runs in aiosqlite's thread: the whole statement, its rows and its counts at once.
    cursor = connection.cursor()
    try:
        if parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else None
        return description, rows, cursor.lastrowid, cursor.rowcount
    finally:
        cursor.close()


async def _on_this_thread(fn: Any, *args: Any) -> Any:
    """Run `fn` right here, on the loop's thread. Awaited through SQLAlchemy's `await_`, so
    its async API sees the awaitable it requires (`AsyncConnection.execute` insists on one);
    the coroutine completes without yielding to the event loop: two greenlet switches."""
    return fn(*args)


class _OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """SQLAlchemy's aiosqlite cursor, executing a statement in one trip to aiosqlite's thread.

    The stock adapter makes four (create a cursor, execute, fetch all, close), each a
    queue hand-off to the connection's thread and a wake-up of the event loop, and under
    load a fight for the GIL: the largest cost of a small query on SQLite. Same results,
    same errors (raised by the same sqlite3 calls, mapped by the same `_handle_exception`).
    """

    __slots__ = ()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        try:
            aio = self._connection
            result: Any
            if _runs_inline(operation, aio):
                result = self.await_(_on_this_thread(_one_hop, aio._conn, operation, parameters))
            else:
                result = self.await_(aio._execute(_one_hop, aio._conn, operation, parameters))
                if operation.lstrip().upper().startswith(_BEGIN_IMMEDIATE):
                    _HOLDING_WRITE_LOCK.add(aio)
            description, rows, lastrowid, rowcount = result
            if description:
                self.description = description
                self.lastrowid = self.rowcount = -1
                self._rows = deque(rows or ())
            else:
                self.description = None
                self.lastrowid = lastrowid
                self.rowcount = rowcount
        except Exception as error:
            self._adapt_connection._handle_exception(error)


class _OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()

    def rollback(self) -> None:
        # Discarding a transaction never waits (WAL mode): on the loop's thread, no trip.
        _HOLDING_WRITE_LOCK.discard(self._connection)
        try:
            self.await_(_on_this_thread(self._connection._conn.rollback))
        except Exception as error:
            self._handle_exception(error)

    def commit(self) -> None:
        # COMMIT writes the WAL frames (and may checkpoint): on aiosqlite's thread.
        _HOLDING_WRITE_LOCK.discard(self._connection)
        super().commit()

    def cursor(self, server_side: bool = False) -> AsyncAdapt_aiosqlite_cursor:
        if server_side:
            return super().cursor(server_side=True)
        return _OneHopCursor(self)
