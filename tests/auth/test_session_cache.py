"""Signed-in requests are resolved from an in-process cache (server/auth/session_cache.py);
every change of a sign-in reaches it before the next request: a sign-out on another tab, a
wipe order for the device, a session that timed out."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import update

from server.clock import FrozenClock
from server.db import begin_write
from server.models import Device
from server.settings import Settings
from tests.support.api import ApiClient
from tests.sync.conftest import Live
from tests.sync.support import signed_in


def twin(api: ApiClient, http: httpx.AsyncClient) -> ApiClient:
    """The same signed-in browser profile (cookie, device, CSRF token), another tab."""
    other = ApiClient(http, device=api.device, origin=api.origin)
    other.csrf = api.csrf
    return other


async def test_a_sign_out_in_another_tab_ends_the_cached_sign_in(
    live: Live, sessionmaker: Any, settings: Settings, clock: FrozenClock
) -> None:
    _, api = await live.user(sessionmaker, settings, clock, "cache-tabs")
    await api.refresh_csrf()
    for _ in range(3):  # resolved once, then from the cache
        assert (await api.get("/api/me")).status_code == 200
    async with httpx.AsyncClient(base_url=live.url, cookies=api.http.cookies) as http:
        out = await twin(api, http).post("/api/auth/logout")
        assert out.status_code == 200, out.text
    assert (await api.get("/api/me")).status_code == 401
    pulled = await api.post("/api/sync/pull", {"cursor": None})
    assert pulled.status_code in (401, 403)


async def test_a_wipe_order_reaches_a_device_whose_sign_in_is_cached(
    live: Live, sessionmaker: Any, settings: Settings, clock: FrozenClock
) -> None:
    _, api = await live.user(sessionmaker, settings, clock, "cache-wipe")
    assert (await api.get("/api/me")).status_code == 200
    assert (await api.get("/api/me")).status_code == 200
    async with sessionmaker() as session:
        await begin_write(session)
        await session.execute(update(Device).where(Device.device_key == api.device)
                              .values(wipe_requested_at=clock.now()))
        await session.commit()
    answer = await api.get("/api/me")
    assert answer.status_code == 401 and answer.json()["wipe"] is True


async def test_a_cached_sign_in_still_times_out(
    client: Any, sessionmaker: Any, settings: Settings, clock: FrozenClock
) -> None:
    _, api = await signed_in(client, sessionmaker, settings, clock, "cache-idle")
    assert (await api.get("/api/me")).status_code == 200
    clock.advance(seconds=settings.auth.idle_timeout_s + 1)
    assert (await api.get("/api/me")).status_code == 401
