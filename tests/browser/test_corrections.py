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
    hospital = "みどり市民病院 地域医療連携室（病院）"
    transfer.get_by_test_id("transfer-office").select_option(label=hospital)
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
    level = care_manager.get_by_test_id("patient-care-level")
    expect(level).to_have_text("要介護4", timeout=20_000)
    physician = care_manager.get_by_test_id("patient-physician")
    expect(physician).to_have_text("みどり在宅クリニック 高橋 誠")
    screenshot(care_manager, "phone")

    # The nurse's desktop learns it by sync, without a reload.
    expect(nurse.get_by_test_id("patient-care-level")).to_have_text("要介護4", timeout=20_000)
    expect(nurse.get_by_test_id("patient-physician")).to_have_text("みどり在宅クリニック 高橋 誠")
    screenshot(nurse, "desktop")


def test_a_clerk_corrects_a_patient_records_a_withdrawn_consent_and_reopens_the_room(
    demo_server: LiveServer,
    desktop: BrowserContext,
    phone: BrowserContext,
    screenshot: Callable[..., Path],
) -> None:
    url = demo_server.url
    clerk = desktop.new_page()
    clerk.on("dialog", _accept)
    sign_in(clerk, url, "demo-admin")
    clerk.goto(f"{url}/#/admin/rooms")
    clerk.locator("[data-testid=admin-room-row]").filter(has_text="山本 キヨ").get_by_role(
        "link"
    ).first.click()
    room = clerk.get_by_test_id("admin-room")
    expect(room).to_have_attribute("data-status", "open", timeout=15_000)

    fix = clerk.get_by_test_id("patient-correct")
    fix.get_by_test_id("pfix-address").fill("みどり市本町9丁目9番9号")
    fix.get_by_test_id("pfix-emergencyContactName").fill("山本 一郎")
    fix.get_by_test_id("pfix-note").fill("転居届による")
    fix.get_by_test_id("patient-correct-save").click()
    history = clerk.get_by_test_id("room-history")
    expect(history.locator("[data-testid=change-row][data-field=address]")).to_contain_text(
        "みどり市本町9丁目9番9号", timeout=15_000
    )
    expect(history.locator("[data-testid=change-row][data-field=address]")).to_contain_text(
        "森田 和夫"
    )

    withdraw = clerk.get_by_test_id("consent-withdraw")
    withdraw.get_by_test_id("withdraw-reason").fill("ご家族から情報共有の中止の申し出")
    withdraw.get_by_test_id("consent-withdraw-submit").click()
    expect(room).to_have_attribute("data-status", "closed", timeout=15_000)
    expect(room).to_contain_text("同意の撤回")

    reopen = clerk.get_by_test_id("room-reopen")
    expect(reopen.get_by_test_id("reopen-member")).to_have_count(8)
    reopen.get_by_test_id("reopen-explained-by").fill("佐藤 美香")
    reopen.get_by_test_id("reopen-explainer-office").fill("みどりケアプランセンター")
    reopen.get_by_test_id("reopen-note").fill("ご家族と再度話し合い、同意を得た")
    reopen.get_by_test_id("room-reopen-submit").click()
    expect(room).to_have_attribute("data-status", "open", timeout=15_000)
    expect(room).to_contain_text("みどりケアプランセンター")
    expect(history.locator("[data-testid=change-row][data-field=status]")).to_contain_text("再開")
    screenshot(clerk, "desktop")

    # A member's phone shows the corrected address and emergency contact after the reopening.
    nurse = phone.new_page()
    sign_in(nurse, url, "demo-nurse")
    open_room(nurse, "山本 キヨ")
    nurse.get_by_test_id("tab-patient").click()
    expect(nurse.get_by_test_id("patient-facts")).to_contain_text("みどり市本町9丁目9番9号")
    expect(nurse.get_by_test_id("patient-emergency")).to_contain_text("山本 一郎")
    screenshot(nurse, "phone")


def test_a_clerk_corrects_an_office_records_its_new_representative_and_merges_it(
    demo_server: LiveServer,
    desktop: BrowserContext,
    screenshot: Callable[..., Path],
) -> None:
    url = demo_server.url
    clerk = desktop.new_page()
    clerk.on("dialog", _accept)
    sign_in(clerk, url, "demo-admin")
    clerk.goto(f"{url}/#/admin/offices")
    clerk.locator("[data-testid=office-open]", has_text="みどり福祉用具サービス").click()
    office = clerk.get_by_test_id("office-corrections")
    expect(office).to_have_attribute("data-closed", "no", timeout=15_000)

    fix = clerk.get_by_test_id("office-correct")
    fix.get_by_test_id("ofix-phone").fill("012-555-0111")
    fix.get_by_test_id("ofix-note").fill("電話番号の変更届")
    fix.get_by_test_id("office-correct-save").click()
    history = clerk.get_by_test_id("change-history")
    expect(history.locator("[data-testid=change-row][data-field=phone]")).to_contain_text(
        "012-555-0111", timeout=15_000
    )

    pledge = clerk.get_by_test_id("office-pledge")
    pledge.get_by_test_id("opledge-rep").fill("代表 長谷川 聡")
    pledge.get_by_test_id("office-pledge-save").click()
    expect(history.locator("[data-testid=change-row][data-field=representative]")).to_contain_text(
        "代表 長谷川 聡", timeout=15_000
    )

    close = clerk.get_by_test_id("office-close")
    close.get_by_test_id("oclose-target").select_option(label="ヘルパーステーションあおぞら（訪問介護事業所）")
    close.get_by_test_id("oclose-note").fill("4月1日付で統合")
    close.get_by_test_id("office-close-submit").click()
    expect(office).to_have_attribute("data-closed", "yes", timeout=15_000)
    expect(clerk.get_by_test_id("office-closed")).to_contain_text("統合")
    expect(clerk.get_by_test_id("office-staff")).not_to_contain_text("長谷川 亮")
    expect(office).to_contain_text("以前の職員")
    screenshot(clerk, "desktop")

    # The moved person now belongs to the other office, and the ledger says so.
    _user_page(clerk, url, "demo-equipment")
    periods = clerk.get_by_test_id("office-period")
    expect(periods).to_have_count(2, timeout=15_000)
    expect(periods.nth(1)).to_contain_text("ヘルパーステーションあおぞら")
