"""Every refusal has one shape and one language choice, whichever layer refuses.

server/errors.py builds every error body: the router's 404 and 405, the middleware that refuse
before a handler runs (body limit, NUL, bad JSON, the request contract, CSRF, sign-in, rate
limits), guards, request
validation and the services. Each answer must decode as the OpenAPI document's closed `Error`
component, in Japanese unless the request ranks English above Japanese.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import msgspec
import pytest

from server.clock import FrozenClock
from server.errors import english_wanted
from server.openapi import Error
from server.settings import Settings
from tests.support.api import ApiClient
from tests.sync.support import signed_in

Ask = Callable[[dict[str, str]], Awaitable[httpx.Response]]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.mark.parametrize(
    ("header", "english"),
    [
        ("", False),
        ("ja", False),
        ("en", True),
        ("en-US,en;q=0.9", True),
        ("ja,en-US;q=0.9,en;q=0.8", False),
        ("fr-FR,fr;q=0.9,en;q=0.8", True),  # English is the client's choice among ours
        ("en;q=0.3,ja", False),
        ("de,*", False),  # neither named: Japanese, the city's language
        ("en;q=0", False),  # "not English"
    ],
)
def test_the_language_is_the_clients_first_choice_among_japanese_and_english(
    header: str, english: bool
) -> None:
    assert english_wanted(header) is english


async def _refusal(ask: Ask, status: int, code: str) -> None:
    """The refusal in Japanese (by default and when asked), in English when asked for."""
    for header, english in (
        (None, False), ("ja-JP,ja;q=0.9", False), ("en-GB,en;q=0.9", True),
        ("fr,en;q=0.5", True),
    ):
        response = await ask({"Accept-Language": header} if header else {})
        assert response.status_code == status, (code, response.text)
        assert response.headers["content-type"].startswith("application/json"), code
        body = msgspec.json.decode(response.content, type=Error)  # closed: no other keys
        assert body.error == code, body
        if english:
            assert body.message.isascii(), body
        else:
            assert JAPANESE.search(body.message), body


@pytest.fixture()
async def nurse(client: Any, sessionmaker: Any, settings: Settings,
                clock: FrozenClock) -> ApiClient:
    return (await signed_in(client, sessionmaker, settings, clock, "nurse-errors"))[1]


async def test_refusals_before_routing_and_before_sign_in(client: Any) -> None:
    anonymous = ApiClient(client)

    async def unknown_method(h: dict[str, str]) -> httpx.Response:
        return await client.delete("/api/health", headers=h)

    async def unknown_api_path(h: dict[str, str]) -> httpx.Response:
        return await client.get("/api/no-such-thing", headers=h)

    async def nul_in_url(h: dict[str, str]) -> httpx.Response:
        return await client.get("/api/health?probe=%00", headers=h)

    async def body_too_large(h: dict[str, str]) -> httpx.Response:
        return await anonymous.post("/api/sync/pull", content=b"[" + b" " * 300_000 + b"]",
                                    headers={**h, "Content-Type": "application/json"})

    async def no_device(h: dict[str, str]) -> httpx.Response:
        return await client.post("/api/sync/pull", json={"cursor": None}, headers=h)

    async def navigation(h: dict[str, str]) -> httpx.Response:
        return await client.get("/api/me", headers={**h, "Sec-Fetch-Mode": "navigate"})

    async def no_csrf(h: dict[str, str]) -> httpx.Response:
        return await client.post("/api/sync/pull", json={"cursor": None},
                                 headers={**h, "X-Carebook-Device": anonymous.device})

    async def not_signed_in(h: dict[str, str]) -> httpx.Response:
        return await anonymous.get("/api/me", headers=h)

    await _refusal(unknown_method, 405, "method_not_allowed")
    await _refusal(unknown_api_path, 404, "not_found")
    await _refusal(nul_in_url, 400, "invalid_input")
    await _refusal(body_too_large, 413, "body_too_large")
    await _refusal(no_device, 400, "device_required")
    await _refusal(navigation, 403, "api_navigation")
    await _refusal(no_csrf, 403, "csrf")
    await _refusal(not_signed_in, 401, "unauthenticated")


async def test_refusals_of_the_sign_in_steps(client: Any) -> None:
    anonymous = ApiClient(client)

    async def not_json(h: dict[str, str]) -> httpx.Response:
        return await anonymous.post("/api/auth/login", content=b"{not json",
                                    headers={**h, "Content-Type": "application/json"})

    async def wrong_type(h: dict[str, str]) -> httpx.Response:
        return await anonymous.post("/api/auth/login", {"loginId": 5, "password": "x"},
                                    headers=h)

    async def wrong_password(h: dict[str, str]) -> httpx.Response:
        return await anonymous.post("/api/auth/login",
                                    {"loginId": "nobody-here", "password": "wrong-password"},
                                    headers=h)

    await _refusal(not_json, 400, "invalid_json")
    await _refusal(wrong_type, 400, "invalid_input")
    await _refusal(wrong_password, 401, "invalid_credentials")


async def test_refusals_of_guards_handlers_and_limits(nurse: ApiClient) -> None:
    async def role_guard(h: dict[str, str]) -> httpx.Response:
        return await nurse.get("/api/admin/ledger", headers=h)

    async def not_visible(h: dict[str, str]) -> httpx.Response:
        return await nurse.get("/api/rooms/00000000-0000-7000-8000-000000000000/record",
                               headers=h)

    await _refusal(role_guard, 403, "admin_only")
    await _refusal(not_visible, 404, "room_not_found")

    # The per-user window of notification changes (20 a minute): refused in the one shape.
    answers = [await nurse.request("PUT", "/api/push/preferences", {}) for _ in range(20)]
    assert all(answer.status_code == 400 for answer in answers)

    async def rate_limited(h: dict[str, str]) -> httpx.Response:
        return await nurse.request("PUT", "/api/push/preferences", {}, headers=h)

    await _refusal(rate_limited, 429, "rate_limited")
    limited = await rate_limited({})
    assert limited.headers["retry-after"] == str(limited.json()["retryAfter"])
