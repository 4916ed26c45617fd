"""An office's system manager (事業所のシステム管理担当者) on the admin screens, phone and desktop.

The demo office admin (田中 恵子, みどり訪問看護ステーション) sees her office's staff (and only
them), applies for a care manager's ID with the office pledge (様式2-2C + 4-1), withdraws it,
finds her office's rooms in the room-join form, reads the help page, and cannot reach the
city's screens. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from .pages import Device
from .pwa_helpers import app_fetch, sign_in
from .server import LiveServer

LOGIN = "demo-officeadmin"
OWN_STAFF = ("demo-nurse", "demo-pt", "demo-ot", LOGIN)  # みどり訪問看護ステーション
OTHERS = ("demo-doctor", "demo-caremanager", "demo-pharmacist", "demo-admin")


def _fetch(page: Page, path: str) -> dict[str, Any]:
    """A GET from the page, as the PWA's api.ts makes it (device header, unlock proof)."""
    answer = app_fetch(page, "GET", path)
    return {"status": answer["status"], "body": json.loads(answer["body"])}


def test_office_admin_walks_staff_applications_and_help(
    demo_server: LiveServer, device: Device, screenshot: Callable[..., Path]
) -> None:
    url = demo_server.url
    watched = device.new_page()
    page = watched.page
    sign_in(page, url, LOGIN)

    # The admin screens of an office: its applications, a new one, its staff, help.
    page.get_by_test_id("nav-admin").click()
    app = page.get_by_test_id("admin-app")
    expect(app).to_have_attribute("data-role", "office_admin", timeout=15_000)
    for view, text in (
        ("home", "事業所の申請"),
        ("new", "新しい申請"),
        ("staff", "所属の職員"),
        ("help", "ヘルプ"),
    ):
        expect(page.get_by_test_id(f"admin-nav-{view}")).to_contain_text(text)
    expect(page.get_by_test_id("admin-nav-invitations")).to_have_count(0)
    expect(page.get_by_test_id("admin-nav-ledger")).to_have_count(0)

    # 1. Its staff: the people of its own office, nobody else's.
    page.get_by_test_id("admin-nav-staff").click()
    staff = page.get_by_test_id("office-staff")
    expect(staff.get_by_role("heading", level=1)).to_have_text("所属の職員")
    for login in OWN_STAFF:
        expect(staff.locator(f"[data-testid=ledger-row][data-login='{login}']")).to_be_visible()
    for login in OTHERS:
        expect(staff.locator(f"[data-testid=ledger-row][data-login='{login}']")).to_have_count(0)
    nurse = staff.locator("[data-testid=ledger-row][data-login='demo-nurse']")
    expect(nurse).to_contain_text("鈴木 真理子")
    expect(nurse).to_contain_text("看護師")
    screenshot(page, f"{device.name}-office-staff")
    # The wide table scrolls inside the screen; the page itself never scrolls sideways.
    # (A phone widens its layout viewport to fit the page: compare with the device's width.)
    width = (page.viewport_size or {"width": 0})["width"]
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= width, f"the page is {page_width}px wide on a {width}px screen"
    page.get_by_test_id("ledger-q").fill("鈴木")
    page.get_by_test_id("ledger-search").click()
    expect(staff.locator("[data-testid=ledger-row]")).to_have_count(1)
    expect(page.get_by_test_id("ledger-total")).to_have_text("1人")

    # 2. A care manager's ID (様式2-2C): refused without the office pledge, then submitted.
    page.get_by_test_id("admin-nav-new").click()
    expect(page.get_by_test_id("office-new")).to_be_visible()
    page.get_by_test_id("new-kind").select_option("idCareManager")
    page.get_by_test_id("cm-name").fill(f"小池 ケア（{device.name}）")
    page.get_by_test_id("cm-kana").fill("こいけ けあ")
    page.get_by_test_id("cm-email").fill(f"koike.{device.name}@example.jp")
    expect(page.get_by_test_id("pledge-41")).to_contain_text("誓約")
    page.get_by_test_id("new-submit").click()
    expect(page.get_by_test_id("new-error")).to_contain_text("誓約")
    page.get_by_test_id("cm-representative").fill("代表 一郎")
    page.get_by_test_id("cm-accept").check()
    page.get_by_test_id("new-submit").click()
    # The care manager's own 様式4-2 too: the office confirms she signed it.
    expect(page.get_by_test_id("new-error")).to_contain_text("様式4-2")
    expect(page.get_by_test_id("pledge-42")).to_contain_text("誓約")
    page.get_by_test_id("cm-accept-42").check()
    page.get_by_test_id("new-submit").click()
    expect(page.get_by_test_id("notice")).to_contain_text("申請しました")
    mine = page.get_by_test_id("office-applications")
    expect(mine).to_be_visible()
    submitted = mine.locator(
        "[data-testid=office-application-row][data-kind=idCareManager][data-state=submitted]"
    )
    expect(submitted).to_have_count(1)
    expect(submitted).to_contain_text("受付中")
    screenshot(page, f"{device.name}-office-applications")
    listed = _fetch(page, "/api/applications?state=submitted")
    assert listed["status"] == 200
    assert [a["payload"]["email"] for a in listed["body"]] == [f"koike.{device.name}@example.jp"]

    # … and withdrawn again (it was a trial): the row says so, the city's inbox loses it.
    submitted.get_by_role("button", name="取り下げる").click()
    expect(page.get_by_test_id("notice")).to_contain_text("申請を取り下げました")
    expect(submitted).to_have_count(0)
    withdrawn = mine.locator(
        "[data-testid=office-application-row][data-kind=idCareManager][data-state=withdrawn]"
    ).first
    expect(withdrawn).to_contain_text("取下げ")
    assert _fetch(page, "/api/applications?state=submitted")["body"] == []

    # 3. The room-join form offers the rooms the office takes part in and its active staff.
    page.get_by_test_id("admin-nav-new").click()
    page.get_by_test_id("new-kind").select_option("roomJoin")
    rooms = _fetch(page, "/api/office/rooms")["body"]
    assert rooms, "the demo office takes part in rooms"
    room_options = page.get_by_test_id("join-room").locator("option")
    expect(room_options).to_have_count(len(rooms) + 1)  # and the placeholder
    expect(page.locator("[data-testid=join-staff-row][data-login='demo-nurse']")).to_contain_text(
        "鈴木 真理子")

    # 4. Help: the city's contacts.
    page.get_by_test_id("admin-nav-help").click()
    expect(page.get_by_test_id("admin-help")).to_be_visible()
    expect(page.get_by_test_id("help-contact").first).to_be_visible()

    # 5. The city's screens stay closed: the URL falls back to the office's own list,
    #    and the API says 403.
    page.goto(f"{url}/#/admin/invitations")
    expect(page.get_by_test_id("office-applications")).to_be_visible(timeout=15_000)
    expect(page.get_by_test_id("admin-invitations")).to_have_count(0)
    refused = _fetch(page, "/api/admin/invitations")
    assert refused["status"] == 403 and refused["body"]["error"] == "admin_only"

    assert watched.page_errors == []
    assert watched.csp_violations() == []
