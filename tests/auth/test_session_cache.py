"""Signed-in requests are resolved from an in-process cache (server/auth/session_cache.py);
every change of a sign-in reaches it before the next request: a sign-out on another tab, a
wipe order for the device, a session that timed out, a lock. And a cached sign-in is held to
the request contract (docs/api/requests.md) exactly like a fresh one: its own device, the
unlock proof."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import httpx
from litestar import Litestar
from sqlalchemy import select, update

from server.clock import FrozenClock
from server.settings import Settings
from store.models import Device, UserSession
from store.writer import begin_write
from tests.support.api import ApiClient
from tests.sync.conftest import Live
from tests.sync.support import signed_in
from tests.sync.test_request_connections import PoolWatch


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


async def test_a_due_heartbeat_is_written_once_however_many_requests_are_in_flight(
    live: Live, app: Litestar, sessionmaker: Any, settings: Settings, clock: FrozenClock
) -> None:
    """A minute after the last heartbeat every request in flight on a sign-in finds it due;
    one writes it and the others are answered meanwhile. (Each writing it queued 50 writes
    ahead of every post on SQLite, with 50 clients on one sign-in.)"""
    user, api = await live.user(sessionmaker, settings, clock, "heartbeat-once")
    assert (await api.get("/api/me")).status_code == 200  # resolved, then cached
    clock.advance(seconds=61)
    with PoolWatch(app) as watch:
        answers = await asyncio.gather(*(api.get("/api/me") for _ in range(20)))
    assert [a.status_code for a in answers] == [200] * 20
    heartbeats = [s for s in watch.statements
                  if s.lstrip().upper().startswith("UPDATE USER_SESSION")]
    assert len(heartbeats) == 1, heartbeats
    async with sessionmaker() as session:
        seen = await session.scalar(
            select(UserSession.last_seen_at).where(UserSession.user_id == user.id))
    assert seen == clock.now()


# --- issue 13, item 1: a cached sign-in is held to the request contract like a fresh one ------


async def test_a_cached_sign_in_is_refused_without_the_unlock_proof_and_reads_nothing(
    client: Any, app: Litestar, sessionmaker: Any, settings: Settings, clock: FrozenClock
) -> None:
    _, api = await signed_in(client, sessionmaker, settings, clock, "cache-proof")
    for _ in range(2):  # resolved once, then from the cache
        assert (await api.get("/api/me")).status_code == 200
    proof = api.unlock
    with PoolWatch(app) as watch:
        for presented in [None, secrets.token_urlsafe(32)]:  # a locked app; a guessed secret
            api.unlock = presented
            answer = await api.get("/api/me")
            assert answer.status_code == 401 and answer.json()["error"] == "unlock_required"
        # Decided from the cache (not one query), and still refused.
        assert watch.queries() == []
    api.unlock = proof
    assert (await api.get("/api/me")).status_code == 200


async def test_a_cached_sign_in_answers_only_its_own_device(
    client: Any, sessionmaker: Any, settings: Settings, clock: FrozenClock
) -> None:
    # Another user's registered device first: the test client keeps one cookie jar, and the
    # sign-in after it holds the cookie from then on.
    _, elsewhere = await signed_in(client, sessionmaker, settings, clock, "cache-elsewhere")
    _, api = await signed_in(client, sessionmaker, settings, clock, "cache-device")
    for _ in range(2):
        assert (await api.get("/api/me")).status_code == 200
    own = api.device
    # Another registered device, a made-up id: refused, with the proof and the cookie.
    for device in [elsewhere.device, secrets.token_urlsafe(16)]:
        api.device = device
        answer = await api.get("/api/me")
        assert answer.status_code == 401 and answer.json()["error"] == "device_mismatch"
    api.device = own
    bare = await client.get("/api/me", headers={"X-Carebook-Unlock": api.unlock or ""})
    assert bare.status_code == 400 and bare.json()["error"] == "device_required"
    # None of that ended the session on its own device.
    assert (await api.get("/api/me")).status_code == 200


async def test_a_lock_reaches_a_cached_sign_in_at_once(
    client: Any, sessionmaker: Any, settings: Settings, clock: FrozenClock
) -> None:
    _, api = await signed_in(client, sessionmaker, settings, clock, "cache-lock")
    for _ in range(2):
        assert (await api.get("/api/me")).status_code == 200
    old = api.unlock
    following = await api.lock()  # the app locks: the server now wants the next secret
    assert following is not None
    api.unlock = old
    answer = await api.get("/api/me")
    assert answer.status_code == 401 and answer.json()["error"] == "unlock_required"
    api.unlock = following
    assert (await api.get("/api/me")).status_code == 200
