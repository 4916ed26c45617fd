"""The shell: the live server serves the PWA's Japanese sign-in page cleanly at both viewports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from .pages import Device
from .server import LiveServer

pytestmark = pytest.mark.browser


def test_sign_in_page(
    live_server: LiveServer,
    device: Device,
    screenshot: Callable[..., Path],
    expected_database: str,
) -> None:
    watched = device.new_page()
    page = watched.page
    response = page.goto(live_server.url + "/")
    assert response is not None and response.ok
    assert response.headers.get("content-security-policy"), "no Content-Security-Policy"

    try:
        page.get_by_test_id("login-id").wait_for(state="visible", timeout=15_000)
    except PlaywrightTimeoutError:
        pytest.fail(f"no sign-in form at {device.name}; the page reported: {watched.problems()}")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.get_by_test_id("login-submit").is_visible()
    # Mobile-first: nothing wider than the screen.
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {device.name}"
    screenshot(page, device.name)

    health = page.request.get(live_server.url + "/api/health")
    assert health.ok
    body = health.json()
    assert body["status"] == "ok"
    assert body["database"] == expected_database
    assert "no-store" in health.headers.get("cache-control", "")

    manifest = page.request.get(live_server.url + "/manifest.webmanifest")
    assert manifest.ok
    assert manifest.headers.get("content-type", "").startswith("application/manifest+json")
    assert manifest.json()["icons"]

    assert watched.problems() == []
