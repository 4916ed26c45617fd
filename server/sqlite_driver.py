"""SQLite through aiosqlite, one trip to the driver's thread per statement.

SQLAlchemy's aiosqlite adapter makes four trips per statement (create a cursor, execute,
fetch all, close), each a queue hand-off to the connection's thread and a wake-up of the
event loop, and under load a fight for the GIL: the largest cost of a small query on SQLite.
`one_hop_statements` swaps the adapter's connection class for one whose cursors run the
whole statement in one trip. It touches SQLAlchemy's private adapter API, so it is applied
only to exactly the class it was written for (SQLAlchemy is pinned to 2.0.x by
requirements.lock); tests/sync/test_request_connections.py counts the statements.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
)


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
            description, rows, lastrowid, rowcount = self.await_(
                aio._execute(_one_hop, aio._conn, operation, parameters)
            )
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

    def cursor(self, server_side: bool = False) -> AsyncAdapt_aiosqlite_cursor:
        if server_side:
            return super().cursor(server_side=True)
        return _OneHopCursor(self)
