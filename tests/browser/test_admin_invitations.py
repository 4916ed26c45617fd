"""Revoking an invitation in the PWA, and where a fresh sign-in lands after a sign-out.

A clerk sends an invitation to the wrong address and revokes it (with a confirm step);
the link in the real e-mail (a loopback SMTP sink) is then refused at the look-up and at
the apply step. Then the clerk signs out on Settings and someone else signs in on the
same browser: they land on the room list, not on the clerk's last screen.
Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

from server.demo.data import DEMO_PASSWORD
from tests.support.smtp import SmtpSink

from .pwa_helpers import PASSCODE, app_fetch, rooms_of, sign_in, totp_code, wait_for_rooms
from .server import LiveServer


def _get(page: Page, path: str) -> Any:
    """A GET from the page, as the PWA's api.ts makes it (device header, unlock proof)."""
    answer = app_fetch(page, "GET", path)
    assert answer["status"] == 200, answer
    return json.loads(answer["body"])


def _screen(page: Page) -> str:
    return page.locator("main#main").get_attribute("data-screen") or ""


def test_clerk_revokes_an_invitation_and_its_link_is_refused(
    mail_demo_server: LiveServer,
    smtp: SmtpSink,
    desktop: BrowserContext,
    phone: BrowserContext,
    screenshot: Callable[..., Path],
) -> None:
    url = mail_demo_server.url
    clerk = desktop.new_page()
    sign_in(clerk, url, "demo-admin")
    station = next(
        o for o in _get(clerk, "/api/admin/offices") if o["kind"] == "visiting_nurse_station"
    )

    # 1. An invitation goes to the wrong address.
    clerk.goto(f"{url}/#/admin/invitations")
    expect(clerk.get_by_test_id("admin-invitations")).to_be_visible(timeout=15_000)
    email = "wrong.address@example.jp"
    smtp.clear()
    clerk.get_by_test_id("invite-name").fill("取消 さくら")
    clerk.get_by_test_id("invite-email").fill(email)
    clerk.get_by_test_id("invite-office").select_option(station["id"])
    clerk.get_by_test_id("invite-send").click()
    row = clerk.locator("[data-testid=invitation-row]", has_text=email)
    expect(row).to_have_attribute("data-state", "pending")
    expect(row.get_by_test_id("invitation-state")).to_have_text("未使用")
    (mail,) = smtp.wait_for(1, timeout=15)
    (link,) = [x for x in SmtpSink.links(mail) if "/invite/" in x]

    # The person opens the link (it works) and starts filling in the form …
    invitee = phone.new_page()
    invitee.goto(link)
    expect(invitee.get_by_test_id("invite-form")).to_be_visible(timeout=15_000)
    invitee.get_by_test_id("apply-kana").fill("とりけし さくら")
    invitee.get_by_test_id("apply-jobtype").select_option("nurse")
    invitee.get_by_test_id("apply-accept").check()

    # 2. … while the clerk revokes it: 取り消し asks first; やめる keeps it.
    row.get_by_test_id("revoke-invitation").click()
    confirm = row.get_by_test_id("revoke-confirm")
    expect(confirm).to_contain_text("取り消しますか")
    expect(confirm).to_contain_text(email)
    row.get_by_test_id("revoke-no").click()
    expect(confirm).to_have_count(0)
    expect(row).to_have_attribute("data-state", "pending")
    row.get_by_test_id("revoke-invitation").click()
    screenshot(clerk, "desktop-revoke-confirm")
    row.get_by_test_id("revoke-yes").click()
    expect(row).to_have_attribute("data-state", "revoked")
    expect(row.get_by_test_id("invitation-state")).to_contain_text("取り消し")
    expect(row.get_by_test_id("invitation-state")).to_contain_text("森田 和夫")
    expect(row.get_by_test_id("revoke-invitation")).to_have_count(0)
    expect(clerk.get_by_test_id("notice")).to_contain_text("招待を取り消しました")
    screenshot(clerk, "desktop-revoked")
    listed = {i["email"]: i["state"] for i in _get(clerk, "/api/admin/invitations")}
    assert listed[email] == "revoked"

    # 3. The apply step is refused with the reason, and so is the link when opened again.
    invitee.get_by_test_id("apply-submit").click()
    expect(invitee.get_by_test_id("apply-error")).to_contain_text("取り消されました")
    invitee.reload()
    expect(invitee.get_by_test_id("invite-invalid")).to_contain_text("取り消されました")
    expect(invitee.get_by_test_id("invite-form")).to_have_count(0)
    screenshot(invitee, "phone-revoked-link")
    inbox = _get(clerk, "/api/admin/applications?state=submitted")
    assert not [a for a in inbox if a["payload"].get("email") == email]


def test_after_sign_out_on_settings_the_next_user_lands_on_the_room_list(
    mail_demo_server: LiveServer, phone: BrowserContext, screenshot: Callable[..., Path]
) -> None:
    url = mail_demo_server.url
    page = phone.new_page()
    sign_in(page, url, "demo-admin")
    page.get_by_test_id("nav-settings").click()
    expect(page.get_by_test_id("settings-logout")).to_be_visible()
    assert page.url.endswith("#/settings")
    page.get_by_test_id("settings-logout").click()
    expect(page.get_by_test_id("login-id")).to_be_visible(timeout=15_000)
    assert "#/settings" not in page.url

    # Someone else signs in on this browser, without reloading the page.
    login = "demo-nurse"
    page.get_by_test_id("login-id").fill(login)
    page.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("totp-code").fill(totp_code(login))
    page.get_by_test_id("totp-submit").click()
    page.get_by_test_id("passcode-new").fill(PASSCODE)  # the sign-out wiped the device
    page.get_by_test_id("passcode-confirm").fill(PASSCODE)
    page.get_by_test_id("passcode-submit").click()
    expect(page.locator("main#main")).to_have_attribute("data-screen", "home", timeout=15_000)
    wait_for_rooms(page, rooms_of(login))
    assert _screen(page) == "home"
    assert page.url.endswith("#/") or page.url.rstrip("/") == url
    expect(page.get_by_test_id("settings-logout")).to_have_count(0)
    screenshot(page, "phone-next-user-home")
