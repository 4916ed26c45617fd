"""SECURITY.md 22 and 25: every answer — page, API, 404, 405, 413, 429, 500 — carries the
security headers; the API is never cached; HSTS exactly when carebook is served over TLS."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import httpx
from litestar import Litestar, get
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.clock import FrozenClock
from server.route_policy import policy
from server.settings import Settings, load_settings
from tests.conftest import server_env
from tests.factories import MadeUser
from tests.ops.conftest import Live
from tests.support.api import ApiClient

CHECKED: list[str] = []


def _concrete(path: str) -> str:
    return re.sub(
        r"\{[^}:]+:(uuid|str|int|path)\}",
        lambda m: {"uuid": str(uuid.uuid4()), "str": "x", "int": "1", "path": "x"}[m.group(1)],
        path,
    )


def assert_secure(path: str, response: httpx.Response, *, hsts: bool = False) -> None:
    headers = response.headers
    where = f"{response.request.method} {path} → {response.status_code}"
    csp = headers.get("content-security-policy", "")
    assert csp, where
    directives = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";")}
    # The app and the OpenAPI viewer alike: scripts from our origin only, never inline, never
    # eval(); WebAssembly may compile (the passcode's Argon2id, pwa/src/crypto/kdf.ts).
    assert directives.get("script-src") == "script-src 'self' 'wasm-unsafe-eval'", where
    assert "'unsafe-inline'" not in csp, where
    assert "'unsafe-eval'" not in csp, where
    assert directives.get("object-src") == "object-src 'none'", where
    assert "frame-ancestors 'none'" in csp, where
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("referrer-policy") == "no-referrer", where
    assert headers.get("x-request-id"), where
    if path.startswith("/api/"):
        assert headers.get("cache-control") == "no-store", where
    if hsts:
        assert headers.get("strict-transport-security", "").startswith("max-age="), where
    else:
        assert "strict-transport-security" not in headers, where
    CHECKED.append(where)


def _routes(app: Litestar) -> list[tuple[str, str]]:
    pairs = []
    for route in app.routes:
        for method in sorted(getattr(route, "methods", set()) - {"HEAD"}):
            pairs.append((method, route.path))
    return pairs


async def _call(api: ApiClient, method: str, path: str) -> httpx.Response:
    concrete = _concrete(path)
    if method in {"GET", "OPTIONS"}:
        return await api.http.request(method, concrete, headers=api.headers())
    return await api.request(method, concrete, json={})


async def test_every_route_anonymous_and_signed_in(
    app: Litestar, client: Any, member: tuple[MadeUser, ApiClient]
) -> None:
    anonymous = ApiClient(client.__class__(app, base_url=str(client.base_url)))
    _, signed = member
    async with anonymous.http:
        for method, path in _routes(app):
            for api in (anonymous, signed):
                if path == "/api/auth/logout":
                    continue  # would end the signed-in client's session for the other routes
                if path == "/api/sync/events" and api is signed:
                    continue  # a live stream: test_event_stream_headers, on a real server
                response = await _call(api, method, path)
                assert response.status_code < 500, (method, path, response.text)
                assert_secure(path, response)
    assert len(CHECKED) >= 2 * 60


async def test_pages_errors_and_refusals(
    app: Litestar, client: Any, member: tuple[MadeUser, ApiClient], settings: Settings
) -> None:
    _, api = member
    cases: list[tuple[str, httpx.Response, int]] = []

    async def case(path: str, response: httpx.Response, status: int) -> None:
        assert response.status_code == status, (path, response.status_code, response.text)
        cases.append((path, response, status))

    async with client.__class__(app, base_url=str(client.base_url)) as anon:
        index = await anon.get("/")
        await case("/", index, 200)
        assert index.headers["content-type"].startswith("text/html")
        await case("/rooms/123", await anon.get("/rooms/123"), 200)  # an app route: index.html
        await case("/missing.js", await anon.get("/missing.js"), 404)
        await case("/api/no-such-thing", await anon.get("/api/no-such-thing"), 404)
        await case("/api/no/such/thing", await api.get("/api/no/such/thing"), 404)
        await case("/api/health", await anon.delete("/api/health"), 405)
        await case("/api/sync/pull", await anon.post("/api/sync/pull", json={}), 400)  # no device
        await case("/api/sync/pull", await anon.post(
            "/api/sync/pull", json={}, headers={"X-Carebook-Device": "anonymous-1"}), 403)  # CSRF
        await case("/api/me", await anon.get("/api/me"), 400)  # no device id: device_required
        await case("/api/me", await ApiClient(anon).get("/api/me"), 401)
        await case(
            "/api/sync/pull",
            await api.post("/api/sync/pull", content=b"{not json", headers={
                "content-type": "application/json"}),
            400,
        )
        huge = {"cursor": "x" * settings.ops.json_body_max_bytes}
        await case("/api/sync/pull", await api.post("/api/sync/pull", json=huge), 413)
        stranger = ApiClient(anon)
        for _ in range(settings.auth.ip_attempts_per_minute):
            await stranger.login("nobody-at-all", "wrong password here")
        await case(
            "/api/auth/login", await stranger.login("nobody-at-all", "wrong password"), 429
        )
    for path, response, _status in cases:
        assert_secure(path, response)


async def test_an_unexpected_error_still_carries_the_headers(
    settings: Settings, clock: FrozenClock
) -> None:
    @get("/api/test-boom", opt=policy(auth="public", bare=True), sync_to_thread=False)
    def boom() -> None:
        raise RuntimeError("a bug")

    app = create_app(settings, clock=clock)
    app.register(boom)
    async with AsyncTestClient(app, base_url="http://localhost:8000") as client:
        response = await client.get("/api/test-boom")
    assert response.status_code == 500
    assert response.json()["error"] == "internal"
    assert "a bug" not in response.text
    assert_secure("/api/test-boom", response)


async def test_hsts_when_served_over_tls(tmp_path: Path, database_url: str) -> None:
    settings = load_settings(
        server_env(tmp_path, database_url, CAREBOOK_BASE_URL="https://carebook.example.jp")
    )
    app = create_app(settings, clock=FrozenClock())
    async with AsyncTestClient(app, base_url="https://carebook.example.jp") as client:
        for path in ("/", "/api/health", "/api/no-such-thing", "/missing.png"):
            response = await client.get(path)
            assert_secure(path, response, hsts=True)
        response = await client.delete("/api/health")
        assert response.status_code == 405
        assert_secure("/api/health", response, hsts=True)


async def test_event_stream_headers(
    live: Live, sessionmaker: Any, settings: Settings, clock: FrozenClock
) -> None:
    _, api = await live.user(sessionmaker, settings, clock, "nurse-sse")
    async with api.http.stream("GET", "/api/sync/events", headers=api.headers()) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert_secure("/api/sync/events", response)
