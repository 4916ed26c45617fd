"""Engines and sessions: SQLite gets WAL, foreign keys and a busy timeout at every connect;
writers begin with `store.writer.begin_write`. A request's one session is in
`request_database.py`."""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry, NullPool, PoolProxiedConnection

from store.one_statement import ONE_STATEMENT
from store.writer import BEGIN_BY_HAND

from . import sqlite_driver
from .settings import DatabaseSettings

log = logging.getLogger("carebook.db")

# A pooled PostgreSQL connection idle for longer than this is pinged before use (see
# `_ping_if_idle`); one in steady use is not.
PING_IF_IDLE_S = 30.0
# PostgreSQL connections are replaced after this long, whatever their use, so that server-side
# or proxy idle limits and slow leaks in a backend never meet a connection we still trust.
RECYCLE_S = 1800
# Execution options under which the SQLite BEGIN hook sends nothing (see `_sqlite_begin`).
NO_BEGIN = (ONE_STATEMENT, BEGIN_BY_HAND)
# PostgreSQL connections a process may open beyond its pool: none (see `create_engine`).
POOL_OVERFLOW = 0


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys only here, never in the migration environment: batch rebuilds
    # with foreign keys on would delete child rows.
    # Let SQLAlchemy, not pysqlite, decide where transactions begin, so that a
    # read-only transaction is a real snapshot too.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    sqlite_driver.one_hop_statements(dbapi_connection)


def _sqlite_begin(conn: Any) -> None:
    # A transaction that will write takes the write lock at BEGIN (see `begin_write`):
    # a deferred one that read first would fail, not wait, when another writer won.
    # Two callers send no BEGIN here: a one-statement read needs none
    # (store/one_statement.py), and `begin_write` sends BEGIN IMMEDIATE once its turn came.
    options = conn.get_execution_options()
    if any(options.get(option) for option in NO_BEGIN):
        return
    conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("sqlite_immediate") else "BEGIN")


def _mark_idle(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info["carebook_idle_since"] = time.monotonic()


def _ping_if_idle(
    dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
) -> None:
    """Ping a PostgreSQL connection at checkout only when it sat idle in the pool for a while.

    `pool_pre_ping` pings at every checkout: three round trips (BEGIN, ";", ROLLBACK) before
    each request's first query, the largest share of an empty pull. Connections go stale
    when the server restarts, or a proxy or `idle_session_timeout` drops them while they
    sit unused; a connection handed back moments ago is as good as the last query proved
    it. So only connections idle for `PING_IF_IDLE_S` are pinged (the pool is LIFO, so a
    busy server keeps reusing warm ones), every connection is recycled after `RECYCLE_S`,
    and a connection that dies while busy fails its request, which makes SQLAlchemy
    invalidate it and every older pooled connection (they are replaced at their next
    checkout). A failed ping discards the connection and the pool connects afresh.
    """
    since = record.info.get("carebook_idle_since")
    if since is None or time.monotonic() - since < PING_IF_IDLE_S:
        return
    try:
        dbapi_connection.ping()
    except Exception as error:
        raise exc.DisconnectionError("stale pooled connection") from error


def create_engine(settings: DatabaseSettings, *, for_migrations: bool = False) -> AsyncEngine:
    kwargs: dict[str, Any] = {"echo": settings.echo}
    if settings.dialect == "sqlite" and not for_migrations:
        # Reads run on the event loop's thread, the rest on aiosqlite's (sqlite_driver.py).
        kwargs["connect_args"] = {"check_same_thread": False}
    if settings.null_pool:
        kwargs["poolclass"] = NullPool
    elif settings.dialect == "postgresql":
        # Kept connections only: an overflow connection is closed when it comes back to a
        # pool with room idle, and under 50-200 clients that meant ~30-50 new database
        # backends a second (a fork, asyncpg's type introspection, every statement prepared
        # again), which cost the database more than the pulls did. Past the pool, requests
        # wait for a connection in turn (the server's CPU is the limit by then anyway).
        kwargs.update(pool_size=settings.pool_size, max_overflow=POOL_OVERFLOW,
                      pool_recycle=RECYCLE_S, pool_use_lifo=True)
    engine = create_async_engine(settings.url, **kwargs)
    if settings.dialect == "sqlite" and not for_migrations:
        # A SQLite file connection does not go stale: no ping, no recycling.
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
    if settings.dialect == "postgresql" and not settings.null_pool:
        event.listen(engine.sync_engine.pool, "checkin", _mark_idle)
        event.listen(engine.sync_engine.pool, "checkout", _ping_if_idle)
    return engine


async def refresh_planner_statistics(engine: AsyncEngine, *, closing: bool = False) -> None:
    """SQLite: give the query planner statistics (no-op on PostgreSQL, whose autovacuum does).

    Without `sqlite_stat1` SQLite guesses that an equality on any index column selects ~10
    rows, and may walk a room's whole (room_id, version) index where a primary key lookup
    would do: with 100,000 posts in one room that was ~30 ms instead of 0.1 ms per query.
    At start: ANALYZE, bounded by `analysis_limit` (a sample of each index, milliseconds
    even for large tables). At close: `PRAGMA optimize`, SQLite's own advice for a
    connection that ends, which re-analyzes the tables whose size changed much.
    """
    if engine.dialect.name != "sqlite":
        return
    async with engine.connect() as connection:
        await connection.execution_options(sqlite_immediate=True)
        async with connection.begin():
            await connection.exec_driver_sql("PRAGMA analysis_limit=1000")
            await connection.exec_driver_sql("PRAGMA optimize" if closing else "ANALYZE")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[Any]:
    return async_sessionmaker(engine, expire_on_commit=False)
