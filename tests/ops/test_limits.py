"""Abuse limits: body size (413), per-account sign-in, per-user push and upload (429 with
Retry-After), and a cap on open event streams per user; refusals change nothing."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from server.app import create_app
from server.clock import FrozenClock
from server.settings import Settings, load_settings
from store.models import Attachment, AuditEvent, Post
from tests.conftest import BASE_URL, server_env
from tests.contact_book import photos
from tests.factories import MadeUser
from tests.ops.conftest import Live
from tests.support.api import ApiClient
from tests.sync.support import serving, signed_in
from tests.sync.world import RoomIds, open_room, uid


@contextlib.asynccontextmanager
async def app_with(
    data_dir: Path, database_url: str, clock: FrozenClock, **env: str
) -> AsyncIterator[tuple[Settings, Litestar, AsyncTestClient[Any]]]:
    settings = load_settings(server_env(data_dir, database_url, **env))
    app = create_app(settings, clock=clock)
    async with AsyncTestClient(app, base_url=BASE_URL) as client:
        yield settings, app, client


async def _count(sessionmaker: Any, model: Any) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def _refused(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["error"] == code, body
    assert body["message"]
    return body


async def test_json_bodies_are_capped_but_uploads_are_not(
    client: Any, member: tuple[MadeUser, ApiClient], room: RoomIds, settings: Settings,
    sessionmaker: Any,
) -> None:
    _, api = member
    limit = settings.ops.json_body_max_bytes
    audited = await _count(sessionmaker, AuditEvent)
    huge = {"cursor": None, "limit": 10, "padding": "x" * limit}
    refused = await api.post("/api/sync/pull", json=huge)
    body = _refused(refused, 413, "body_too_large")
    assert body["limitBytes"] == limit
    assert "上限 256 KB" in body["message"]
    english = await api.post("/api/sync/pull", json=huge, headers={"Accept-Language": "en"})
    assert "at most 256 KB" in _refused(english, 413, "body_too_large")["message"]
    assert await _count(sessionmaker, AuditEvent) == audited  # refused before any work

    # A body under the limit goes through to the handler (and is answered on its merits).
    small = await api.post("/api/sync/push", json={"clientId": "c" * 20, "mutations": []})
    assert small.status_code == 200, small.text

    # Uploads keep their own (larger) limit: a 300 KB+ photo is accepted.
    photo = photos.jpeg_with_gps((1400, 1000))
    assert len(photo) > limit, len(photo)
    uploaded = await api.post(f"/api/rooms/{room.room_id}/attachments",
                              files={"file": ("a.jpg", photo, "image/jpeg")})
    assert uploaded.status_code == 201, uploaded.text


async def test_the_largest_legal_sync_push_is_accepted(
    member: tuple[MadeUser, ApiClient], room: RoomIds, settings: Settings, sessionmaker: Any,
) -> None:
    """A tablet back online may push a full batch of long posts: far over the JSON default,
    within what the push schema allows — never a 413 it would retry forever."""
    from server.contact_book.sync_schemas import MAX_MUTATIONS
    from sync.mutations import MAX_BODY

    _, api = member

    def batch(first: int, body: str) -> dict[str, Any]:
        return {"clientId": "tablet-back-online", "mutations": [
            {"id": first + i, "name": "post.create", "args": {
                "id": uid(), "roomId": str(room.room_id), "reportTitleId": str(room.titles[0]),
                "body": body}} for i in range(MAX_MUTATIONS)]}

    full = batch(1, "褥" * MAX_BODY)
    size = len(json.dumps(full, ensure_ascii=False).encode())
    assert size > 10 * settings.ops.json_body_max_bytes
    posts_before = await _count(sessionmaker, Post)
    accepted = await api.post("/api/sync/push", json=full)
    assert accepted.status_code == 200, accepted.text[:300]
    assert {r["status"] for r in accepted.json()["results"]} == {"ok"}
    assert await _count(sessionmaker, Post) == posts_before + MAX_MUTATIONS
    # Beyond anything legal, it is refused unread.
    oversized = batch(1000, "褥" * MAX_BODY)
    oversized["padding"] = "x" * (2 * 1024 * 1024)
    _refused(await api.post("/api/sync/push", json=oversized), 413, "body_too_large")


async def test_a_chunked_body_is_counted_as_it_arrives(
    live: Live, sessionmaker: Any, settings: Settings, clock: FrozenClock
) -> None:
    """Without a Content-Length, on a real server: refused once the limit is passed."""
    _, api = await live.user(sessionmaker, settings, clock, "nurse-chunked")
    limit = settings.ops.json_body_max_bytes
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(limit // 4096 + 2):
            sent += 4096
            yield b" " * 4096

    chunked = await api.post("/api/sync/pull", content=chunks(),
                             headers={"content-type": "application/json"})
    _refused(chunked, 413, "body_too_large")
    assert "content-length" not in chunked.request.headers


async def test_sign_in_is_limited_per_account(
    data_dir: Path, database_url: str, clock: FrozenClock, sessionmaker: Any,
) -> None:
    async with app_with(
        data_dir, database_url, clock,
        CAREBOOK_SIGNIN_PER_USER_PER_MINUTE="5", CAREBOOK_SIGNIN_PER_IP_PER_MINUTE="1000",
    ) as (_settings, _app, client):
        api = ApiClient(client)
        answers = [await api.login("Target-User", f"wrong password {i}") for i in range(5)]
        assert {a.status_code for a in answers} == {401}
        audited = await _count(sessionmaker, AuditEvent)
        # The sixth try for this account — even spelled differently — is refused unheard.
        limited = await api.login("target-user", "wrong password 6")
        body = _refused(limited, 429, "rate_limited")
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        assert body["retryAfter"] == int(limited.headers["Retry-After"])
        assert await _count(sessionmaker, AuditEvent) == audited  # refused before the service
        # Another account from the same address is still heard.
        assert (await api.login("someone-else", "wrong password")).status_code == 401
        clock.advance(seconds=61)
        assert (await api.login("target-user", "wrong password 7")).status_code == 401


async def test_push_subscription_changes_are_limited_per_user(
    data_dir: Path, database_url: str, clock: FrozenClock, sessionmaker: Any,
) -> None:
    async with app_with(
        data_dir, database_url, clock, CAREBOOK_PUSH_PER_USER_PER_MINUTE="3"
    ) as (settings, app, client):
        _, api = await signed_in(client, sessionmaker, settings, clock, "nurse-push")
        answers = [await api.delete("/api/push/subscriptions") for _ in range(3)]
        assert all(a.status_code < 400 for a in answers), [a.text for a in answers]
        limited = await api.post("/api/push/subscriptions", json={})
        _refused(limited, 429, "rate_limited")
        assert int(limited.headers["Retry-After"]) >= 1
        # Reading is not limited.
        assert (await api.get("/api/push/subscriptions")).status_code == 200
        async with client.__class__(app, base_url=BASE_URL) as other_http:
            _, other = await signed_in(other_http, sessionmaker, settings, clock, "doctor-push")
            assert (await other.delete("/api/push/subscriptions")).status_code < 400
        clock.advance(seconds=61)
        assert (await api.delete("/api/push/subscriptions")).status_code < 400
        metrics = app.state.metrics.render({"up": 1})
        assert 'carebook_rate_limited_total{limit="push"} 1' in metrics


async def test_uploads_are_limited_per_user(
    data_dir: Path, database_url: str, clock: FrozenClock, sessionmaker: Any,
) -> None:
    async with app_with(
        data_dir, database_url, clock, CAREBOOK_UPLOADS_PER_USER_PER_MINUTE="2"
    ) as (settings, _app, client):
        user, api = await signed_in(client, sessionmaker, settings, clock, "nurse-upload")
        from store.models.enums import Permission

        room = await open_room(sessionmaker, clock.now(), {user.id: Permission.write})
        path = f"/api/rooms/{room.room_id}/attachments"
        photo = photos.webp()
        for _ in range(2):
            ok = await api.post(path, files={"file": ("a.webp", photo, "image/webp")})
            assert ok.status_code == 201, ok.text
        before = await _count(sessionmaker, Attachment)
        limited = await api.post(path, files={"file": ("a.webp", photo, "image/webp")})
        _refused(limited, 429, "rate_limited")
        assert await _count(sessionmaker, Attachment) == before


async def test_event_streams_are_capped_per_user(
    data_dir: Path, database_url: str, clock: FrozenClock, sessionmaker: Any,
) -> None:
    settings = load_settings(server_env(data_dir, database_url, CAREBOOK_SSE_PER_USER="2"))
    app = create_app(settings, clock=clock)
    app.state["sync_heartbeat_s"] = 0.5
    async with serving(app) as url:
        live = Live(url)
        try:
            _, nurse = await live.user(sessionmaker, settings, clock, "nurse-streams")
            _, doctor = await live.user(sessionmaker, settings, clock, "doctor-streams")
            async with contextlib.AsyncExitStack() as stack:
                streams = []
                for _ in range(2):
                    stream = await stack.enter_async_context(nurse.http.stream(
                        "GET", "/api/sync/events", headers=nurse.headers(),
                        timeout=httpx.Timeout(10, read=None),
                    ))
                    assert stream.status_code == 200
                    streams.append(stream)
                third = await nurse.get("/api/sync/events")
                body = _refused(third, 429, "too_many_connections")
                assert third.headers["Retry-After"] == "30"
                assert "2" in body["message"]
                # Another user is not affected.
                async with doctor.http.stream(
                    "GET", "/api/sync/events", headers=doctor.headers(),
                    timeout=httpx.Timeout(10, read=None),
                ) as other:
                    assert other.status_code == 200
                await streams[0].aclose()
                # The server notices the closed stream at its next write (heartbeat 0.5 s).
                for _ in range(50):
                    if app.state.metrics.open_streams <= 1:
                        break
                    await asyncio.sleep(0.1)
                async with nurse.http.stream(
                    "GET", "/api/sync/events", headers=nurse.headers(),
                    timeout=httpx.Timeout(10, read=None),
                ) as again:
                    assert again.status_code == 200
        finally:
            for http in live.clients:
                await http.aclose()


async def test_a_nul_character_is_refused_not_a_500(
    member: tuple[MadeUser, ApiClient], room: RoomIds, sessionmaker: Any,
) -> None:
    """PostgreSQL cannot store NUL in text: found by the fuzzer as a 500 from search."""
    _, api = member
    search = await api.get(f"/api/rooms/{room.room_id}/search", params={"q": "褥瘡\x00"})
    assert "NUL" in _refused(search, 400, "invalid_input")["message"]
    posts = await _count(sessionmaker, Post)
    pushed = await api.post("/api/sync/push", {"clientId": "nul-client-1", "mutations": [
        {"id": 1, "name": "post.create", "args": {
            "id": uid(), "roomId": str(room.room_id), "reportTitleId": str(room.titles[0]),
            "body": "before\x00after"}}]})
    _refused(pushed, 400, "invalid_input")
    assert await _count(sessionmaker, Post) == posts
    # A backslash followed by "u0000" typed as text is not a NUL.
    fine = await api.get(f"/api/rooms/{room.room_id}/search", params={"q": "\\u0000"})
    assert fine.status_code == 200, fine.text
