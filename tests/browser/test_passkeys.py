"""Passkeys through the real PWA screens, with Chromium's virtual authenticator over CDP."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import expect

from server.demo.data import DEMO_PASSWORD

from .pages import Device
from .pwa_helpers import PASSCODE, app_fetch, rooms_of, sign_in, wait_for_rooms
from .server import LiveServer

pytestmark = pytest.mark.browser

USER_FOR = {"phone": "demo-pharmacist", "desktop": "demo-caremanager"}


def test_register_a_passkey_then_sign_in_with_it(
    demo_server: LiveServer, device: Device, screenshot: Callable[..., Path]
) -> None:
    login_id = USER_FOR[device.name]
    watched = device.new_page()
    page = watched.page
    cdp = device.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )["authenticatorId"]

    sign_in(page, demo_server.url, login_id)  # password + TOTP, then the device passcode
    page.get_by_test_id("nav-settings").click()
    page.get_by_test_id("settings-add-passkey").click()
    expect(page.get_by_test_id("notice")).to_contain_text("パスキー", timeout=15_000)
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(credentials["credentials"]) == 1
    assert credentials["credentials"][0]["isResidentCredential"] is True
    screenshot(page, f"{device.name}-passkey-added")

    page.get_by_test_id("settings-logout").click()
    expect(page.get_by_test_id("login-id")).to_be_visible(timeout=15_000)
    page.get_by_test_id("login-id").fill(login_id)
    page.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("passkey-signin").click()  # TOTP or passkey: the user chooses

    # Signed out wiped this device's data, so it asks for a new passcode.
    page.get_by_test_id("passcode-new").fill(PASSCODE)
    page.get_by_test_id("passcode-confirm").fill(PASSCODE)
    page.get_by_test_id("passcode-submit").click()
    page.get_by_test_id("nav-home").click()
    wait_for_rooms(page, rooms_of(login_id))
    screenshot(page, f"{device.name}-signed-in-with-passkey")

    answer = app_fetch(page, "GET", "/api/me")  # as the app asks, with its unlock proof
    assert answer["status"] == 200, answer
    me = json.loads(answer["body"])
    assert len(me["factors"]["passkeys"]) == 1
    assert me["factors"]["passkeys"][0]["lastUsedAt"] is not None
    signed = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert signed["credentials"][0]["signCount"] >= 1
    assert watched.problems() == []
