"""Issue 13, item 1, in a real browser: a locked PWA locks the server too.

Whoever picks up a locked tablet has the browser's cookie but not the passcode: typing an API
address into the address bar reads nothing, nor does a script's fetch without the app's
unlock proof — not even the proof the app used before it locked. Unlocking offline opens the
sealed proof, and once the network is back the app works again without a new sign-in. The
live stream, photos and downloads still work for the unlocked app.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

from .pwa_helpers import (
    DUMP_INDEXEDDB,
    app_fetch,
    open_room,
    seen_unlock_proof,
    sign_in,
    unlock,
)
from .server import LiveServer

AOKI = "青木"
API_READS = ["/api/rooms/unread", "/api/me", "/api/me/devices"]


def _search_path(page: Page) -> str:
    rooms = json.loads(app_fetch(page, "POST", "/api/sync/pull", {"cursor": None})["body"])
    room_id = next(iter(rooms["rooms"]))
    return f"/api/rooms/{room_id}/search?q=の"


def _navigate(context: BrowserContext, url: str) -> tuple[int, str]:
    """Type the address into a new tab's address bar, as a passer-by would."""
    tab = context.new_page()
    try:
        answer = tab.goto(url)
        assert answer is not None
        return answer.status, answer.text()
    finally:
        tab.close()


def test_a_locked_app_reads_nothing_and_an_offline_unlock_needs_no_new_sign_in(
    demo_server: LiveServer, phone: BrowserContext, screenshot: Callable[..., Path]
) -> None:
    page = phone.new_page()
    sign_in(page, demo_server.url, "demo-nurse")
    open_room(page, AOKI)
    search = _search_path(page)
    unlocked_proof = seen_unlock_proof(page)
    assert unlocked_proof
    # Unlocked, the app's own requests read the contact book...
    assert app_fetch(page, "GET", search)["status"] == 200
    # ...but never by the address bar, even now.
    status, text = _navigate(phone, demo_server.url + search)
    assert status == 403 and "api_navigation" in text, text

    # Lock (the header's lock button): the app tells the server to switch to a new proof.
    with page.expect_response(lambda r: r.url.endswith("/api/auth/lock")) as locked:
        page.get_by_test_id("nav-lock").click()
    assert locked.value.status == 200
    expect(page.get_by_test_id("passcode")).to_be_visible()
    screenshot(page, "phone-locked")
    for path in [*API_READS, search]:
        # The address bar: refused.
        status, text = _navigate(phone, demo_server.url + path)
        assert status == 403 and "api_navigation" in text, (path, text)
        # A script with the cookie and the device id, without the proof: refused.
        answer = app_fetch(page, "GET", path, with_proof=False)
        assert answer["status"] == 401 and "unlock_required" in answer["body"], (path, answer)
        # With the proof the app used before it locked: refused.
        stale = app_fetch(page, "GET", path, proof=unlocked_proof)
        assert stale["status"] == 401 and "unlock_required" in stale["body"], (path, stale)
        assert "経過" not in answer["body"] + stale["body"]
    # The proof kept on the device is sealed: nothing in IndexedDB is the secret in clear.
    stored = json.dumps(page.evaluate(DUMP_INDEXEDDB), ensure_ascii=False)
    assert unlocked_proof not in stored

    # Unlock offline (the sealed proof opens with the passcode), then go online.
    phone.set_offline(True)
    unlock(page)
    # Back where it was: 青木's contact book, from the encrypted cache.
    expect(page.locator("[data-testid=post]").first).to_be_visible(timeout=20_000)
    expect(page.get_by_test_id("sync-status")).to_contain_text("オフライン", timeout=20_000)
    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.get_by_test_id("sync-status")).to_have_attribute("data-state", "idle",
                                                                   timeout=30_000)
    # No sign-in screen; the app's requests carry a new proof, which the server accepts.
    expect(page.get_by_test_id("login-id")).to_have_count(0)
    new_proof = seen_unlock_proof(page)
    assert new_proof and new_proof != unlocked_proof
    assert app_fetch(page, "GET", search)["status"] == 200
    expect(page.locator("[data-testid=post]").first).to_be_visible()
    screenshot(page, "phone-unlocked-online-again")


def test_the_live_stream_carries_the_proof_and_ends_at_lock(
    demo_server: LiveServer, phone: BrowserContext
) -> None:
    """The stream is a fetch with the app's headers (no EventSource); a lock aborts it."""
    page = phone.new_page()
    streams: list[dict[str, str]] = []
    page.on("request", lambda r: streams.append(r.headers)
            if r.url.endswith("/api/sync/events") else None)
    with page.expect_request(lambda r: r.url.endswith("/api/sync/events"), timeout=30_000):
        sign_in(page, demo_server.url, "demo-nurse")
    assert all(h.get("x-carebook-unlock") and h.get("x-carebook-device") for h in streams)
    assert all(h.get("accept") == "text/event-stream" for h in streams)
    with page.expect_event("requestfailed",
                           lambda r: r.url.endswith("/api/sync/events"), timeout=15_000):
        page.get_by_test_id("nav-lock").click()
    expect(page.get_by_test_id("passcode")).to_be_visible()
