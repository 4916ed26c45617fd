"""Helpers for the operations tests: run the CLI in-process, run a coroutine on a fresh loop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from click.testing import CliRunner, Result
from sqlalchemy.ext.asyncio import AsyncSession

from server import db
from server.cli import carebook
from server.settings import Settings

T = TypeVar("T")


def invoke(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(carebook, list(args), env=env, catch_exceptions=False)


def with_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in a session on an engine of its own, from a synchronous test."""

    async def run() -> T:
        engine = db.create_engine(settings.database)
        try:
            async with db.session_factory(engine)() as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def run(coroutine: Awaitable[T]) -> T:
    async def wrap() -> Any:
        return await coroutine

    result: T = asyncio.run(wrap())
    return result
