"""The nurse's PWA against a live demo server: passcode, encrypted cache, offline outbox,
wipes, and the service worker's push handling (issues 6 and 7)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    FilePayload,
    Page,
    Playwright,
    Route,
    expect,
)

from server.demo.data import DEMO_PASSWORD, PATIENTS, POSTS

from .conftest import CHROMIUM_ARGS  # noqa: F401  (the same browser set-up as every browser test)
from .pages import Device
from .pwa_helpers import (
    DUMP_INDEXEDDB,
    PASSCODE,
    api_context,
    api_post,
    device_state,
    grant_notifications,
    my_user_id,
    open_room,
    rooms_of,
    sign_in,
    totp_code,
    unlock,
    wait_for_rooms,
)
from .server import LiveServer

pytestmark = pytest.mark.browser

AOKI = PATIENTS[0].name  # 青木 ハナ


def _wait_sw(page: Page) -> None:
    page.wait_for_function(
        "async () => !!(await navigator.serviceWorker.ready).active", timeout=20_000
    )


def test_sign_in_set_passcode_and_read_rooms(
    demo_server: LiveServer, device: Device, screenshot: Callable[..., Path]
) -> None:
    watched = device.new_page()
    page = watched.page
    login = "demo-nurse" if device.name == "phone" else "demo-caremanager"
    sign_in(page, demo_server.url, login)
    rows = page.locator("[data-testid=room-row]:visible")
    for patient in PATIENTS:
        expect(rows.filter(has_text=patient.name)).to_have_count(1)
    expect(rows.filter(has_text=AOKI)).to_contain_text("要介護4")
    screenshot(page, f"{device.name}-rooms", full_page=False)

    # Search by kana (hiragana finds katakana).
    page.locator("[data-testid=room-search]:visible").fill("いしかわ")
    expect(rows).to_have_count(1)
    page.locator("[data-testid=room-search]:visible").fill("")

    open_room(page, AOKI)
    posts = page.get_by_test_id("post")
    assert posts.count() >= 10
    expect(page.get_by_test_id("post-vitals").first).to_be_visible()
    if device.name == "desktop":
        # Side by side: the room list stays visible beside the contact book.
        expect(page.locator(".split-rooms [data-testid=room-row]")).to_have_count(3)
    screenshot(page, f"{device.name}-contact-book", full_page=False)

    # Filter by report title.
    page.get_by_test_id("title-filter").select_option(label="バイタル")
    expect(page.locator("[data-testid=post] .title-chip").first).to_have_text("バイタル")
    titles = page.locator("[data-testid=post] .title-chip").all_inner_texts()
    assert titles and set(titles) == {"バイタル"}

    page.get_by_test_id("tab-patient").click()
    expect(page.get_by_test_id("patient-birth")).to_contain_text("昭和5年4月12日")
    expect(page.get_by_test_id("care-team")).to_contain_text("みどり訪問看護ステーション")
    screenshot(page, f"{device.name}-patient", full_page=False)

    page.get_by_test_id("tab-vitals").click()
    expect(page.locator("[data-testid=vitals-chart] canvas").first).to_be_visible(timeout=15_000)
    screenshot(page, f"{device.name}-vitals", full_page=False)

    # Readable at 200% text: nothing scrolls sideways, tap targets stay ≥ 44 px.
    page.get_by_test_id("tab-room").click()
    expect(page.get_by_test_id("post").first).to_be_visible()
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"sideways scroll of {overflow}px at 200% text on {device.name}"
    small = page.evaluate(
        """() => [...document.querySelectorAll('main a, main button, main input, main select')]
            .filter((e) => e.offsetParent !== null && !e.classList.contains('visually-hidden'))
            .map((e) => e.getBoundingClientRect())
            .filter((r) => r.height < 44 && r.width > 0).length"""
    )
    page.evaluate("document.documentElement.style.fontSize = ''")
    assert small == 0, f"{small} tap targets smaller than 44 px"
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    screenshot(page, f"{device.name}-contact-book-200pct", full_page=False)
    assert watched.problems() == []


def test_offline_posts_survive_reload_and_arrive_once(
    demo_server: LiveServer,
    phone: BrowserContext,
    browser: Browser,
    screenshot: Callable[..., Path],
) -> None:
    page = phone.new_page()
    sign_in(page, demo_server.url, "demo-nurse")
    _wait_sw(page)
    open_room(page, AOKI)
    stamp = str(int(time.time()))
    texts = [f"オフライン訪問記録A-{stamp}", f"オフライン訪問記録B-{stamp}"]

    phone.set_offline(True)
    expect(page.get_by_test_id("sync-status")).to_contain_text("オフライン")
    # First post: vitals.
    page.get_by_test_id("compose-link").click()
    page.locator("[data-testid=title-choice][data-title=バイタル]").check()
    page.get_by_test_id("vital-systolic").fill("142")
    page.get_by_test_id("vital-diastolic").fill("84")
    page.get_by_test_id("vital-temperature").fill("36.8")
    page.get_by_test_id("post-body").fill(texts[0])
    expect(page.get_by_test_id("vital-systolic")).to_have_attribute("inputmode", "decimal")
    screenshot(page, "phone-compose-vitals", full_page=False)
    page.get_by_test_id("post-submit").click()
    # Second post: a photo from the "camera".
    page.get_by_test_id("compose-link").click()
    page.locator("[data-testid=title-choice][data-title=褥瘡・創傷]").check()
    page.get_by_test_id("post-body").fill(texts[1])
    page.get_by_test_id("post-photos").set_input_files(_test_jpeg())
    expect(page.get_by_test_id("draft-photo")).to_have_count(1)
    page.get_by_test_id("post-submit").click()
    expect(page.get_by_test_id("sync-status")).to_contain_text("2件の送信待ち")
    expect(page.locator("[data-testid=post][data-pending=sending]")).to_have_count(2)
    screenshot(page, "phone-offline-queued", full_page=False)

    # Reload while offline: the service worker serves the app, the outbox is still there.
    page.reload()
    unlock(page)
    expect(page.get_by_test_id("sync-status")).to_contain_text("2件の送信待ち", timeout=15_000)
    expect(page.locator("[data-testid=post][data-pending=sending]")).to_have_count(2)

    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    status = page.get_by_test_id("sync-status")
    expect(status).to_have_attribute("data-pending", "0", timeout=30_000)
    pending = page.locator("[data-testid=post][data-pending=sending]")
    expect(pending).to_have_count(0, timeout=20_000)
    for text in texts:
        expect(page.locator("[data-testid=post]", has_text=text)).to_have_count(1)
    screenshot(page, "phone-delivered", full_page=False)

    # The author corrects a post (post.edit with its base version).
    post_id = page.locator("[data-testid=post]", has_text=texts[0]).get_attribute("data-post-id")
    first = page.locator(f"[data-post-id='{post_id}']")
    first.get_by_test_id("post-edit").click()
    texts[0] += "（訂正：体温36.9）"
    first.get_by_test_id("post-edit-body").fill(texts[0])
    first.get_by_test_id("post-edit-save").click()
    expect(page.locator("[data-testid=post]:not([data-pending])", has_text=texts[0])).to_have_count(
        1, timeout=20_000
    )

    # Another member sees each post exactly once, with its vitals and photo.
    doctor_context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="ja-JP",
                                         timezone_id="Asia/Tokyo")
    try:
        doctor = doctor_context.new_page()
        sign_in(doctor, demo_server.url, "demo-doctor")
        open_room(doctor, AOKI)
        for text in texts:
            expect(doctor.locator("[data-testid=post]", has_text=text)).to_have_count(1)
        vitals_post = doctor.locator("[data-testid=post]", has_text=texts[0])
        expect(vitals_post.get_by_test_id("post-vitals")).to_contain_text("142")
        photo_post = doctor.locator("[data-testid=post]", has_text=texts[1])
        expect(photo_post.get_by_test_id("post-photo")).to_have_count(1, timeout=15_000)
        screenshot(doctor, "desktop-doctor-sees-offline-posts", full_page=False)
    finally:
        doctor_context.close()


def _test_jpeg() -> FilePayload:
    """A small real JPEG (the PWA decodes, downscales and re-encodes it)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1800), (200, 120, 90)).save(buffer, "JPEG", quality=80)
    return FilePayload(name="wound.jpg", mimeType="image/jpeg", buffer=buffer.getvalue())


def test_indexeddb_holds_no_plaintext_and_drafts_survive_closing(
    demo_server: LiveServer, phone: BrowserContext
) -> None:
    page = phone.new_page()
    sign_in(page, demo_server.url, "demo-pharmacist")
    open_room(page, AOKI)
    # A draft, typed and left: it is kept (encrypted) when the app closes.
    draft = f"下書き：残薬の確認 {int(time.time())}"
    page.get_by_test_id("compose-link").click()
    page.locator("[data-testid=title-choice][data-title=服薬]").check()
    page.get_by_test_id("post-body").fill(draft)
    page.wait_for_timeout(800)  # the draft is saved 0.4 s after the last keystroke

    dump = page.evaluate(DUMP_INDEXEDDB)
    assert dump["carebook/posts"]["count"] >= 10, dump.keys()
    everything = json.dumps(dump, ensure_ascii=False)
    secrets = [p.name for p in PATIENTS] + [p.name_kana for p in PATIENTS]
    secrets += [p.address for p in PATIENTS] + [p.phone for p in PATIENTS]
    secrets += [post.body[:12] for post in POSTS if post.room == "aoki"][:10]
    secrets += ["systolic", "バイタル", "訪問看護記録", "鈴木", "高橋 誠", draft, "残薬"]
    found = [s for s in secrets if s in everything]
    assert found == [], f"plaintext in IndexedDB: {found}"

    # The service worker cached the app shell, and never an API answer.
    _wait_sw(page)
    cached: list[str] = page.evaluate(
        """async () => {
          const urls = [];
          for (const name of await caches.keys()) {
            for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
          }
          return urls;
        }"""
    )
    assert any(u.endswith("/index.html") for u in cached), cached
    assert [u for u in cached if "/api/" in u] == []

    url = page.url
    page.close()
    again = phone.new_page()
    again.goto(url)
    unlock(again)
    expect(again.get_by_test_id("post-body")).to_have_value(draft, timeout=15_000)
    expect(again.locator("[data-testid=title-choice][data-title=服薬]")).to_be_checked()


def test_five_wrong_passcodes_wipe_everything(
    demo_server: LiveServer, phone: BrowserContext, screenshot: Callable[..., Path]
) -> None:
    page = phone.new_page()
    sign_in(page, demo_server.url, "demo-helper")
    _wait_sw(page)
    assert device_state(page)["caches"], "the app shell should be cached"
    page.reload()
    for attempt in range(1, 5):
        unlock(page, "000001" if attempt % 2 else "918273")
        expect(page.get_by_test_id("passcode-error")).to_contain_text(f"あと{5 - attempt}回")
        if attempt == 2:
            page.reload()  # the count survives a reload
    screenshot(page, "phone-wrong-passcode", full_page=False)
    unlock(page, "555123")
    expect(page.get_by_test_id("login-id")).to_be_visible(timeout=15_000)
    state = device_state(page)
    assert state == {"databases": [], "caches": [], "registrations": 0}, state
    screenshot(page, "phone-wiped-after-passcodes", full_page=False)


def test_server_flagged_wipe_on_next_request(
    demo_server: LiveServer, phone: BrowserContext, playwright: Playwright
) -> None:
    page = phone.new_page()
    sign_in(page, demo_server.url, "demo-careworker")
    _wait_sw(page)
    user_id = my_user_id(page)
    # The tablet is put away (no page open, no live stream) when the city flags it: the
    # order must reach it at its next request. (Flagging while the page is open races the
    # live stream's own wipe against the test's reload.)
    page.close()
    admin = api_context(playwright, demo_server.url, "demo-admin")
    try:
        api_post(admin, f"/api/admin/users/{user_id}/wipe-devices")
    finally:
        admin.dispose()
    page = phone.new_page()
    page.goto(demo_server.url + "/")
    unlock(page)
    expect(page.get_by_test_id("login-id")).to_be_visible(timeout=20_000)
    expect(page.get_by_test_id("notice")).to_contain_text("消去")
    state = device_state(page)
    assert state == {"databases": [], "caches": [], "registrations": 0}, state


def test_a_late_answer_to_the_wiped_app_does_not_undo_her_next_sign_in(
    demo_server: LiveServer, phone: BrowserContext, playwright: Playwright
) -> None:
    """One of the wiped app's first requests is still on its way (a slow network) when the
    wipe ends and she signs in again; its answer, `wipe` for the old device id, comes after.
    It must not erase the new sign-in's device id and keys (her next step would be refused:
    「最初からやり直してください」)."""
    url = demo_server.url
    page = phone.new_page()
    sign_in(page, url, "demo-careworker")
    _wait_sw(page)
    user_id = my_user_id(page)
    page.close()
    admin = api_context(playwright, url, "demo-admin")
    try:
        api_post(admin, f"/api/admin/users/{user_id}/wipe-devices")
    finally:
        admin.dispose()

    page = phone.new_page()
    held: list[Route] = []

    def hold_the_first(route: Route) -> None:
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/api/me", hold_the_first)
    page.goto(url + "/")
    unlock(page)
    expect(page.get_by_test_id("login-id")).to_be_visible(timeout=20_000)
    assert held, "the app did not ask who is signed in after the unlock"
    wiped_id = held[0].request.headers["x-carebook-device"]

    page.get_by_test_id("login-id").fill("demo-careworker")
    page.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("totp-code").fill(totp_code("demo-careworker"))
    page.get_by_test_id("totp-submit").click()
    expect(page.get_by_test_id("passcode-new")).to_be_visible(timeout=20_000)
    new_id = page.evaluate("localStorage.getItem('carebook.deviceId')")
    assert new_id and new_id != wiped_id

    # Now the old request reaches the server and its answer the app: `wipe`, for the old id.
    with page.expect_response(lambda r: r.request is held[0].request) as late:
        held[0].continue_()
    answer = late.value
    assert answer.status == 401 and answer.json()["wipe"] is True
    assert "clear-site-data" not in answer.headers  # only the order's first answer has it
    page.wait_for_timeout(500)  # what the app does with it, if anything, is done by now

    assert page.evaluate("localStorage.getItem('carebook.deviceId')") == new_id
    page.get_by_test_id("passcode-new").fill(PASSCODE)
    page.get_by_test_id("passcode-confirm").fill(PASSCODE)
    page.get_by_test_id("passcode-submit").click()
    wait_for_rooms(page, rooms_of("demo-careworker"))
    expect(page.get_by_test_id("notice").filter(has_text="消去")).to_have_count(0)


def _poll(page: Page, script: str, timeout_s: float = 15) -> object:
    """Evaluates an async script until it answers something truthy (or the time is up)."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = page.evaluate(script)
        if value or time.monotonic() > deadline:
            return value
        page.wait_for_timeout(200)


def _deliver_push(page: Page, origin: str, payload: dict[str, object]) -> None:
    cdp = page.context.new_cdp_session(page)
    registrations: list[dict[str, str]] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while not registrations and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert registrations, "no service worker registration reported"
    cdp.send("ServiceWorker.deliverPushMessage", {
        "origin": origin,
        "registrationId": registrations[0]["registrationId"],
        "data": json.dumps(payload),
    })


def test_push_shows_a_generic_notification_and_a_wipe_push_wipes(
    demo_server: LiveServer, phone: BrowserContext, screenshot: Callable[..., Path]
) -> None:
    grant_notifications(phone, demo_server.url)
    page = phone.new_page()
    sign_in(page, demo_server.url, "demo-clinic-doctor")
    _wait_sw(page)
    room_id = page.locator("[data-testid=room-row]:visible").first.get_attribute("data-room-id")
    assert room_id
    push = {"type": "post", "room": room_id, "count": 1, "urgent": True}
    _deliver_push(page, demo_server.url, push)
    notes = _poll(page, """async () => {
        const n = await (await navigator.serviceWorker.ready).getNotifications();
        return n.length ? n.map((x) => ({tag: x.tag, body: x.body, title: x.title})) : null;
    }""")
    expected = {"tag": f"room-{room_id}", "body": "至急の投稿があります", "title": "carebook"}
    assert notes == [expected]

    _deliver_push(page, demo_server.url, {"type": "wipe"})
    assert _poll(page, """async () =>
        (await indexedDB.databases()).length === 0 && (await caches.keys()).length === 0""")
    expect(page.get_by_test_id("login-id")).to_be_visible(timeout=15_000)
    screenshot(page, "phone-wiped-by-push", full_page=False)
    assert device_state(page) == {"databases": [], "caches": [], "registrations": 0}


def test_a_member_removed_from_a_room_loses_it_from_the_device(
    demo_server: LiveServer,
    phone: BrowserContext,
    playwright: Playwright,
    screenshot: Callable[..., Path],
) -> None:
    page = phone.new_page()
    sign_in(page, demo_server.url, "demo-dietitian")  # member of 青木 (read) and 山本 (write)
    open_room(page, AOKI)
    room_id = page.evaluate("location.hash").split("/")[2]
    user_id = my_user_id(page)
    before = page.evaluate(DUMP_INDEXEDDB)["carebook/posts"]["keys"]
    assert room_id and before
    admin = api_context(playwright, demo_server.url, "demo-admin")
    try:
        response = admin.delete(f"/api/admin/rooms/{room_id}/members/{user_id}")
        assert response.ok, response.text()
    finally:
        admin.dispose()
    # The server pokes the device (SSE); the next pull purges the room.
    expect(page.locator("[data-testid=room-row]:visible")).to_have_count(1, timeout=20_000)
    expect(page.locator("[data-testid=room-row]:visible", has_text=AOKI)).to_have_count(0)
    expect(page.get_by_test_id("notice")).to_contain_text("閲覧できなくなった")
    screenshot(page, "phone-room-revoked", full_page=False)
    dump = page.evaluate(DUMP_INDEXEDDB)
    # No record of the room is left: neither its id in the room index nor its posts.
    assert room_id not in json.dumps(dump), "the revoked room's records are still on the device"


def test_notification_settings_time_out_without_internet_and_guide_ios_users(
    demo_server: LiveServer, desktop: BrowserContext, browser: Browser,
    screenshot: Callable[..., Path],
) -> None:
    grant_notifications(desktop, demo_server.url)
    page = desktop.new_page()
    sign_in(page, demo_server.url, "demo-phn")
    _wait_sw(page)
    page.get_by_test_id("nav-settings").click()
    page.get_by_test_id("notifications-link").click()
    expect(page.get_by_test_id("push-state")).to_have_text("この端末では通知を受け取りません。")
    started = time.monotonic()
    page.get_by_test_id("push-toggle").click()
    # No internet here: the browser's push service is unreachable, so subscribe() fails (or
    # hangs: the app gives up after ~10 s); either way a message says what to do.
    error = page.get_by_test_id("push-error")
    expect(error).to_be_visible(timeout=20_000)
    assert time.monotonic() - started < 15
    expect(error).to_contain_text("インターネット")
    screenshot(page, "desktop-notifications", full_page=False)
    # Preferences still save (quiet hours, per-room mute) through the server.
    page.get_by_test_id("quiet-toggle").check()
    expect(page.locator("#quiet-start")).to_have_value("22:00")

    iphone = browser.new_context(
        user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
        viewport={"width": 390, "height": 844}, locale="ja-JP", timezone_id="Asia/Tokyo",
    )
    try:
        ios = iphone.new_page()
        sign_in(ios, demo_server.url, "demo-phn")
        ios.goto(demo_server.url + "/#/settings/notifications")
        expect(ios.get_by_test_id("ios-instructions")).to_contain_text("ホーム画面に追加")
        screenshot(ios, "iphone-notifications", full_page=False)
    finally:
        iphone.close()
