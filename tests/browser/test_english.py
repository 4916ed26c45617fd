"""The PWA in English, for staff who read English better than Japanese: the choice is made on
the sign-in page, kept across the sign-in, passcode and reload, and the server's own messages
(a refused sign-in) come back in English too."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import expect

from .pages import Device
from .pwa_helpers import sign_in
from .server import LiveServer

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
READER = "demo-pharmacist"


def test_a_user_works_in_english_from_sign_in_to_settings(
    demo_server: LiveServer, device: Device, screenshot: Callable[..., Path]
) -> None:
    watched = device.new_page()
    page = watched.page
    page.goto(demo_server.url + "/")
    expect(page.get_by_role("heading", name="ログイン", exact=True)).to_be_visible()
    page.locator("#lang-header").select_option("en")
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "en"

    # A refused sign-in: the server's message, in English.
    page.get_by_test_id("login-id").fill("nobody-in-english")
    page.get_by_test_id("login-password").fill("not the password at all")
    page.get_by_test_id("login-submit").click()
    error = page.get_by_test_id("login-error")
    expect(error).not_to_be_empty()
    refused = error.inner_text()
    assert not JAPANESE.search(refused), refused

    # Sign-in, second factor and passcode: the choice holds through the whole flow.
    sign_in(page, demo_server.url, READER)
    expect(page.get_by_test_id("nav-settings")).to_have_text("Settings")
    expect(page.get_by_test_id("nav-lock")).to_have_text("Lock")
    page.get_by_test_id("nav-settings").click()
    expect(page.get_by_role("heading", name="Passcode and lock")).to_be_visible()
    screenshot(page, f"{device.name}-settings-in-english", full_page=False)

    # Still English after a reload (the unlock screen) and when the network goes.
    page.reload()
    expect(page.get_by_role("heading", name="Enter your passcode")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "en"
    device.context.set_offline(True)
    expect(page.get_by_text("You are offline")).to_be_visible(timeout=10_000)
    device.context.set_offline(False)
    assert watched.page_errors == []
    assert watched.csp_violations() == []
