"""Room membership and scheduled ID stops through the screens, phone and desktop.

1. The dental clinic (ひばり歯科医院), new to 青木 ハナ's care, asks on a phone to join her room by
   naming her (name, date of birth in the era calendar, 被保険者番号) with its hygienist; the
   clerk finds the room in the inbox on a desktop, chooses it and approves; the hygienist is
   mailed (the room's number and a link, never the patient). Now in the room, the clinic asks
   the city to remove another office's member; the clerk approves and she is mailed.
2. An office asks to stop an ID on a date still to come; the clerk approves; the stop shows
   as scheduled in the inbox, the application and the ledger, and the clerk cancels it.

A real SMTP sink on loopback receives the mail. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import update
from sqlalchemy.ext.asyncio import create_async_engine

from server.admin.common import JST
from store.models import User
from store.models.enums import Role
from tests.support.smtp import SmtpSink

from .pwa_helpers import app_fetch, sign_in
from .server import LiveServer, run_async

PATIENT_WORDS = ("青木", "アオキ", "0000123401", "ひばりが丘")


def _make_office_admin(server: LiveServer, login_id: str) -> None:
    """The dentist is also her clinic's システム管理担当者 (arranged in the database)."""

    async def work() -> None:
        engine = create_async_engine(server.env["CAREBOOK_DATABASE_URL"])
        try:
            async with engine.begin() as conn:
                await conn.execute(
                    update(User).where(User.login_id == login_id).values(role=Role.office_admin)
                )
        finally:
            await engine.dispose()

    run_async(work())


def _admin(page: Page, url: str, hash_: str) -> None:
    page.goto(f"{url}/{hash_}")
    expect(page.get_by_test_id("admin-app")).to_be_visible(timeout=15_000)


def _get(page: Page, path: str) -> Any:
    """A GET from the page, as the PWA's api.ts makes it (device header, unlock proof)."""
    answer = app_fetch(page, "GET", path)
    assert answer["status"] == 200, answer
    return json.loads(answer["body"])


def test_a_new_office_joins_a_patients_room_by_naming_the_patient(
    mail_demo_server: LiveServer,
    smtp: SmtpSink,
    desktop: BrowserContext,
    phone: BrowserContext,
    screenshot: Callable[..., Path],
) -> None:
    url = mail_demo_server.url
    _make_office_admin(mail_demo_server, "demo-dentist")

    # 1. On a phone, the clinic's system manager asks to join by naming the patient.
    office = phone.new_page()
    sign_in(office, url, "demo-dentist")
    office.get_by_test_id("nav-admin").click()
    expect(office.get_by_test_id("admin-app")).to_have_attribute(
        "data-role", "office_admin", timeout=15_000)
    office.get_by_test_id("admin-nav-new").click()
    office.get_by_test_id("new-kind").select_option("roomJoin")
    office.get_by_test_id("join-by-patient").check()
    office.get_by_test_id("join-pt-name").fill("青木 ハナ")
    office.get_by_test_id("join-pt-kana").fill("アオキ ハナ")
    office.get_by_test_id("join-pt-birth-calendar").select_option("showa")
    office.get_by_test_id("join-pt-birth-year").fill("5")
    office.get_by_test_id("join-pt-birth-month").fill("4")
    office.get_by_test_id("join-pt-birth-day").fill("12")
    expect(office.get_by_test_id("join-pt-birth-check")).to_contain_text("1930年4月12日")
    office.get_by_test_id("join-pt-insured").fill("0000123401")
    office.get_by_test_id("new-submit").click()
    expect(office.get_by_test_id("new-error")).to_contain_text("職員を選んで")
    hygienist = office.locator("[data-testid=join-staff-row][data-login='demo-hygienist']")
    hygienist.get_by_test_id("join-staff-check").check()
    hygienist.get_by_test_id("join-staff-permission").select_option("read")
    office.get_by_test_id("join-note").fill("口腔ケアの訪問を始めるため")
    screenshot(office, "phone-join-by-patient")
    office.get_by_test_id("new-submit").click()
    expect(office.get_by_test_id("notice")).to_contain_text("申請しました")
    row = office.locator("[data-testid=office-application-row][data-kind=roomJoin]")
    expect(row).to_contain_text("受付中")
    # The office learns nothing about the room: not in its list, not in the answer.
    assert [r["patientName"] for r in _get(office, "/api/office/rooms")] == ["山本 キヨ"]
    (asked,) = [a for a in _get(office, "/api/applications") if a["kind"] == "roomJoin"]
    assert asked["room"] is None

    # 2. On a desktop, the clerk finds the room from the patient's details and approves.
    clerk = desktop.new_page()
    sign_in(clerk, url, "demo-admin")
    _admin(clerk, url, "#/admin")
    inbox_row = clerk.locator("[data-testid=inbox-row][data-kind=roomJoin]")
    expect(inbox_row).to_be_visible()
    inbox_row.get_by_test_id("inbox-open").click()
    choice = clerk.get_by_test_id("room-choice")
    candidate = choice.get_by_test_id("room-candidate")
    expect(candidate).to_have_count(1)
    expect(candidate).to_contain_text("青木 ハナ")
    expect(candidate).to_contain_text("昭和5年4月12日")
    expect(candidate).to_contain_text("被保険者番号が一致")
    clerk.get_by_test_id("application-approve").click()
    expect(clerk.get_by_test_id("application-error")).to_contain_text("部屋を選んで")
    candidate.get_by_test_id("room-candidate-pick").check()
    room_id = candidate.get_attribute("data-room")
    screenshot(clerk, "desktop-join-choose-room")
    smtp.clear()
    clerk.get_by_test_id("application-approve").click()
    expect(clerk.get_by_test_id("application-state")).to_have_text("承認済み")
    assert _get(clerk, f"/api/admin/applications/{asked['id']}")["room"]["id"] == room_id

    # 3. The hygienist is in the room (read only) and was told by mail, without the patient.
    _admin(clerk, url, f"#/admin/rooms/{room_id}")
    member = clerk.locator("[data-testid=member-row][data-login='demo-hygienist']")
    expect(member).to_be_visible()
    expect(member.get_by_test_id("member-permission")).to_have_value("read")
    screenshot(clerk, "desktop-room-after-join")
    mails = smtp.wait_for(2, timeout=15)
    told = [m for m in mails if "demo-hygienist" in m.to]
    assert told, [m.to for m in mails]
    assert "参加" in told[0].subject and "閲覧のみ" in told[0].text
    assert SmtpSink.links(told[0]) == [f"{url}/#/rooms/{room_id}"]
    for mail in mails:
        assert not any(word in mail.text for word in PATIENT_WORDS), mail.text
    # The office now sees the room.
    assert "青木 ハナ" in [r["patientName"] for r in _get(office, "/api/office/rooms")]

    # 4. Now in the room, the clinic asks the city to remove another office's member.
    office.get_by_test_id("admin-nav-new").click()
    office.get_by_test_id("new-kind").select_option("memberRemove")
    office.get_by_test_id("remove-room").select_option(room_id)
    careworker = next(m for m in _get(office, f"/api/office/rooms/{room_id}/members")
                      if m["name"] == "井上 節子")
    assert careworker["officeName"] == "ヘルパーステーションあおぞら"
    office.get_by_test_id("remove-user").select_option(careworker["userId"])
    expect(office.get_by_test_id("remove-user")).to_contain_text("ヘルパーステーションあおぞら")
    office.get_by_test_id("remove-reason").fill("訪問介護の終了（事業所の変更）")
    screenshot(office, "phone-remove-request")
    office.get_by_test_id("new-submit").click()
    expect(office.locator(
        "[data-testid=office-application-row][data-kind=memberRemove][data-state=submitted]"
    )).to_be_visible()

    _admin(clerk, url, "#/admin")
    removal = clerk.locator("[data-testid=inbox-row][data-kind=memberRemove]")
    expect(removal).to_contain_text("井上 節子")
    removal.get_by_test_id("inbox-open").click()
    expect(clerk.get_by_test_id("application-payload")).to_contain_text("訪問介護の終了")
    smtp.clear()
    clerk.get_by_test_id("application-approve").click()
    expect(clerk.get_by_test_id("application-state")).to_have_text("承認済み")
    screenshot(clerk, "desktop-remove-approved")
    _admin(clerk, url, f"#/admin/rooms/{room_id}")
    expect(clerk.locator("[data-testid=member-row][data-login='demo-careworker']")).to_have_count(0)
    left = [m for m in smtp.wait_for(2, timeout=15) if "demo-careworker" in m.to]
    assert left and "参加終了" in left[0].subject
    assert not any(word in left[0].text for word in PATIENT_WORDS), left[0].text


def test_a_scheduled_stop_is_shown_in_the_inbox_and_the_ledger_and_cancelled(
    mail_demo_server: LiveServer,
    smtp: SmtpSink,
    desktop: BrowserContext,
    phone: BrowserContext,
    screenshot: Callable[..., Path],
) -> None:
    url = mail_demo_server.url
    in_ten_days = (datetime.now(JST) + timedelta(days=10)).date()

    # 1. On a phone, the station's system manager asks to stop the PT's ID in ten days.
    office = phone.new_page()
    sign_in(office, url, "demo-officeadmin")
    office.get_by_test_id("nav-admin").click()
    expect(office.get_by_test_id("admin-app")).to_be_visible(timeout=15_000)
    office.get_by_test_id("admin-nav-new").click()
    office.get_by_test_id("new-kind").select_option("idStop")
    pt_id = next(u["id"] for u in _get(office, "/api/office/staff")["users"]
                 if u["loginId"] == "demo-pt")
    office.get_by_test_id("stop-user").select_option(pt_id)
    office.get_by_test_id("stop-reason-text").fill("退職のため")
    office.get_by_test_id("stop-date").fill(in_ten_days.isoformat())
    expect(office.locator("#stop-date-hint")).to_contain_text("0時")
    screenshot(office, "phone-stop-request")
    office.get_by_test_id("new-submit").click()
    expect(office.get_by_test_id("notice")).to_contain_text("申請しました")

    # 2. The clerk approves: scheduled, not carried out.
    clerk = desktop.new_page()
    sign_in(clerk, url, "demo-admin")
    _admin(clerk, url, "#/admin")
    clerk.locator("[data-testid=inbox-row][data-kind=idStop]").get_by_test_id(
        "inbox-open").click()
    smtp.clear()
    clerk.get_by_test_id("application-approve").click()
    expect(clerk.get_by_test_id("application-state")).to_have_text("承認済み")
    expect(clerk.get_by_test_id("application-stop-state")).to_have_attribute(
        "data-state", "scheduled")
    (approval,) = smtp.wait_for(1, timeout=15)
    assert f"{in_ten_days.year}年{in_ten_days.month}月{in_ten_days.day}日" in approval.text

    # 3. The inbox lists it at the top; the ledger shows it as scheduled.
    _admin(clerk, url, "#/admin")
    scheduled = clerk.locator("[data-testid=scheduled-stop-row][data-login='demo-pt']")
    expect(scheduled).to_contain_text("伊藤 翔太")
    expect(scheduled).to_contain_text("停止予定")
    screenshot(clerk, "desktop-inbox-scheduled-stop")
    _admin(clerk, url, "#/admin/ledger")
    ledger_row = clerk.locator("[data-testid=ledger-row][data-login='demo-pt']")
    expect(ledger_row.get_by_test_id("ledger-stop-scheduled")).to_contain_text("停止予定")
    expect(ledger_row).to_have_attribute("data-status", "active")
    screenshot(clerk, "desktop-ledger-scheduled-stop")
    # The office sees the date on its own list.
    office.get_by_test_id("admin-nav-staff").click()
    office.get_by_test_id("admin-nav-home").click()
    expect(office.get_by_test_id("office-application-stop").first).to_contain_text("停止予定")
    screenshot(office, "phone-stop-scheduled")

    # 4. The PT stays after all: the clerk cancels it from the inbox.
    _admin(clerk, url, "#/admin")
    scheduled.get_by_test_id("stop-cancel").click()
    clerk.get_by_test_id("stop-cancel-reason").fill("退職が取りやめになったため")
    clerk.once("dialog", lambda dialog: dialog.accept())
    smtp.clear()
    clerk.get_by_test_id("stop-cancel-confirm").click()
    expect(clerk.get_by_test_id("notice")).to_contain_text("取り消しました")
    expect(scheduled).to_have_count(0)
    (cancelled,) = smtp.wait_for(1, timeout=15)
    assert "demo-officeadmin" in cancelled.to and "取り消し" in cancelled.subject
    _admin(clerk, url, "#/admin/ledger")
    expect(clerk.locator("[data-testid=ledger-row][data-login='demo-pt']")).to_be_visible()
    expect(clerk.locator(
        "[data-testid=ledger-row][data-login='demo-pt'] [data-testid=ledger-stop-scheduled]"
    )).to_have_count(0)
    assert _get(clerk, "/api/admin/scheduled-stops?state=scheduled") == []
    screenshot(clerk, "desktop-ledger-after-cancel")
