"""The terms of use in a real browser: the city publishes them, every user accepts them once
after signing in, and again after the city changes them, the ledger showing who accepted
which version when. A change never blocks a nurse offline mid-visit: what she wrote is
sent first, and she is asked at the next start online. Phone and desktop, screenshots.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, expect

from server.demo.data import DEMO_PASSWORD, PATIENTS

from .pwa_helpers import PASSCODE, open_room, rooms_of, sign_in, totp_code, unlock, wait_for_rooms
from .server import LiveServer

TERMS_V1 = (
    "みどり市 在宅医療・介護連携情報共有システム利用規約\n第1条 専門職の連携のためにのみ使います。"
)
TERMS_V2 = TERMS_V1 + "\n第2条 写真は、ケアに必要な範囲でのみ撮影します。"
AOKI = PATIENTS[0].name


def _publish_terms(admin: Page, url: str, version: str, text: str) -> None:
    """The city's user administrator edits the help page's terms of use and saves."""
    admin.goto(f"{url}/#/admin/help-edit")
    form = admin.get_by_test_id("help-edit")
    expect(form).to_be_visible(timeout=15_000)
    admin.locator("#help-terms-version").fill(version)
    admin.locator("#help-terms-text").fill(text)
    expect(admin.get_by_test_id("help-terms-warning")).to_contain_text(version)
    admin.get_by_test_id("help-save").click()
    expect(admin.get_by_test_id("notice")).to_contain_text("保存しました")
    expect(admin.get_by_test_id("help-terms-warning")).to_have_count(0)  # saved: now current


def _sign_in_to_terms(page: Page, url: str, login_id: str) -> None:
    """Password, second factor and passcode, as anyone would; the terms come next."""
    page.goto(url + "/")
    page.get_by_test_id("login-id").fill(login_id)
    page.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("totp-code").fill(totp_code(login_id))
    page.get_by_test_id("totp-submit").click()
    page.get_by_test_id("passcode-new").fill(PASSCODE)
    page.get_by_test_id("passcode-confirm").fill(PASSCODE)
    page.get_by_test_id("passcode-submit").click()


def test_users_accept_the_terms_once_and_again_after_the_city_changes_them(
    demo_server: LiveServer,
    phone: BrowserContext,
    desktop: BrowserContext,
    browser: Browser,
    screenshot: Callable[..., Path],
) -> None:
    url = demo_server.url
    admin = desktop.new_page()
    sign_in(admin, url, "demo-admin")
    _publish_terms(admin, url, "2026-04", TERMS_V1)
    screenshot(admin, "desktop-city-publishes-terms", full_page=False)

    # A nurse signs in: the terms come before anything else; she accepts once.
    nurse = phone.new_page()
    _sign_in_to_terms(nurse, url, "demo-nurse")
    terms = nurse.get_by_test_id("terms-screen")
    expect(terms).to_be_visible(timeout=20_000)
    expect(terms).to_have_attribute("data-version", "2026-04")
    expect(nurse.get_by_test_id("terms-text")).to_have_text(TERMS_V1)
    expect(nurse.get_by_test_id("nav-home")).to_have_count(0)  # no way around it
    screenshot(nurse, "phone-terms-first-sign-in", full_page=False)
    nurse.get_by_test_id("terms-accept").click()
    expect(nurse.get_by_test_id("notice")).to_contain_text("利用規約に同意しました")
    wait_for_rooms(nurse, rooms_of("demo-nurse"))

    # Locking and unlocking mid-visit does not ask again.
    nurse.get_by_test_id("nav-lock").click()
    unlock(nurse)
    wait_for_rooms(nurse, rooms_of("demo-nurse"))
    expect(nurse.get_by_test_id("terms-screen")).to_have_count(0)

    # The city changes the terms while the nurse is out, offline, writing a visit record.
    nurse.wait_for_function(
        "async () => !!(await navigator.serviceWorker.ready).active", timeout=20_000
    )
    open_room(nurse, AOKI)
    _publish_terms(admin, url, "2026-10", TERMS_V2)
    phone.set_offline(True)
    expect(nurse.get_by_test_id("sync-status")).to_contain_text("オフライン")
    record = f"利用規約変更後の訪問記録-{int(time.time())}"
    nurse.get_by_test_id("compose-link").click()
    nurse.locator("[data-testid=title-choice][data-title=連絡事項]").check()
    nurse.get_by_test_id("post-body").fill(record)
    nurse.get_by_test_id("post-submit").click()
    expect(nurse.get_by_test_id("sync-status")).to_contain_text("1件の送信待ち")
    # A restart offline: the app opens without the terms (they cannot be fetched).
    nurse.reload()
    unlock(nurse)
    expect(nurse.get_by_test_id("sync-status")).to_contain_text("1件の送信待ち", timeout=15_000)
    expect(nurse.get_by_test_id("terms-screen")).to_have_count(0)
    # Back online: the record goes out before she has answered anything.
    phone.set_offline(False)
    nurse.evaluate("window.dispatchEvent(new Event('online'))")
    status = nurse.get_by_test_id("sync-status")
    expect(status).to_have_attribute("data-pending", "0", timeout=30_000)
    sent = nurse.locator("[data-testid=post]:not([data-pending])", has_text=record)
    expect(sent).to_have_count(1)

    # The next start online asks for the new version, saying it changed.
    nurse.reload()
    unlock(nurse)
    terms = nurse.get_by_test_id("terms-screen")
    expect(terms).to_have_attribute("data-version", "2026-10", timeout=20_000)
    expect(terms).to_contain_text("利用規約が変わりました")
    expect(nurse.get_by_test_id("terms-text")).to_contain_text("第2条")
    screenshot(nurse, "phone-terms-changed", full_page=False)
    nurse.get_by_test_id("terms-accept").click()
    expect(nurse.locator("[data-testid=post]", has_text=record)).to_have_count(1, timeout=20_000)

    # A doctor at a desktop of his own accepts the current version at his first sign-in.
    clinic = browser.new_context(
        viewport={"width": 1440, "height": 900}, locale="ja-JP", timezone_id="Asia/Tokyo"
    )
    try:
        doctor = clinic.new_page()
        _sign_in_to_terms(doctor, url, "demo-doctor")
        terms = doctor.get_by_test_id("terms-screen")
        expect(terms).to_have_attribute("data-version", "2026-10", timeout=20_000)
        screenshot(doctor, "desktop-terms-first-sign-in", full_page=False)
        doctor.get_by_test_id("terms-accept").click()
        wait_for_rooms(doctor, rooms_of("demo-doctor"))
    finally:
        clinic.close()

    # The ledger shows who accepted which version when; the history keeps both acceptances.
    admin.goto(f"{url}/#/admin/ledger")
    admin.get_by_test_id("ledger-q").fill("demo-")
    admin.get_by_test_id("ledger-search").click()
    nurse_row = admin.locator("[data-testid=ledger-row][data-login=demo-nurse]")
    expect(nurse_row.get_by_test_id("ledger-terms")).to_have_attribute("data-version", "2026-10")
    expect(nurse_row.get_by_test_id("ledger-terms")).to_contain_text("版 2026-10")
    pharmacist = admin.locator("[data-testid=ledger-row][data-login=demo-pharmacist]")
    expect(pharmacist.get_by_test_id("ledger-terms")).to_contain_text("未同意")
    screenshot(admin, "desktop-ledger-terms")
    nurse_row.get_by_role("link").first.click()
    history = admin.get_by_test_id("user-history")
    expect(history.locator("li", has_text="利用規約に同意")).to_have_count(2)
    expect(history).to_contain_text("版 2026-04")
    expect(history).to_contain_text("版 2026-10")
    screenshot(admin, "desktop-user-history-terms")
