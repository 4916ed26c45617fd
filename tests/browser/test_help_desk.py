"""The help desk in a real browser: a lost phone, and a new clerk.

1. A staff member's phone is lost. The clerk finds her on the help desk by her kana, sees
   her device and that she is not locked, wipes the device and resets her second factor —
   each after a confirmation that names her. The lost device wipes itself at its next
   contact; she signs in again, enrols a new second factor and sees her rooms; the desk
   shows the old device wiped and the new one in use. Mails about both actions reach her
   (a real SMTP sink on loopback).
2. A clerk creates another clerk on the admin-accounts screen; the new clerk sets a
   password from the mailed link, enrols, and reaches the admin screens; then is retired.

Run with the clerk at phone and at desktop size; screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from server.demo.data import DEMO_PASSWORD, EMAIL_DOMAIN
from tests.support.smtp import SmtpSink

from .pwa_helpers import PASSCODE, rooms_of, sign_in, unlock, wait_for_rooms
from .server import LiveServer

NEW_PASSWORD = "a-new-clerk-passphrase-2026"
PEOPLE = {
    # viewport of the clerk: (the person who calls, their name, their kana as the clerk types it)
    "phone": ("demo-pharmacist", "山口 由美", "やまぐち"),
    "desktop": ("demo-helper", "松田 久美子", "まつだ"),
}


def _contexts(viewport: str, phone: BrowserContext, desktop: BrowserContext
              ) -> tuple[BrowserContext, BrowserContext]:
    """The clerk at `viewport`; the person on the other one."""
    return (phone, desktop) if viewport == "phone" else (desktop, phone)


def _enrol_totp_and_passcode(page: Page) -> None:
    page.get_by_test_id("enroll-totp").click()
    qr = page.get_by_test_id("enroll-qr")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0"), "the QR code did not load"
    secret = re.sub(r"\s+", "", page.get_by_test_id("enroll-secret").inner_text())
    page.get_by_test_id("enroll-code").fill(pyotp.TOTP(secret).now())
    page.get_by_test_id("enroll-confirm").click()
    page.get_by_test_id("passcode-new").fill(PASSCODE)
    page.get_by_test_id("passcode-confirm").fill(PASSCODE)
    page.get_by_test_id("passcode-submit").click()


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_a_lost_phone_is_wiped_the_factor_reset_and_she_signs_in_again(
    viewport: str,
    mail_demo_server: LiveServer,
    smtp: SmtpSink,
    phone: BrowserContext,
    desktop: BrowserContext,
    screenshot: Callable[..., Path],
) -> None:
    url = mail_demo_server.url
    login, name, kana = PEOPLE[viewport]
    email = f"{login}@{EMAIL_DOMAIN}"
    clerk_context, person_context = _contexts(viewport, phone, desktop)

    # She used carebook on this device; then it is lost (no page of it is open any more).
    person = person_context.new_page()
    sign_in(person, url, login)
    person.close()

    # 1. The clerk finds her by the kana she spells on the phone.
    clerk = clerk_context.new_page()
    sign_in(clerk, url, "demo-admin")
    clerk.goto(f"{url}/#/admin/desk")
    expect(clerk.get_by_test_id("admin-desk")).to_be_visible(timeout=15_000)
    clerk.get_by_test_id("desk-q").fill(kana)
    clerk.get_by_test_id("desk-search").click()
    row = clerk.locator(f"[data-testid=desk-row][data-login='{login}']")
    expect(row).to_be_visible()
    expect(row).to_contain_text(name)
    screenshot(clerk, f"{viewport}-desk-search")
    row.get_by_test_id("desk-open").click()

    # 2. Her account: not locked, one device in use, signed in today.
    account = clerk.get_by_test_id("desk-account")
    expect(account).to_have_attribute("data-login", login, timeout=15_000)
    expect(account).to_have_attribute("data-locked", "false")
    expect(clerk.get_by_test_id("desk-lock")).to_contain_text("ロックなし")
    expect(clerk.get_by_test_id("desk-last-signin")).not_to_have_text("なし")
    expect(clerk.get_by_test_id("desk-factors")).to_contain_text("認証アプリ")
    devices = clerk.locator("[data-testid=desk-device]")
    expect(devices).to_have_count(1)
    lost = devices.first
    expect(lost.get_by_test_id("desk-device-state")).to_have_text("使用中")
    expect(lost).to_contain_text("Android" if viewport == "desktop" else "Chrome")
    screenshot(clerk, f"{viewport}-desk-account")

    # 3. Wipe that device: the question names her and the device; やめる first, then 実行する.
    smtp.clear()
    lost.get_by_test_id("desk-wipe-device").click()
    question = clerk.get_by_test_id("confirm-wipe-device-question")
    expect(question).to_contain_text(name)
    expect(question).to_contain_text(login)
    clerk.get_by_test_id("confirm-wipe-device-no").click()
    expect(clerk.get_by_test_id("confirm-wipe-device")).to_have_count(0)
    expect(lost).to_have_attribute("data-wiped", "false")
    clerk.get_by_test_id("desk-note").fill("本人から電話：スマートフォン紛失")
    lost.get_by_test_id("desk-wipe-device").click()
    clerk.get_by_test_id("confirm-wipe-device-yes").click()
    expect(clerk.get_by_test_id("notice").last).to_contain_text("データ消去を指示")
    expect(devices.first).to_have_attribute("data-wiped", "true")
    expect(devices.first.get_by_test_id("desk-device-state")).to_contain_text("消去待ち")

    # 4. Reset her second factor, again after a question that names her.
    clerk.get_by_test_id("desk-reset-factors").click()
    question = clerk.get_by_test_id("confirm-reset-factors-question")
    expect(question).to_contain_text(f"{name}（{login}・")
    expect(question).to_contain_text("二要素認証")
    screenshot(clerk, f"{viewport}-desk-confirm-factor-reset")
    clerk.get_by_test_id("confirm-reset-factors-yes").click()
    expect(clerk.get_by_test_id("desk-factors")).to_contain_text("未登録")
    expect(clerk.get_by_test_id("notice").last).to_contain_text("二要素認証をリセット")

    mails = smtp.wait_for(2, timeout=15)
    subjects = [m.subject for m in smtp.messages_to(email)]
    assert any("端末のデータ消去" in s for s in subjects), subjects
    assert any("二要素認証の登録をリセット" in s for s in subjects), subjects
    assert all(m.to == email for m in mails)

    # 5. The found phone: at its next contact its data goes, and she signs in again.
    person = person_context.new_page()
    person.goto(url + "/")
    unlock(person)
    # Generous: the unlock (Argon2id in the page), the request answered `wipe` and the
    # wipe each take seconds on a busy machine.
    expect(person.get_by_test_id("login-id")).to_be_visible(timeout=60_000)
    expect(person.get_by_test_id("notice")).to_contain_text("消去")
    person.get_by_test_id("login-id").fill(login)
    person.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    person.get_by_test_id("login-submit").click()
    # The password's Argon2id check (64 MiB) takes seconds on a busy machine too.
    expect(person.get_by_test_id("enroll-totp")).to_be_visible(timeout=45_000)
    screenshot(person, f"{viewport}-person-enrols-again")
    _enrol_totp_and_passcode(person)
    wait_for_rooms(person, rooms_of(login))
    screenshot(person, f"{viewport}-person-back-in")

    # 6. The desk sees the old device wiped and the new sign-in.
    clerk.reload()
    unlock(clerk)
    expect(clerk.get_by_test_id("desk-account")).to_be_visible(timeout=15_000)
    expect(clerk.get_by_test_id("desk-factors")).to_contain_text("認証アプリ")
    states = clerk.locator("[data-testid=desk-device] [data-testid=desk-device-state]")
    expect(states).to_have_count(2)
    expect(states.filter(has_text="消去済み")).to_have_count(1)
    expect(states.filter(has_text="使用中")).to_have_count(1)
    expect(clerk.locator("[data-testid=desk-session]")).to_have_count(1)
    screenshot(clerk, f"{viewport}-desk-after")


def test_a_clerk_creates_a_clerk_who_activates_and_is_later_retired(
    mail_demo_server: LiveServer,
    smtp: SmtpSink,
    phone: BrowserContext,
    desktop: BrowserContext,
    screenshot: Callable[..., Path],
) -> None:
    url = mail_demo_server.url
    email = "new.clerk@city.midori.example.jp"
    clerk = desktop.new_page()
    sign_in(clerk, url, "demo-admin")
    clerk.goto(f"{url}/#/admin/clerks")
    expect(clerk.get_by_test_id("admin-clerks")).to_be_visible(timeout=15_000)

    # 1. A new clerk: name and mail only. Nobody chooses a password.
    smtp.clear()
    clerk.get_by_test_id("clerk-name").fill("新人 窓口")
    clerk.get_by_test_id("clerk-kana").fill("しんじん まどぐち")
    clerk.get_by_test_id("clerk-email").fill(email)
    assert clerk.locator("#clerk-add input[type=password]").count() == 0
    clerk.get_by_test_id("clerk-submit").click()
    expect(clerk.get_by_test_id("notice").last).to_contain_text("新人 窓口")
    row = clerk.locator("[data-testid=clerk-row]", has_text="新人 窓口")
    expect(row).to_have_attribute("data-status", "pending")
    screenshot(clerk, "desktop-clerks-added")
    (mail,) = smtp.wait_for(1, timeout=15)
    assert mail.to == email and "ユーザー管理者（市）" in mail.subject
    link = next(x for x in SmtpSink.links(mail) if "/activate/" in x)
    login_match = re.search(r"ログインID：(\S+)", mail.text)
    assert login_match, mail.text
    login = login_match.group(1)

    # 2. The new clerk sets a password on a phone, enrols and reaches the admin screens.
    newcomer = phone.new_page()
    newcomer.goto(link)
    expect(newcomer.get_by_test_id("activate-page")).to_be_visible(timeout=15_000)
    newcomer.get_by_test_id("activate-password").fill(NEW_PASSWORD)
    newcomer.get_by_test_id("activate-confirm").fill(NEW_PASSWORD)
    newcomer.get_by_test_id("activate-submit").click()
    expect(newcomer.get_by_test_id("activate-done")).to_be_visible()
    newcomer.get_by_test_id("activate-signin").click()
    newcomer.get_by_test_id("login-id").fill(login)
    newcomer.get_by_test_id("login-password").fill(NEW_PASSWORD)
    newcomer.get_by_test_id("login-submit").click()
    _enrol_totp_and_passcode(newcomer)
    expect(newcomer.get_by_test_id("sync-status")).to_have_attribute("data-state", "idle",
                                                                      timeout=20_000)
    newcomer.goto(f"{url}/#/admin/clerks")
    expect(newcomer.get_by_test_id("admin-app")).to_have_attribute(
        "data-role", "municipal_admin", timeout=15_000)
    own = newcomer.locator(f"[data-testid=clerk-row][data-login='{login}']")
    expect(own).to_have_attribute("data-status", "active")
    expect(own.get_by_test_id("clerk-retire")).to_have_count(0)  # not oneself
    screenshot(newcomer, "phone-new-clerk")

    # 3. The desk prints a reset letter for them (as for staff without mail): the code and
    #    the link are on the A4 sheet, once.
    clerk.goto(f"{url}/#/admin/desk")
    expect(clerk.get_by_test_id("admin-desk")).to_be_visible(timeout=15_000)
    clerk.get_by_test_id("desk-q").fill(login)
    clerk.get_by_test_id("desk-search").click()
    clerk.locator(f"[data-testid=desk-row][data-login='{login}']").get_by_test_id(
        "desk-open").click()
    clerk.get_by_test_id("desk-letter").click()
    expect(clerk.get_by_test_id("confirm-letter-question")).to_contain_text(f"新人 窓口（{login}")
    clerk.get_by_test_id("confirm-letter-yes").click()
    sheet = clerk.get_by_test_id("reset-letter")
    expect(sheet).to_be_visible(timeout=15_000)
    expect(clerk.get_by_test_id("letter-login")).to_have_text(login)
    code = clerk.get_by_test_id("letter-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){4}", code), code
    expect(clerk.get_by_test_id("letter-link")).to_have_text(f"{url}/activate/{code}")
    qr = clerk.get_by_test_id("letter-qr")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0"), "the QR code did not load"
    screenshot(clerk, "desktop-reset-letter")
    clerk.get_by_test_id("letter-close").click()
    expect(clerk.get_by_test_id("desk-account")).to_be_visible()
    expect(clerk.get_by_test_id("reset-letter")).to_have_count(0)

    # 4. The first clerk sees them active, and retires them after a question naming them.
    clerk.goto(f"{url}/#/admin/clerks")
    row = clerk.locator(f"[data-testid=clerk-row][data-login='{login}']")
    expect(row).to_have_attribute("data-status", "active", timeout=15_000)
    smtp.clear()
    row.get_by_test_id("clerk-retire").click()
    expect(clerk.get_by_test_id("confirm-retire-question")).to_contain_text(f"新人 窓口（{login}）")
    clerk.get_by_test_id("clerk-retire-reason").fill("人事異動")
    clerk.get_by_test_id("confirm-retire-yes").click()
    expect(row).to_have_attribute("data-status", "stopped")
    assert "アカウント停止" in smtp.wait_for(1, timeout=15)[0].subject
    # Their open app is told at once (the live stream carries the wipe of an ID stop).
    expect(newcomer.get_by_test_id("login-id")).to_be_visible(timeout=30_000)
    expect(newcomer.get_by_test_id("notice")).to_contain_text("消去")
    screenshot(clerk, "desktop-clerk-retired")
