"""What every `carebook` command shares: settings or a clear refusal, one database session on
a short-lived engine, an upgrade that says what failed. Below both `server/cli.py` and
`server/ops/commands.py`, so neither imports the other's private helpers.

Commands stay thin: they read settings, call one function that does the work and turn its
outcome into output and an exit status (0 done, 1 refused or failed, 2 bad usage or a bad
setting).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable, Mapping
from typing import NoReturn, TypeVar

import click
from sqlalchemy.ext.asyncio import AsyncSession

from . import db
from .settings import Settings, SettingsError, load_settings

T = TypeVar("T")

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def fail(message: str, status: int = 1) -> NoReturn:
    click.echo(f"carebook: {message}", err=True)
    sys.exit(status)


def settings_or_exit(env: Mapping[str, str] | None = None) -> Settings:
    try:
        return load_settings(env)
    except SettingsError as exc:
        fail(str(exc), 2)


def with_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one session on a short-lived engine."""

    async def run() -> T:
        engine = db.create_engine(settings.database)
        try:
            async with db.session_factory(engine)() as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def upgrade_or_exit(settings: Settings, revision: str = "head") -> None:
    from . import migrate  # Alembic: ~9 MiB that only the upgrade needs

    try:
        migrate.upgrade(settings, revision)
    except Exception as exc:  # alembic and driver errors alike: say what failed, not a trace
        fail(f"cannot upgrade the database ({safe_url(settings)}): {exc}")


def upgrade_apart_or_exit(settings: Settings) -> None:
    """Upgrade to head in a forked child, for the processes that then run for days
    (`serve`, `worker`): Alembic and the migration scripts would otherwise stay in their
    memory for good (~9 MiB of each server's peak, docs/benchmarks.md). The child says
    what failed, as `upgrade_or_exit` does; this process exits with its status."""
    if not hasattr(os, "fork"):
        upgrade_or_exit(settings)
        return
    sys.stdout.flush()
    sys.stderr.flush()
    child = os.fork()
    if child == 0:
        status = 1
        try:
            upgrade_or_exit(settings)
            status = 0
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(status)
    _, wait_status = os.waitpid(child, 0)
    status = os.waitstatus_to_exitcode(wait_status)
    if status != 0:
        sys.exit(status if status > 0 else 1)


def safe_url(settings: Settings) -> str:
    """The database URL without its password."""
    url = settings.database.url
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rsplit('@', 1)[-1]}"
