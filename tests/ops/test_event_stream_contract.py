"""Issue 13, item 1: the live stream follows the same rule as every request. The PWA opens it
with a streaming fetch that carries the device id and the unlock proof (EventSource cannot
send headers), so the cookie alone no longer opens it."""

from __future__ import annotations

from typing import Any

from server.clock import FrozenClock
from server.settings import Settings
from tests.ops.conftest import Live

STREAM = "/api/sync/events"


async def _status(api: Any, headers: dict[str, str]) -> tuple[int, str, str]:
    async with api.http.stream("GET", STREAM, headers=headers) as response:
        if response.status_code != 200:
            await response.aread()
            return response.status_code, response.json()["error"], ""
        first = await anext(response.aiter_text())
        return 200, "", response.headers["content-type"] + "|" + first


async def test_the_live_stream_needs_the_device_and_the_unlock_proof(
    live: Live, sessionmaker: Any, settings: Settings, clock: FrozenClock
) -> None:
    _, api = await live.user(sessionmaker, settings, clock, "nurse-stream")
    status, _, opened = await _status(api, api.headers())
    assert status == 200 and opened.startswith("text/event-stream")
    assert await _status(api, api.headers({"X-Carebook-Unlock": ""})) == (
        401, "unlock_required", "")
    without_device = {k: v for k, v in api.headers().items() if k != "X-Carebook-Device"}
    assert (await _status(api, without_device))[:2] == (400, "device_required")
    navigation = api.headers({"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"})
    assert (await _status(api, navigation))[:2] == (403, "api_navigation")
    # The cookie alone, as an EventSource sends it.
    assert (await _status(api, {"Accept": "text/event-stream"}))[:2] == (400, "device_required")
    # After a lock, the old proof opens nothing; the next one does.
    old = api.unlock
    new = await api.lock()
    assert (await _status(api, api.headers({"X-Carebook-Unlock": old})))[:2] == (
        401, "unlock_required")
    api.unlock = new
    assert (await _status(api, api.headers()))[0] == 200
