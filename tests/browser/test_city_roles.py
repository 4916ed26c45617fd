"""An office's システム管理担当者 and a patient's access log, through the screens.

1. The clerk registers an office and names its system manager in the same form; the
   manager gets the activation mail, sets a password, enrols and reaches the office's
   admin screens. The office keeps its last system manager until a successor is named;
   the clerk names a member of staff, then unnames the first.
2. A nurse opens her rooms; the clerk opens one room's access log and sees her read of it,
   with her name, office and device, and the clerk's own look at the log.

The clerk works at desktop size, the manager and the nurse on a phone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pyotp
from playwright.sync_api import BrowserContext, expect

from tests.support.smtp import SmtpSink

from .pwa_helpers import PASSCODE, sign_in, unlock
from .server import LiveServer

PASSWORD = "wakaba-manager-pass-2026"


def test_a_new_office_with_its_system_manager_who_activates(
    mail_demo_server: LiveServer,
    smtp: SmtpSink,
    desktop: BrowserContext,
    phone: BrowserContext,
    screenshot: Callable[..., Path],
) -> None:
    url = mail_demo_server.url
    clerk = desktop.new_page()
    sign_in(clerk, url, "demo-admin")
    clerk.goto(f"{url}/#/admin/offices")
    expect(clerk.get_by_test_id("admin-offices")).to_be_visible(timeout=15_000)

    # 1. Register the office with its system manager (not the 様式4-1 representative).
    smtp.clear()
    clerk.get_by_test_id("office-name").fill("わかば訪問看護ステーション")
    clerk.get_by_test_id("office-kind").select_option("visiting_nurse_station")
    clerk.get_by_test_id("office-phone").fill("012-555-0130")
    clerk.get_by_test_id("office-manager-name").fill("若葉 看護")
    clerk.get_by_test_id("office-manager-kana").fill("わかば かんご")
    clerk.get_by_test_id("office-manager-job").select_option("nurse")
    clerk.get_by_test_id("office-manager-email").fill("kango@wakaba.example.jp")
    screenshot(clerk, "desktop-office-form")
    clerk.get_by_test_id("office-add").click()
    row = clerk.locator("[data-testid=office-row]", has_text="わかば訪問看護ステーション")
    expect(row.get_by_test_id("office-managers")).to_have_text("若葉 看護", timeout=15_000)
    (mail,) = smtp.wait_for(1, timeout=15)
    assert mail.to == "kango@wakaba.example.jp" and "システム管理担当者" in mail.subject
    link = next(x for x in SmtpSink.links(mail) if "/activate/" in x)
    found = re.search(r"ログインID：(\S+)", mail.text)
    assert found, mail.text
    login = found.group(1)

    # 2. The manager activates on a phone and reaches the office's screens.
    manager = phone.new_page()
    manager.goto(link)
    manager.get_by_test_id("activate-password").fill(PASSWORD)
    manager.get_by_test_id("activate-confirm").fill(PASSWORD)
    manager.get_by_test_id("activate-submit").click()
    manager.get_by_test_id("activate-signin").click()
    manager.get_by_test_id("login-id").fill(login)
    manager.get_by_test_id("login-password").fill(PASSWORD)
    manager.get_by_test_id("login-submit").click()
    manager.get_by_test_id("enroll-totp").click()
    secret = re.sub(r"\s+", "", manager.get_by_test_id("enroll-secret").inner_text())
    manager.get_by_test_id("enroll-code").fill(pyotp.TOTP(secret).now())
    manager.get_by_test_id("enroll-confirm").click()
    manager.get_by_test_id("passcode-new").fill(PASSCODE)
    manager.get_by_test_id("passcode-confirm").fill(PASSCODE)
    manager.get_by_test_id("passcode-submit").click()
    expect(manager.get_by_test_id("sync-status")).to_have_attribute("data-state", "idle",
                                                                     timeout=20_000)
    manager.goto(f"{url}/#/admin")
    expect(manager.get_by_test_id("admin-app")).to_have_attribute("data-role", "office_admin",
                                                                 timeout=15_000)
    expect(manager.get_by_test_id("admin-nav-new")).to_be_visible()
    screenshot(manager, "phone-office-admin")

    # 3. The office keeps its last manager; a successor first, then the first one goes.
    row.get_by_test_id("office-open").click()
    office = clerk.get_by_test_id("admin-office")
    expect(office).to_be_visible(timeout=15_000)
    first = clerk.locator(f"[data-testid=sm-row][data-login='{login}']")
    first.get_by_test_id("sm-unname").click()
    expect(clerk.get_by_test_id("confirm-unname-question")).to_contain_text(f"若葉 看護（{login}）")
    clerk.get_by_test_id("confirm-unname-yes").click()
    expect(clerk.get_by_test_id("sm-error")).to_contain_text("後任")
    smtp.clear()
    clerk.get_by_test_id("sm-new-name").fill("若葉 事務")
    clerk.get_by_test_id("sm-new-kana").fill("わかば じむ")
    clerk.get_by_test_id("sm-new-job").select_option("other")
    clerk.get_by_test_id("sm-new-email").fill("jimu@wakaba.example.jp")
    clerk.get_by_test_id("sm-name-new").click()
    expect(clerk.locator("[data-testid=sm-row]")).to_have_count(2, timeout=15_000)
    assert smtp.wait_for(1, timeout=15)[0].to == "jimu@wakaba.example.jp"
    smtp.clear()
    first.get_by_test_id("sm-unname").click()
    clerk.get_by_test_id("confirm-unname-yes").click()
    expect(clerk.locator("[data-testid=sm-row]")).to_have_count(1)
    expect(first).to_have_count(0)
    (told,) = smtp.wait_for(1, timeout=15)
    assert told.to == "kango@wakaba.example.jp" and "指定が解除" in told.subject
    # The first manager is staff again and can be named back from the staff list.
    staff = clerk.get_by_test_id("sm-staff")
    expect(staff.locator("option", has_text="若葉 看護")).to_have_count(1)
    screenshot(clerk, "desktop-office-managers")


def test_the_access_log_shows_who_read_the_room_and_from_which_device(
    mail_demo_server: LiveServer,
    desktop: BrowserContext,
    phone: BrowserContext,
    screenshot: Callable[..., Path],
) -> None:
    url = mail_demo_server.url
    nurse = phone.new_page()
    sign_in(nurse, url, "demo-nurse")  # her first pull reads every room she is in

    clerk = desktop.new_page()
    sign_in(clerk, url, "demo-admin")
    clerk.goto(f"{url}/#/admin/rooms")
    clerk.locator("[data-testid=admin-room-row] a").first.click()
    expect(clerk.get_by_test_id("admin-room")).to_be_visible(timeout=15_000)
    clerk.get_by_test_id("room-access-log").click()
    log = clerk.get_by_test_id("admin-access-log")
    expect(log).to_be_visible(timeout=15_000)
    read = clerk.locator("[data-testid=alog-row][data-action='sync.pull']",
                         has_text="鈴木 真理子").first
    expect(read).to_be_visible()
    expect(read).to_contain_text("閲覧")
    expect(read).to_contain_text("Android")
    viewed = clerk.locator("[data-testid=alog-row][data-action='admin.room_viewed']").first
    expect(viewed).to_contain_text("森田 和夫")
    screenshot(clerk, "desktop-access-log")
    # Opening the log again shows the first look at it. (Not necessarily on top: the room
    # screen's history, loaded beside the log, is audited too and may land after it.)
    clerk.reload()
    unlock(clerk)
    looked = clerk.locator("[data-testid=alog-row][data-action='admin.access_log_viewed']")
    expect(looked.first).to_contain_text("森田 和夫", timeout=15_000)
