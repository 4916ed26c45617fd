"""Corrections in a real browser: a clerk transfers a doctor to another office, leaving one
room (the doctor's phone drops it, the ledger shows both office periods); a care manager
corrects a patient's care level on the PWA and another member's device shows it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Dialog, Page, expect

from .pwa_helpers import open_room, sign_in, wait_for_rooms
from .server import LiveServer

AOKI = "青木"
ISHIKAWA = "石川 茂"


def _accept(dialog: Dialog) -> None:
    dialog.accept()


def _user_page(clerk: Page, url: str, login_id: str) -> None:
    clerk.goto(f"{url}/#/admin/ledger")
    clerk.get_by_test_id("ledger-q").fill(login_id)
    clerk.get_by_test_id("ledger-search").click()
    row = clerk.locator(f"[data-testid=ledger-row][data-login={login_id}]")
    expect(row).to_have_count(1, timeout=15_000)
    row.get_by_role("link").first.click()
    expect(clerk.get_by_test_id("admin-user")).to_be_visible(timeout=15_000)


def test_a_clerk_transfers_a_doctor_who_leaves_one_room_and_the_ledger_keeps_both_periods(
    demo_server: LiveServer,
    desktop: BrowserContext,
    phone: BrowserContext,
    screenshot: Callable[..., Path],
) -> None:
    url = demo_server.url
    doctor = phone.new_page()
    sign_in(doctor, url, "demo-doctor")  # three rooms
    clerk = desktop.new_page()
    clerk.on("dialog", _accept)
    sign_in(clerk, url, "demo-admin")
    _user_page(clerk, url, "demo-doctor")

    transfer = clerk.get_by_test_id("user-transfer")
    transfer.get_by_test_id("transfer-office").select_option(label="みどり市民病院 地域医療連携室（病院）")
    rooms = transfer.get_by_test_id("transfer-room")
    expect(rooms).to_have_count(3)
    rooms.filter(has_text=AOKI).get_by_test_id("transfer-leave").check()
    transfer.get_by_test_id("transfer-note").fill("12月1日付 市民病院 地域医療連携室へ異動")
    transfer.get_by_test_id("transfer-submit").click()

    periods = clerk.get_by_test_id("office-period")
    expect(periods).to_have_count(2, timeout=15_000)
    expect(periods.nth(0)).to_contain_text("みどり在宅クリニック")
    expect(periods.nth(0)).to_have_attribute("data-current", "no")
    expect(periods.nth(1)).to_contain_text("みどり市民病院")
    expect(periods.nth(1)).to_have_attribute("data-current", "yes")
    history = clerk.get_by_test_id("change-history")
    office_row = history.locator("[data-testid=change-row][data-field=office]")
    expect(office_row).to_contain_text("みどり在宅クリニック")
    expect(office_row).to_contain_text("森田 和夫")  # who
    expect(office_row).to_contain_text("12月1日付")
    expect(clerk.get_by_test_id("admin-user")).to_contain_text("みどり市民病院 地域医療連携室")
    screenshot(clerk, "desktop")

    # The doctor's phone drops the room left and keeps the other two.
    wait_for_rooms(doctor, 2)
    expect(doctor.locator("[data-testid=room-row]:visible", has_text=AOKI)).to_have_count(0)
    screenshot(doctor, "phone")


def test_a_care_manager_corrects_the_care_level_and_a_nurses_device_shows_it(
    demo_server: LiveServer,
    desktop: BrowserContext,
    phone: BrowserContext,
    screenshot: Callable[..., Path],
) -> None:
    url = demo_server.url
    nurse = desktop.new_page()
    sign_in(nurse, url, "demo-nurse")
    open_room(nurse, ISHIKAWA)
    nurse.get_by_test_id("tab-patient").click()
    expect(nurse.get_by_test_id("patient-care-level")).to_have_text("要介護3", timeout=15_000)
    expect(nurse.get_by_test_id("patient-correct-open")).to_have_count(0)  # not a care manager

    care_manager = phone.new_page()
    sign_in(care_manager, url, "demo-caremanager")
    open_room(care_manager, ISHIKAWA)
    care_manager.get_by_test_id("tab-patient").click()
    care_manager.get_by_test_id("patient-correct-open").click()
    form = care_manager.get_by_test_id("patient-correct-form")
    form.get_by_test_id("pc-careLevel").select_option("care_4")
    form.get_by_test_id("pc-attendingPhysician").fill("みどり在宅クリニック 高橋 誠")
    form.get_by_test_id("pc-note").fill("区分変更の認定（12月1日付）")
    screenshot(care_manager, "phone-form")
    form.get_by_test_id("patient-correct-save").click()
    expect(care_manager.get_by_test_id("patient-care-level")).to_have_text("要介護4", timeout=20_000)
    expect(care_manager.get_by_test_id("patient-physician")).to_have_text("みどり在宅クリニック 高橋 誠")
    screenshot(care_manager, "phone")

    # The nurse's desktop learns it by sync, without a reload.
    expect(nurse.get_by_test_id("patient-care-level")).to_have_text("要介護4", timeout=20_000)
    expect(nurse.get_by_test_id("patient-physician")).to_have_text("みどり在宅クリニック 高橋 誠")
    screenshot(nurse, "desktop")
