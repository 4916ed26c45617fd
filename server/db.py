"""Engines and sessions: SQLite gets WAL, foreign keys and a busy timeout at every connect."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

from .settings import DatabaseSettings


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


def _sqlite_begin(conn: Any) -> None:
    # A transaction that will write takes the write lock at BEGIN (see `begin_write`):
    # a deferred one that read first would fail, not wait, when another writer won.
    immediate = conn.get_execution_options().get("sqlite_immediate")
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_engine(settings: DatabaseSettings, *, for_migrations: bool = False) -> AsyncEngine:
    kwargs: dict[str, Any] = {"echo": settings.echo}
    if settings.null_pool:
        kwargs["poolclass"] = NullPool
    elif settings.dialect == "postgresql":
        kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
    engine = create_async_engine(settings.url, **kwargs)
    if settings.dialect == "sqlite" and not for_migrations:
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
    return engine


async def begin_write(session: AsyncSession) -> None:
    """Start the session's transaction as a writer (SQLite: BEGIN IMMEDIATE; no-op elsewhere).

    Call it first in any unit of work that reads and then writes.
    """
    if not session.in_transaction():
        await session.connection(execution_options={"sqlite_immediate": True})


def session_factory(engine: AsyncEngine) -> async_sessionmaker[Any]:
    return async_sessionmaker(engine, expire_on_commit=False)
