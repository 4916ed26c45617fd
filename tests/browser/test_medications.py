"""Issue 17 item 7 in the browser: the pharmacist adds a drug on the tablet while offline (shown
at once as unsent), and back online it reaches the doctor's patient page with who changed it,
and the room's contact book as a post; the doctor stops it; the care manager reads the list but
cannot change it; 印刷 prints the list alone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from server.demo.data import PATIENTS

from .conftest import _new_context
from .pwa_helpers import open_room, sign_in
from .server import LiveServer

pytestmark = pytest.mark.browser

AOKI = PATIENTS[0].name
TABLET = {"width": 820, "height": 1180}
DRUG = "マグミット錠330mg"


def _patient_page(page: Page) -> None:
    open_room(page, AOKI)
    page.get_by_test_id("tab-patient").first.click()
    expect(page.get_by_test_id("medications")).to_be_visible(timeout=15_000)


def test_a_drug_added_offline_reaches_the_team_and_the_contact_book(
    demo_server: LiveServer, browser: Browser, screenshot: Callable[..., Path]
) -> None:
    tablet = _new_context(browser, viewport=TABLET, has_touch=True, locale="ja-JP",
                          timezone_id="Asia/Tokyo")
    desktop = _new_context(browser, viewport={"width": 1440, "height": 900}, locale="ja-JP",
                           timezone_id="Asia/Tokyo")
    try:
        pharmacist = tablet.new_page()
        sign_in(pharmacist, demo_server.url, "demo-pharmacist")
        pharmacist.wait_for_function(
            "async () => !!(await navigator.serviceWorker.ready).active", timeout=20_000)
        _patient_page(pharmacist)

        # --- offline: the pharmacist adds a drug; it shows at once, unsent -----------------
        tablet.set_offline(True)
        expect(pharmacist.get_by_test_id("sync-status")).to_contain_text("オフライン")
        pharmacist.get_by_test_id("medication-add").click()
        pharmacist.get_by_test_id("medication-name").fill(DRUG)
        pharmacist.get_by_test_id("medication-dose").fill("2錠")
        pharmacist.get_by_test_id("medication-timing").fill("1日2回 朝夕食後")
        pharmacist.get_by_test_id("medication-start").fill("2026-12-01")
        pharmacist.get_by_test_id("medication-save").click()
        row = pharmacist.locator("[data-testid=medication-row]", has_text=DRUG)
        expect(row).to_have_attribute("data-pending", "set")
        expect(row).to_contain_text("未送信")
        screenshot(pharmacist, "tablet-medication-offline", full_page=False)

        # --- back online: sent, and shown with who changed it ------------------------------
        tablet.set_offline(False)
        expect(row).not_to_have_attribute("data-pending", "set", timeout=30_000)
        expect(row).to_contain_text("山口 由美")

        # --- the doctor: on the patient page, and as a post in the contact book -------------
        doctor = desktop.new_page()
        sign_in(doctor, demo_server.url, "demo-doctor")
        _patient_page(doctor)
        line = doctor.locator("[data-testid=medications-current] [data-testid=medication-row]",
                              has_text=DRUG)
        expect(line).to_contain_text("2錠")
        expect(line).to_contain_text("1日2回 朝夕食後")
        expect(line).to_contain_text("山口 由美")
        doctor.get_by_test_id("tab-room").first.click()
        started = doctor.locator("[data-testid=post]", has_text=f"【服薬】開始：{DRUG}")
        expect(started).to_be_visible(timeout=15_000)

        # The doctor stops it: it leaves the current list for the stopped ones, as a post too.
        doctor.get_by_test_id("tab-patient").first.click()
        line.get_by_test_id("medication-stop").click()
        stopped = doctor.locator("[data-testid=medications-stopped] [data-testid=medication-row]",
                                 has_text=DRUG)
        expect(stopped).to_have_count(1, timeout=30_000)
        expect(line).to_have_count(0)

        # 印刷: everything but the list is hidden on paper.
        doctor.evaluate(
            "() => { window.print = () => { window.__printed = document.body.dataset.print; }; }")
        doctor.get_by_test_id("medications-print").click()
        assert doctor.evaluate("window.__printed") == "medications"
        doctor.evaluate("() => { document.body.dataset.print = 'medications'; }")
        doctor.emulate_media(media="print")
        expect(doctor.get_by_test_id("medications")).to_be_visible()
        expect(doctor.get_by_test_id("care-team")).to_be_hidden()
        expect(doctor.get_by_test_id("medication-add")).to_be_hidden()
        screenshot(doctor, "desktop-medications-print")
        doctor.emulate_media(media="screen")
        doctor.get_by_test_id("tab-room").first.click()
        ended = doctor.locator("[data-testid=post]", has_text=f"【服薬】中止：{DRUG}")
        expect(ended).to_be_visible(timeout=15_000)
    finally:
        tablet.close()
        desktop.close()


def test_the_care_manager_reads_the_list_but_cannot_change_it(
    demo_server: LiveServer, browser: Browser, screenshot: Callable[..., Path]
) -> None:
    context = _new_context(browser, viewport={"width": 1440, "height": 900}, locale="ja-JP",
                           timezone_id="Asia/Tokyo")
    try:
        manager = context.new_page()
        sign_in(manager, demo_server.url, "demo-caremanager")
        _patient_page(manager)
        expect(manager.get_by_test_id("medications")).to_contain_text(
            "変更できるのは、この部屋の薬剤師・医師・看護師です。")
        expect(manager.get_by_test_id("medication-add")).to_have_count(0)
        expect(manager.get_by_test_id("medication-edit")).to_have_count(0)
        # The demo patient's list, as the pharmacist entered it (server/demo/data.py).
        current = manager.locator(
            "[data-testid=medications-current] [data-testid=medication-row]",
            has_text="アムロジピン錠5mg")
        expect(current).to_contain_text("1日1回 朝食後")
        expect(current).to_contain_text("山口 由美")
        expect(manager.locator("[data-testid=medications-current] [data-testid=medication-row]",
                               has_text="酸化マグネシウム錠330mg")).to_have_count(1)
        expect(manager.locator("[data-testid=allergy-row]", has_text="セフェム系抗菌薬")
               ).to_contain_text("全身の発疹")
        manager.get_by_test_id("medications").scroll_into_view_if_needed()
        screenshot(manager, "desktop-demo-medications", full_page=False)
    finally:
        context.close()
