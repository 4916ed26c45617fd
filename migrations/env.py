"""Alembic environment: async engine, batch mode on SQLite, foreign keys left off."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from server.db import create_engine
from server.settings import DatabaseSettings
from store.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from server.settings import load_settings

        url = load_settings().database.url
    return url


# Search objects made by hand in revision 0003_search, unknown to the models: the SQLite
# FTS5 table, its shadow and key tables, and the PostgreSQL trigram index.
_UNMANAGED_PREFIX = "post_fts"
_UNMANAGED_INDEXES = {"ix_post_body_trgm"}


def _include_name(name: str | None, type_: str, _parents: object) -> bool:
    if type_ == "table" and name is not None and name.startswith(_UNMANAGED_PREFIX):
        return False
    return not (type_ == "index" and name in _UNMANAGED_INDEXES)


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_engine(DatabaseSettings(url=_url()), for_migrations=True)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_configure)
    finally:
        await engine.dispose()


def _run_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=_url().startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    _run_offline()
else:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
    else:
        asyncio.run(_run_online())
