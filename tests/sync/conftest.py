"""Sync test fixtures: a room with a writer, a second writer, a read-only member, an outsider
and an admin who (by mistake) holds a membership row — the engine must still show them nothing."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
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
from tests.sync.world import RoomIds, add_office, add_user, open_room


@dataclass
class People:
    nurse: uuid.UUID
    doctor: uuid.UUID
    reader: uuid.UUID
    outsider: uuid.UUID
    admin: uuid.UUID


@pytest.fixture()
async def people(sessionmaker: Any) -> People:
    office = await add_office(sessionmaker)
    return People(
        nurse=await add_user(sessionmaker, "nurse", office_id=office, name="看護 花子"),
        doctor=await add_user(sessionmaker, "doctor", job_type=JobType.doctor,
                              office_id=office, name="医師 一郎"),
        reader=await add_user(sessionmaker, "pharmacist", job_type=JobType.pharmacist,
                              name="薬剤 次郎"),
        outsider=await add_user(sessionmaker, "outsider"),
        admin=await add_user(sessionmaker, "admin", role=Role.municipal_admin,
                             job_type=JobType.city_staff),
    )


@pytest.fixture()
async def room(sessionmaker: Any, clock: FrozenClock, people: People) -> RoomIds:
    return await open_room(
        sessionmaker,
        clock.now(),
        {
            people.nurse: Permission.write,
            people.doctor: Permission.write,
            people.reader: Permission.read,
            people.admin: Permission.write,
        },
    )


@dataclass
class Live:
    url: str
    clients: list[httpx.AsyncClient]

    async def user(self, sm: Any, settings: Settings, clock: FrozenClock, login: str,
                   **kwargs: Any) -> tuple[MadeUser, ApiClient]:
        http = httpx.AsyncClient(base_url=self.url, timeout=30)
        self.clients.append(http)
        return await signed_in(http, sm, settings, clock, login, **kwargs)


@pytest.fixture()
async def live(app: Litestar) -> AsyncIterator[Live]:
    """The app behind a real uvicorn (server-sent events need a real server), heartbeat 0.5 s."""
    app.state["sync_heartbeat_s"] = 0.5
    async with serving(app) as url:
        state = Live(url, [])
        try:
            yield state
        finally:
            for http in state.clients:
                await http.aclose()
