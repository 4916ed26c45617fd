"""Fixtures for the operations tests: signed-in clients of each kind, and a room to post in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar import Litestar

from server.clock import FrozenClock
from server.settings import Settings
from store.models.enums import JobType, Permission, Role
from tests.factories import MadeUser
from tests.support.api import ApiClient
from tests.sync.support import serving, signed_in
from tests.sync.world import RoomIds, open_room


def second_http(client: Any) -> Any:
    """Another test client on the same app, with a cookie jar of its own."""
    return client.__class__(client.app, base_url=str(client.base_url))


@pytest.fixture()
async def member(
    client: Any, sessionmaker: Any, settings: Settings, clock: FrozenClock
) -> tuple[MadeUser, ApiClient]:
    return await signed_in(client, sessionmaker, settings, clock, "nurse-ops")


@pytest.fixture()
async def room(
    sessionmaker: Any, clock: FrozenClock, member: tuple[MadeUser, ApiClient]
) -> RoomIds:
    return await open_room(sessionmaker, clock.now(), {member[0].id: Permission.write})


@pytest.fixture()
async def operator(
    client: Any, sessionmaker: Any, settings: Settings, clock: FrozenClock
) -> AsyncIterator[tuple[MadeUser, ApiClient]]:
    """The system operator (システム管理者), signed in in a client of its own."""
    async with second_http(client) as http:
        yield await signed_in(http, sessionmaker, settings, clock, "operator-ops",
                              role=Role.operator, job_type=JobType.city_staff)


class Live:
    """The app behind a real uvicorn in the test's loop (event streams need a real server)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.clients: list[httpx.AsyncClient] = []

    async def user(
        self, sm: Any, settings: Settings, clock: FrozenClock, login: str, **kwargs: Any
    ) -> tuple[MadeUser, ApiClient]:
        http = httpx.AsyncClient(base_url=self.url, timeout=30)
        self.clients.append(http)
        return await signed_in(http, sm, settings, clock, login, **kwargs)


@pytest.fixture()
async def live(app: Litestar) -> AsyncIterator[Live]:
    app.state["sync_heartbeat_s"] = 0.5
    async with serving(app) as url:
        state = Live(url)
        try:
            yield state
        finally:
            for http in state.clients:
                await http.aclose()
