"""Fixtures for sign-in tests: an API client that behaves like the PWA, and a made user."""

from __future__ import annotations

from typing import Any

import pytest

from server.clock import FrozenClock
from server.settings import Settings
from tests.factories import MadeUser, make_user
from tests.support.api import ApiClient
from tests.sync.conftest import live  # noqa: F401  (the app behind a real uvicorn)


@pytest.fixture()
def api(client: Any) -> ApiClient:
    return ApiClient(client)


@pytest.fixture()
async def nurse(sessionmaker: Any, settings: Settings, clock: FrozenClock) -> MadeUser:
    return await make_user(sessionmaker, settings, "nurse-hanako", now=clock.now())


@pytest.fixture()
async def admin(sessionmaker: Any, settings: Settings, clock: FrozenClock) -> MadeUser:
    from store.models.enums import JobType, Role

    return await make_user(
        sessionmaker,
        settings,
        "city-admin",
        now=clock.now(),
        role=Role.municipal_admin,
        job_type=JobType.city_staff,
        name="市役所 太郎",
    )
