"""One HTTP request, one database session on one pooled connection.

The auth middleware opens a `RequestDatabase` for every request and keeps it in the ASGI
scope under `REQUEST_DATABASE_KEY`; the handler's `db_session` dependency (server/app.py)
gets the same session, so a request checks out one connection instead of one per session.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, SessionTransaction

from .db import NO_BEGIN

# Where the auth middleware keeps a request's `RequestDatabase` in the ASGI scope's state.
REQUEST_DATABASE_KEY = "carebook.request_database"


class RequestDatabase:
    """The one session of one HTTP request, on one pooled connection taken at first use.

    Execution options that describe one transaction (`begin_write`, a pull's snapshot)
    would outlive it on a connection the session does not own, so they are reset at the
    end of each transaction.

    The auth middleware resolves the caller with it and the handler's `db_session`
    dependency gets the same session, so a request checks out one connection (and pings
    at most once) instead of one per session. Transactions still begin and end as the
    code says; between them the connection stays with the request, outside any
    transaction, so it holds no lock and no snapshot. The middleware calls `release`
    when the response starts (a streaming response such as the sync event stream then
    holds no connection while it runs) and again, idempotently, when the request ends.
    """

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self._connection: AsyncConnection | None = None
        self._session: AsyncSession | None = None

    async def session(self) -> AsyncSession:
        if self._session is None:
            engine: AsyncEngine = self._sessionmaker.kw["bind"]
            connection = await engine.connect()
            try:
                session = self._sessionmaker(bind=connection, sync_session_class=_OnOneConnection)
            except BaseException:
                await connection.close()
                raise
            self._connection, self._session = connection, session
        return self._session

    async def release(self) -> None:
        """Roll back what is still open, forget the session's objects, return the connection."""
        session, connection = self._session, self._connection
        self._session = self._connection = None
        try:
            if session is not None:
                await session.close()
        finally:
            if connection is not None:
                await connection.close()


class _OnOneConnection(Session):
    """A request's session: bound to the request's connection, which it does not own."""


@event.listens_for(_OnOneConnection, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # Registered once for the class: a listener per session costs more than the pull it
    # serves.
    if transaction.parent is None and isinstance(session.bind, Connection):
        _reset_transaction_options(session.bind)


def _reset_transaction_options(connection: Connection) -> None:
    if connection.closed or connection.in_transaction():
        return
    options = connection.get_execution_options()
    reset: dict[str, Any] = {}
    for option in ("sqlite_immediate", *NO_BEGIN):
        if options.get(option):
            reset[option] = False
    if options.get("postgresql_readonly"):
        reset["postgresql_readonly"] = False
    level = options.get("isolation_level")
    if level is not None and level != connection.default_isolation_level:
        reset["isolation_level"] = connection.default_isolation_level
    if reset:
        connection.execution_options(**reset)
