"""Issue 17 in the browser: a nurse on a tablet records SpO2 86 % offline and asks the doctor
a question; back online the doctor's push arrives at the loopback push receiver and the
doctor's 要対応 view (the desktop's start screen) shows the flagged reading and the question;
the doctor answers in the room and the nurse sees 「回答済み」; on the doctor's phone the vitals
chart shows SpO2's normal range as a band and the reading marked ▼ below it."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from server.demo.data import PATIENTS
from server.push.keys import load_vapid_keys
from tests.support.push_receiver import PushReceiver

from .conftest import CHROMIUM_ARGS, _new_context, demo_server_process  # noqa: F401
from .pwa_helpers import api_context, api_post, open_room, sign_in
from .server import LiveServer

pytestmark = pytest.mark.browser

AOKI = PATIENTS[0].name  # 青木 ハナ
TABLET = {"width": 820, "height": 1180}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def push_demo(
    database_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, PushReceiver]]:
    """The demo installation, its push worker delivering to a push service on loopback."""
    directory = tmp_path_factory.mktemp("attention-demo")
    with demo_server_process(database_template, directory,
                             CAREBOOK_PUSH_ALLOW_HTTP_LOOPBACK="1",
                             CAREBOOK_PUSH_WORKER="1") as server:
        keys = load_vapid_keys(directory / "data", None)
        with PushReceiver(vapid_public_key=keys.public_key) as receiver:
            yield server, receiver


def _taps(page: Page) -> int:
    return int(page.evaluate("window.__taps"))


def test_a_flagged_question_reaches_the_doctor_and_the_answer_comes_back(
    push_demo: tuple[LiveServer, PushReceiver],
    browser: Browser,
    playwright: Playwright,
    screenshot: Callable[..., Path],
) -> None:
    server, receiver = push_demo
    # The doctor's phone is subscribed to push at the loopback push service.
    doctor_api = api_context(playwright, server.url, "demo-doctor")
    try:
        key = doctor_api.context.get("/api/push/key").json()["publicKey"]
        subscription = receiver.new_subscription("doctor-phone", application_server_key=key)
        api_post(doctor_api, "/api/push/subscriptions", subscription)
    finally:
        doctor_api.dispose()
    # The nurse keeps a template (定型文) for visit records; its placeholders are filled on
    # the tablet when used.
    nurse_api = api_context(playwright, server.url, "demo-nurse")
    try:
        api_post(nurse_api, "/api/templates", {
            "title": "定期訪問", "body": "{日付} 定期訪問。{患者名}様、", "scope": "personal",
            "reportTitleName": "バイタル"})
    finally:
        nurse_api.dispose()

    tablet = _new_context(browser, viewport=TABLET, has_touch=True, locale="ja-JP",
                          timezone_id="Asia/Tokyo")
    desktop = _new_context(browser, viewport={"width": 1440, "height": 900}, locale="ja-JP",
                           timezone_id="Asia/Tokyo")
    phone = _new_context(browser, viewport=PHONE, device_scale_factor=3, is_mobile=True,
                         has_touch=True, locale="ja-JP", timezone_id="Asia/Tokyo")
    try:
        nurse = tablet.new_page()
        sign_in(nurse, server.url, "demo-nurse")
        nurse.wait_for_function(
            "async () => !!(await navigator.serviceWorker.ready).active", timeout=20_000
        )
        open_room(nurse, AOKI)
        question = f"SpO2が低めです。酸素の指示をお願いします。{int(time.time())}"

        # --- offline, on the tablet: a visit record with vitals in six taps -------------------
        tablet.set_offline(True)
        expect(nurse.get_by_test_id("sync-status")).to_contain_text("オフライン")
        nurse.evaluate("""() => { window.__taps = 0;
            document.addEventListener('pointerdown', () => window.__taps++, true); }""")
        nurse.get_by_test_id("compose-link").click()  # 1
        # The template chooses the report title and fills the text in one tap.
        nurse.locator("[data-testid=template-choice][data-title=定期訪問]").click()  # 2
        expect(nurse.locator("[data-testid=title-choice][data-title=バイタル]")).to_be_checked()
        expect(nurse.get_by_test_id("post-body")).to_have_value(re.compile(
            r"^\d{4}/\d{1,2}/\d{1,2} 定期訪問。" + AOKI + "様、$"))
        nurse.get_by_test_id("vital-systolic").click()  # 3
        for value in ("128", "76", "88", "36.8", "86", "", "", ""):
            nurse.keyboard.type(value)
            nurse.keyboard.press("Enter")  # the keyboard's 次へ: no tap
        expect(nurse.get_by_test_id("post-body")).to_be_focused()
        nurse.keyboard.type(question)
        # Flagged before it is sent, from the thresholds the tablet synced: SpO2 86 is low,
        # and 至急 ticks itself; the readings in range are not marked.
        expect(nurse.get_by_test_id("vital-spo2-hint")).to_contain_text("基準値外")
        expect(nurse.locator(".vital-field[data-flag]")).to_have_count(1)
        expect(nurse.get_by_test_id("post-urgent")).to_be_checked()
        expect(nurse.get_by_test_id("flagged-urgent")).to_be_visible()
        nurse.locator("[data-testid=addressee-choice][data-name='高橋 誠']").click()  # 4
        nurse.get_by_test_id("asks-answer").click()  # 5
        submit = nurse.get_by_test_id("post-submit")
        # 投稿する is on screen without scrolling, at the tablet's size.
        box = submit.bounding_box()
        assert box is not None and box["y"] + box["height"] <= TABLET["height"], box
        screenshot(nurse, "tablet-compose-flagged", full_page=False)
        submit.click()  # 6
        assert _taps(nurse) == 6
        queued = nurse.locator("[data-testid=post][data-pending=sending]", has_text=question)
        expect(queued).to_have_count(1)
        expect(queued.get_by_test_id("flag-mark")).to_be_visible()
        expect(queued.get_by_test_id("post-vitals").locator("[data-flag=low]")).to_contain_text(
            "86")
        screenshot(nurse, "tablet-offline-flagged", full_page=False)

        # --- back online: the post goes, the doctor is told ----------------------------------
        tablet.set_offline(False)
        nurse.evaluate("window.dispatchEvent(new Event('online'))")
        expect(nurse.get_by_test_id("sync-status")).to_have_attribute("data-pending", "0",
                                                                      timeout=30_000)
        [push] = receiver.wait_for(1, 30.0, endpoint=subscription)
        assert push.json["addressed"] is True and push.json["urgent"] is True
        assert push.urgency == "high"
        # Nothing about the patient: the opaque room id (which may hold "86" by chance) aside.
        assert set(push.json) == {"type", "room", "count", "urgent", "addressed"}
        rest = json.dumps({k: v for k, v in push.json.items() if k != "room"},
                          ensure_ascii=False)
        for needle in (AOKI, "SpO2", "86", "酸素"):
            assert needle not in rest

        # --- the doctor's desktop opens on what needs the doctor ------------------------------
        doctor = desktop.new_page()
        sign_in(doctor, server.url, "demo-doctor")
        line = doctor.locator("[data-testid=attention-line]", has_text=AOKI)
        expect(line).to_have_count(1, timeout=20_000)
        expect(line.get_by_test_id("attention-flagged")).to_contain_text("SpO2 86")
        expect(line.get_by_test_id("attention-addressed")).to_contain_text("SpO2が低めです")
        screenshot(doctor, "desktop-attention", full_page=False)
        line.get_by_test_id("attention-open").click()
        post = doctor.locator("[data-testid=post]", has_text=question)
        expect(post.get_by_test_id("flag-mark")).to_be_visible()
        expect(post.get_by_test_id("new-mark")).to_be_visible()
        expect(post.locator("[data-testid=addressee][data-state=waiting]")).to_contain_text(
            "あなた宛て")
        post.get_by_test_id("comment-input").fill("酸素2L/分で開始してください。")
        post.get_by_test_id("comment-submit").click()
        expect(post.locator("[data-testid=addressee][data-state=answered]")).to_have_count(1)

        # --- the nurse sees it answered ---------------------------------------------------------
        answered = nurse.locator("[data-testid=post]", has_text=question)
        expect(answered.locator("[data-testid=addressee][data-state=answered]")).to_have_count(
            1, timeout=30_000)
        expect(answered.get_by_test_id("not-answered")).to_have_count(0)
        screenshot(nurse, "tablet-answered", full_page=False)

        # The doctor's line now has no question left; clearing it empties the view.
        doctor.goto(server.url + "/#/attention")
        line = doctor.locator("[data-testid=attention-line]", has_text=AOKI)
        expect(line.get_by_test_id("attention-addressed")).to_have_count(0, timeout=20_000)
        if line.count():
            line.get_by_test_id("attention-clear").click()
        expect(doctor.locator("[data-testid=attention-line]", has_text=AOKI)).to_have_count(
            0, timeout=20_000)

        # --- the doctor's phone: the vitals chart marks the reading ----------------------------
        mobile = phone.new_page()
        sign_in(mobile, server.url, "demo-doctor")
        open_room(mobile, AOKI)
        mobile.get_by_test_id("tab-vitals").click()
        chart = mobile.get_by_test_id("vitals-chart")
        expect(chart.locator("canvas").first).to_be_visible(timeout=15_000)
        # SpO2's normal range in force (≥ 90 %, the default) is a band on the SpO2 chart …
        band = chart.locator("[data-testid=vitals-band][data-sign=spo2]")
        expect(band).to_have_count(1)
        # … and 86 %, flagged when it was posted, is marked ▼ with words, below the band.
        marker = chart.locator("[data-testid=vitals-flag][data-sign=spo2][data-flag=low]",
                               has=mobile.locator("title", has_text="SpO2 86%"))
        expect(marker).to_have_count(1)
        expect(marker).to_have_attribute("aria-label", re.compile(r"^基準値外：SpO2 86%"))
        band_box, marker_box = band.bounding_box(), marker.bounding_box()
        assert band_box is not None and marker_box is not None
        assert marker_box["y"] + marker_box["height"] / 2 > band_box["y"] + band_box["height"]
        # Nothing else the nurse recorded (128/76, pulse 88, 36.8 ℃) is marked.
        expect(chart.locator("[data-testid=vitals-flag]",
                             has=mobile.locator("title", has_text="86%"))).to_have_count(1)
        expect(chart.locator("[data-testid=vitals-flag]",
                             has=mobile.locator("title", has_text=" 128mmHg"))).to_have_count(0)
        legend = mobile.get_by_test_id("vitals-legend")
        expect(legend).to_contain_text("基準範囲")
        expect(legend).to_contain_text("基準値外")
        # The chart and its legend fit the phone's width (nothing to scroll sideways).
        assert mobile.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        row = mobile.get_by_test_id("vitals-table").locator("td[data-flag=low]", has_text="86")
        expect(row).to_have_count(1)
        chart.locator("[data-panel='vitals.chartSpo2']").scroll_into_view_if_needed()
        screenshot(mobile, "phone-vitals-flagged", full_page=False)
        # The same on the doctor's desktop.
        doctor.goto(mobile.url)
        wide = doctor.get_by_test_id("vitals-chart")
        expect(wide.locator("[data-testid=vitals-band][data-sign=spo2]")).to_have_count(1)
        expect(wide.locator("[data-testid=vitals-flag][data-sign=spo2][data-flag=low]")).to_have_count(1)
        screenshot(doctor, "desktop-vitals-flagged", full_page=True)
    finally:
        tablet.close()
        desktop.close()
        phone.close()
