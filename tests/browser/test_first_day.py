"""A city's first day, from an empty database to a scheduled ID stop, through the screens.

The steps of docs/operations.md 「市の初日」, in order, as the people would do them:

1. The operator runs `carebook create-admin --role municipal`; the clerk signs in with the
   initial password on a desktop, chooses a password and enrols a second factor.
2. The clerk registers four offices, each with its システム管理担当者 (the activation mail
   goes to a real SMTP sink), invites a doctor and a nurse, records the paper 様式4-1 of
   their offices and approves their applications.
3. The care-management office's manager activates on a phone and files a 様式2-2C (+4-1,
   4-2) for a colleague; the clerk approves; every new person activates from the mail.
4. The care manager's office asks for a room (様式5 + 6) with the doctor, the nurse and the
   colleague; the clerk approves and the room opens; a pharmacy new to the patient asks to
   join by naming her and is added.
5. The nurse posts a visit record on her phone; the doctor reads it on his.
6. The doctor moves to the city's hospital and leaves the room (his phone drops it, a mail
   says so without the patient).
7. The help desk: the nurse locks herself out — unlock and a reset link; her phone is
   lost — wipe it and reset her second factor; she signs in again. The access log of the
   patient downloads as CSV.
8. The station asks to stop the nurse's ID on a day to come; the clerk
   approves; the scheduler's pass at 00:00 JST of that day (the test's clock) stops it and
   her phone is wiped at its next contact.

The clerk works at desktop size, everyone else on a phone (Pixel 7). Screenshots go to
test-artifacts/screenshots/test_a_city_goes_live_from_an_empty_database-*.png.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect

from server import db
from server.admin.common import JST
from server.clock import FrozenClock
from server.scheduler import Scheduler
from server.settings import load_settings
from tests.support.smtp import ReceivedMail, SmtpSink

from .conftest import _close
from .pages import CSP_WATCH
from .pwa_helpers import PASSCODE, app_fetch, unlock, wait_for_rooms, watch_unlock_proof
from .server import LiveServer, live_server_process, run_async, run_carebook

PATIENT = ("緑川 ウメ", "ミドリカワ ウメ", "0000777001")
NOT_IN_MAIL = (*PATIENT, "ミドリカワ", "緑川", "みどり台5丁目")


@pytest.fixture()
def empty_city(data_dir: Path, database_url: str, smtp: SmtpSink) -> Iterator[LiveServer]:
    """`carebook serve` on an empty database, its mail going to the SMTP sink."""
    with live_server_process(
        data_dir, database_url, CAREBOOK_SMTP_HOST=smtp.host, CAREBOOK_SMTP_PORT=str(smtp.port)
    ) as server:
        yield server


class People:
    """Who has which password and TOTP secret; TOTP codes never reused (one per step)."""

    def __init__(self) -> None:
        self.passwords: dict[str, str] = {}
        self.secrets: dict[str, str] = {}
        self.steps: dict[str, int] = {}

    def code(self, login: str) -> str:
        totp = pyotp.TOTP(self.secrets[login])
        while True:
            step = int(time.time()) // 30
            for candidate in (step, step + 1):
                if candidate > self.steps.get(login, -1):
                    self.steps[login] = candidate
                    return totp.at(candidate * 30)
            time.sleep(max(0.5, (step + 1) * 30 - time.time() + 0.5))

    def enrol(self, page: Page, login: str) -> None:
        """The enrolment screen: TOTP from the shown secret, then the device passcode."""
        page.get_by_test_id("enroll-totp").click()
        secret = re.sub(r"\s+", "", page.get_by_test_id("enroll-secret").inner_text())
        self.secrets[login] = secret
        self.steps.pop(login, None)
        page.get_by_test_id("enroll-code").fill(self.code(login))
        page.get_by_test_id("enroll-confirm").click()
        set_passcode(page)

    def activate(self, page: Page, link: str, login: str, password: str) -> None:
        """From the mailed link: a password of one's own, then sign-in and enrolment."""
        self.passwords[login] = password
        page.goto(link)
        page.get_by_test_id("activate-password").fill(password)
        page.get_by_test_id("activate-confirm").fill(password)
        page.get_by_test_id("activate-submit").click()
        expect(page.get_by_test_id("activate-done")).to_be_visible(timeout=15_000)
        page.get_by_test_id("activate-signin").click()
        self.password_step(page, login)
        self.enrol(page, login)
        idle(page)

    def password_step(self, page: Page, login: str) -> None:
        page.get_by_test_id("login-id").fill(login)
        page.get_by_test_id("login-password").fill(self.passwords[login])
        page.get_by_test_id("login-submit").click()

    def sign_in(self, page: Page, url: str, login: str) -> None:
        page.goto(url + "/")
        self.password_step(page, login)
        page.get_by_test_id("totp-code").fill(self.code(login))
        page.get_by_test_id("totp-submit").click()
        set_passcode(page)
        idle(page)


def set_passcode(page: Page) -> None:
    page.get_by_test_id("passcode-new").fill(PASSCODE)
    page.get_by_test_id("passcode-confirm").fill(PASSCODE)
    page.get_by_test_id("passcode-submit").click()


def idle(page: Page) -> None:
    expect(page.get_by_test_id("sync-status")).to_have_attribute("data-state", "idle",
                                                                 timeout=30_000)


def admin(page: Page, url: str, hash_: str = "") -> None:
    """Opens an admin screen afresh. Going to the URL a page is already on only changes
    nothing (a same-document navigation): the screen would keep what it loaded before, so
    the page steps to the home screen first, as a clerk clicking through the menu would."""
    target = f"{url}/#/admin{hash_}"
    if page.url == target:
        page.goto(f"{url}/#/")
    page.goto(target)
    expect(page.get_by_test_id("admin-app")).to_be_visible(timeout=15_000)


def get(page: Page, path: str) -> Any:
    """A GET from the page, as the PWA's api.ts makes it (device id and the app's unlock
    proof, docs/api/requests.md; the page is watched from its start)."""
    answer = app_fetch(page, "GET", path)
    assert answer["status"] == 200, (path, answer)
    return json.loads(answer["body"])


def mail_to(smtp: SmtpSink, address: str, subject_has: str) -> ReceivedMail:
    """The newest mail to `address` whose subject says `subject_has` (waits for it)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = [m for m in smtp.messages_to(address) if subject_has in m.subject]
        if found:
            return found[-1]
        time.sleep(0.2)
    got = [(m.rcpt_tos, m.subject) for m in smtp.messages]
    raise AssertionError(f"no mail to {address} about {subject_has!r}; got {got}")


def login_in(mail: ReceivedMail) -> str:
    found = re.search(r"ログインID：(\S+)", mail.text)
    assert found, mail.text
    return found.group(1)


def link_in(mail: ReceivedMail, kind: str) -> str:
    (link,) = [x for x in SmtpSink.links(mail) if f"/{kind}/" in x]
    return link


def no_patient_in(mail: ReceivedMail) -> None:
    assert not [w for w in NOT_IN_MAIL if w in mail.text + mail.subject], mail.text


def register_office(
    clerk: Page, smtp: SmtpSink, name: str, kind: str, manager: tuple[str, str, str, str]
) -> tuple[str, str]:
    """Registers an office with its システム管理担当者; returns (manager's login, link)."""
    person, kana, job, email = manager
    clerk.get_by_test_id("office-name").fill(name)
    clerk.get_by_test_id("office-kind").select_option(kind)
    clerk.get_by_test_id("office-phone").fill("012-555-0170")
    clerk.get_by_test_id("office-manager-name").fill(person)
    clerk.get_by_test_id("office-manager-kana").fill(kana)
    clerk.get_by_test_id("office-manager-job").select_option(job)
    clerk.get_by_test_id("office-manager-email").fill(email)
    clerk.get_by_test_id("office-add").click()
    row = clerk.locator("[data-testid=office-row]", has_text=name)
    expect(row.get_by_test_id("office-managers")).to_have_text(person, timeout=15_000)
    mail = mail_to(smtp, email, "システム管理担当者")
    return login_in(mail), link_in(mail, "activate")


def office_id(clerk: Page, name: str) -> str:
    return str(next(o["id"] for o in get(clerk, "/api/admin/offices") if o["name"] == name))


def approve_in_inbox(clerk: Page, url: str, kind: str, has_text: str) -> None:
    admin(clerk, url)
    row = clerk.locator(f"[data-testid=inbox-row][data-kind={kind}]", has_text=has_text)
    expect(row).to_be_visible(timeout=15_000)
    row.get_by_test_id("inbox-open").click()
    clerk.get_by_test_id("application-approve").click()
    expect(clerk.get_by_test_id("application-state")).to_have_text("承認済み", timeout=15_000)


@pytest.fixture()
def phones(browser: Browser, playwright: Playwright, request: pytest.FixtureRequest
           ) -> Iterator[Callable[[], BrowserContext]]:
    """A phone of one's own for each person (a Pixel 7: its own cookies, device id, store)."""
    device = {k: v for k, v in playwright.devices["Pixel 7"].items()
              if k != "default_browser_type"}
    made: list[BrowserContext] = []

    def new_phone() -> BrowserContext:
        context = browser.new_context(**device, locale="ja-JP", timezone_id="Asia/Tokyo")
        context.add_init_script(CSP_WATCH)
        made.append(context)
        return context

    yield new_phone
    for index, context in enumerate(made):
        _close(context, request, f"phone{index}")


def test_a_city_goes_live_from_an_empty_database(
    empty_city: LiveServer,
    smtp: SmtpSink,
    browser: Browser,
    desktop: BrowserContext,
    phones: Callable[[], BrowserContext],
    screenshot: Callable[..., Path],
) -> None:
    url = empty_city.url
    people = People()
    phone_of: dict[str, BrowserContext] = {}
    shots = iter(range(1, 100))

    def shot(page: Page, what: str) -> None:
        screenshot(page, f"{next(shots):02d}-{what}")

    # 1. The operator creates the first clerk from the command line.
    made = run_carebook(
        ["create-admin", "--role", "municipal", "--login-id", "midori-clerk",
         "--name", "緑 市子", "--email", "clerk@city.midori.example.jp"],
        empty_city.env,
    )
    assert made.returncode == 0, made.stderr
    initial = re.search(r"initial-password: (\S+)", made.stdout)
    assert initial, made.stdout
    clerk = desktop.new_page()
    watch_unlock_proof(clerk)
    clerk.goto(url + "/")
    clerk.get_by_test_id("login-id").fill("midori-clerk")
    clerk.get_by_test_id("login-password").fill(initial.group(1))
    clerk.get_by_test_id("login-submit").click()
    people.passwords["midori-clerk"] = "harukaze-ichigo-tokei-2026"
    clerk.get_by_test_id("pw-current").fill(initial.group(1))
    clerk.get_by_test_id("pw-new").fill(people.passwords["midori-clerk"])
    clerk.get_by_test_id("pw-confirm").fill(people.passwords["midori-clerk"])
    shot(clerk, "desktop-clerk-first-password")
    clerk.get_by_test_id("pw-submit").click()
    people.enrol(clerk, "midori-clerk")
    idle(clerk)
    admin(clerk, url, "/offices")
    expect(clerk.get_by_test_id("admin-app")).to_have_attribute("data-role", "municipal_admin")

    # 2. Four offices, each with its システム管理担当者.
    care_admin, care_link = register_office(
        clerk, smtp, "あおば居宅介護支援事業所", "care_management_office",
        ("青葉 恵", "あおば めぐみ", "care_manager", "aoba@care.example.jp"))
    station_admin, station_link = register_office(
        clerk, smtp, "みなと訪問看護ステーション", "visiting_nurse_station",
        ("港 良子", "みなと よしこ", "nurse", "minato@station.example.jp"))
    register_office(
        clerk, smtp, "はやし内科クリニック", "clinic",
        ("林 事務", "はやし じむ", "other", "jimu@hayashi.example.jp"))
    pharmacy_admin, pharmacy_link = register_office(
        clerk, smtp, "さくら薬局", "pharmacy",
        ("桜井 薫", "さくらい かおる", "pharmacist", "sakurai@pharmacy.example.jp"))
    register_office(
        clerk, smtp, "みどり中央病院", "hospital",
        ("中央 連携", "ちゅうおう れんけい", "medical_social_worker",
         "renkei@chuo-hospital.example.jp"))
    shot(clerk, "desktop-offices")

    # … the paper 様式4-1 of the station and the clinic, before their invited staff.
    for name, representative in (("みなと訪問看護ステーション", "港 太郎"),
                                 ("はやし内科クリニック", "林 一郎")):
        admin(clerk, url, "/offices")
        clerk.locator("[data-testid=office-row]", has_text=name).get_by_test_id(
            "office-open").click()
        pledge = clerk.get_by_test_id("office-pledge")
        expect(pledge).to_be_visible(timeout=15_000)
        pledge.get_by_test_id("opledge-rep").fill(representative)
        pledge.get_by_test_id("opledge-date").fill(datetime.now(JST).date().isoformat())
        pledge.get_by_test_id("office-pledge-save").click()
        expect(clerk.get_by_test_id("office-pledge-error")).to_have_count(0)
        expect(clerk.get_by_test_id("notice").last).to_be_visible()

    # 3. The doctor and the nurse by invitation: they apply from the mailed link on phones.
    invited = {
        "doctor": ("林 健司", "はやし けんじ", "doctor", "kenji@hayashi.example.jp",
                   "はやし内科クリニック"),
        "nurse": ("浜田 光", "はまだ ひかり", "nurse", "hikari@station.example.jp",
                  "みなと訪問看護ステーション"),
    }
    for key, (name, kana, job, email, office) in invited.items():
        admin(clerk, url, "/invitations")
        clerk.get_by_test_id("invite-name").fill(name)
        clerk.get_by_test_id("invite-email").fill(email)
        clerk.get_by_test_id("invite-office").select_option(office_id(clerk, office))
        clerk.get_by_test_id("invite-send").click()
        expect(clerk.locator("[data-testid=invitation-row]", has_text=email)).to_be_visible()
        phone_of[key] = phones()
        page = phone_of[key].new_page()
        page.goto(link_in(mail_to(smtp, email, "ID発行申請"), "invite"))
        expect(page.get_by_test_id("invite-form")).to_be_visible(timeout=15_000)
        page.get_by_test_id("apply-kana").fill(kana)
        page.get_by_test_id("apply-jobtype").select_option(job)
        page.get_by_test_id("apply-visits").check()  # both make home visits
        page.get_by_test_id("apply-accept").check()
        page.get_by_test_id("apply-submit").click()
        expect(page.get_by_test_id("invite-done")).to_be_visible(timeout=15_000)
        if key == "doctor":
            shot(page, "phone-invited-doctor-applies")
        page.close()
        approve_in_inbox(clerk, url, "idInvited", name)

    # 4. The managers activate; the care office files a 様式2-2C for its care manager.
    managers = phones().new_page()
    people.activate(managers, care_link, care_admin, "natsuzora-budou-kagami-2026")
    admin(managers, url, "/new")
    managers.get_by_test_id("new-kind").select_option("idCareManager")
    managers.get_by_test_id("cm-name").fill("青葉 次郎")
    managers.get_by_test_id("cm-kana").fill("あおば じろう")
    managers.get_by_test_id("cm-email").fill("jiro@care.example.jp")
    managers.get_by_test_id("cm-representative").fill("青葉 代表")
    managers.get_by_test_id("cm-accept").check()
    managers.get_by_test_id("cm-accept-42").check()
    shot(managers, "phone-form-2-2c")
    managers.get_by_test_id("new-submit").click()
    expect(managers.get_by_test_id("notice")).to_contain_text("申請しました")
    approve_in_inbox(clerk, url, "idCareManager", "青葉 次郎")
    shot(clerk, "desktop-2-2c-approved")

    logins: dict[str, str] = {}
    pages: dict[str, Page] = {}
    for key, email, password in (
        ("doctor", "kenji@hayashi.example.jp", "akikaze-momiji-enpitsu-2026"),
        ("nurse", "hikari@station.example.jp", "fuyugeshiki-mikan-tsukue-2026"),
        ("care", "jiro@care.example.jp", "yuugure-sakana-kasa-2026"),
    ):
        mail = mail_to(smtp, email, "ID発行のお知らせ")
        logins[key] = login_in(mail)
        pages[key] = (phone_of.get(key) or phones()).new_page()
        people.activate(pages[key], link_in(mail, "activate"), logins[key], password)

    # 5. The care office asks for the patient's room (様式5 and 6) with its team.
    admin(managers, url, "/new")
    managers.get_by_test_id("new-kind").select_option("roomOpen")
    managers.get_by_test_id("pt-name").fill(PATIENT[0])
    managers.get_by_test_id("pt-kana").fill(PATIENT[1])
    managers.get_by_test_id("pt-sex").select_option("female")
    managers.get_by_test_id("pt-birth-calendar").select_option("showa")
    managers.get_by_test_id("pt-birth-year").fill("9")
    managers.get_by_test_id("pt-birth-month").fill("6")
    managers.get_by_test_id("pt-birth-day").fill("1")
    managers.get_by_test_id("pt-address").fill("みどり市みどり台5丁目1番")
    managers.get_by_test_id("pt-insured").fill(PATIENT[2])
    managers.get_by_test_id("consent-date").fill(datetime.now(JST).date().isoformat())
    managers.get_by_test_id("consent-explained").fill("青葉 次郎")
    for name in ("林 健司", "浜田 光", "青葉 次郎"):
        managers.locator("[data-testid=candidate-row]", has_text=name).get_by_test_id(
            "candidate-check").check()
    shot(managers, "phone-room-request")
    managers.get_by_test_id("room-open-submit").click()
    expect(managers.get_by_test_id("notice")).to_contain_text("申請しました")
    smtp.clear()
    approve_in_inbox(clerk, url, "roomOpen", PATIENT[0])
    room = next(r for r in get(clerk, "/api/admin/rooms") if r["patientName"] == PATIENT[0])
    for email in ("kenji@hayashi.example.jp", "hikari@station.example.jp",
                  "jiro@care.example.jp"):
        no_patient_in(mail_to(smtp, email, "参加"))

    # … the pharmacy, new to her care, asks to join by naming her; the clerk adds it.
    pharmacist = phones().new_page()
    people.activate(pharmacist, pharmacy_link, pharmacy_admin, "asagiri-ringo-megane-2026")
    admin(pharmacist, url, "/new")
    pharmacist.get_by_test_id("new-kind").select_option("roomJoin")
    pharmacist.get_by_test_id("join-by-patient").check()
    pharmacist.get_by_test_id("join-pt-name").fill(PATIENT[0])
    pharmacist.get_by_test_id("join-pt-kana").fill(PATIENT[1])
    pharmacist.get_by_test_id("join-pt-birth-calendar").select_option("showa")
    pharmacist.get_by_test_id("join-pt-birth-year").fill("9")
    pharmacist.get_by_test_id("join-pt-birth-month").fill("6")
    pharmacist.get_by_test_id("join-pt-birth-day").fill("1")
    pharmacist.get_by_test_id("join-pt-insured").fill(PATIENT[2])
    pharmacist.locator(f"[data-testid=join-staff-row][data-login='{pharmacy_admin}']"
                       ).get_by_test_id("join-staff-check").check()
    pharmacist.get_by_test_id("new-submit").click()
    expect(pharmacist.get_by_test_id("notice")).to_contain_text("申請しました")
    admin(clerk, url)
    clerk.locator("[data-testid=inbox-row][data-kind=roomJoin]").get_by_test_id(
        "inbox-open").click()
    candidate = clerk.get_by_test_id("room-candidate")
    expect(candidate).to_contain_text(PATIENT[0], timeout=15_000)
    candidate.get_by_test_id("room-candidate-pick").check()
    clerk.get_by_test_id("application-approve").click()
    expect(clerk.get_by_test_id("application-state")).to_have_text("承認済み")
    no_patient_in(mail_to(smtp, "sakurai@pharmacy.example.jp", "参加"))
    admin(clerk, url, f"/rooms/{room['id']}")
    expect(clerk.locator("[data-testid=member-row]")).to_have_count(4, timeout=15_000)
    shot(clerk, "desktop-room-members")

    # 6. The nurse posts a visit record on her phone; the doctor reads it on his.
    nurse = pages["nurse"]
    wait_for_rooms(nurse, 1)
    nurse.locator("[data-testid=room-row]:visible", has_text=PATIENT[0]).click()
    nurse.get_by_test_id("compose-link").click()
    nurse.locator("[data-testid=title-choice]").first.check()
    visit = "訪問。血圧128/76、表情良好。服薬の飲み忘れなし。"
    nurse.get_by_test_id("post-body").fill(visit)
    nurse.get_by_test_id("post-submit").click()
    expect(nurse.get_by_test_id("sync-status")).to_have_attribute("data-pending", "0",
                                                                  timeout=30_000)
    shot(nurse, "phone-nurse-posted")
    doctor = pages["doctor"]
    wait_for_rooms(doctor, 1)
    doctor.locator("[data-testid=room-row]:visible", has_text=PATIENT[0]).click()
    expect(doctor.locator("[data-testid=post]", has_text=visit)).to_be_visible(timeout=30_000)
    shot(doctor, "phone-doctor-reads")

    # 7. The doctor moves to the city's hospital and leaves the room.
    smtp.clear()
    admin(clerk, url, "/ledger")
    clerk.get_by_test_id("ledger-q").fill(logins["doctor"])
    clerk.get_by_test_id("ledger-search").click()
    clerk.locator(f"[data-testid=ledger-row][data-login='{logins['doctor']}']").get_by_role(
        "link").first.click()
    transfer = clerk.get_by_test_id("user-transfer")
    expect(transfer).to_be_visible(timeout=15_000)
    transfer.get_by_test_id("transfer-office").select_option(office_id(clerk, "みどり中央病院"))
    transfer.get_by_test_id("transfer-room").get_by_test_id("transfer-leave").check()
    transfer.get_by_test_id("transfer-note").fill("みどり中央病院 在宅医療部へ異動")
    clerk.once("dialog", lambda dialog: dialog.accept())
    transfer.get_by_test_id("transfer-submit").click()
    expect(clerk.get_by_test_id("office-period")).to_have_count(2, timeout=15_000)
    shot(clerk, "desktop-transfer")
    wait_for_rooms(doctor, 0)
    left = mail_to(smtp, "kenji@hayashi.example.jp", "参加終了")
    assert "異動" in left.text
    no_patient_in(left)

    # 8. The help desk. The nurse forgets her password on the office PC and locks herself out.
    office_pc = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ja-JP",
                                    timezone_id="Asia/Tokyo")
    try:
        pc = office_pc.new_page()
        pc.goto(url + "/")
        for _ in range(5):
            pc.get_by_test_id("login-id").fill(logins["nurse"])
            pc.get_by_test_id("login-password").fill("a-wrong-password-again")
            pc.get_by_test_id("login-submit").click()
            expect(pc.get_by_test_id("login-error")).to_be_visible(timeout=15_000)
            expect(pc.get_by_test_id("login-submit")).to_be_enabled(timeout=15_000)
    finally:
        office_pc.close()
    admin(clerk, url, "/desk")
    clerk.get_by_test_id("desk-q").fill("はまだ")
    clerk.get_by_test_id("desk-search").click()
    clerk.locator(f"[data-testid=desk-row][data-login='{logins['nurse']}']").get_by_test_id(
        "desk-open").click()
    account = clerk.get_by_test_id("desk-account")
    expect(account).to_have_attribute("data-locked", "true", timeout=15_000)
    shot(clerk, "desktop-desk-locked")
    clerk.get_by_test_id("desk-unlock").click()
    clerk.get_by_test_id("confirm-unlock-yes").click()
    expect(account).to_have_attribute("data-locked", "false", timeout=15_000)
    smtp.clear()
    clerk.get_by_test_id("desk-reset-password").click()
    clerk.get_by_test_id("confirm-reset-password-yes").click()
    reset = mail_to(smtp, "hikari@station.example.jp", "パスワード再設定")
    people.passwords[logins["nurse"]] = "hoshizora-kuri-hashigo-2026"
    nurse.goto(link_in(reset, "activate"))
    nurse.get_by_test_id("activate-password").fill(people.passwords[logins["nurse"]])
    nurse.get_by_test_id("activate-confirm").fill(people.passwords[logins["nurse"]])
    nurse.get_by_test_id("activate-submit").click()
    expect(nurse.get_by_test_id("activate-done")).to_be_visible(timeout=15_000)
    nurse.close()
    # … then her phone is lost: wipe it, reset her second factor; she enrols again.
    clerk.reload()
    unlock(clerk)
    expect(clerk.get_by_test_id("desk-account")).to_be_visible(timeout=15_000)
    clerk.locator("[data-testid=desk-device]").first.get_by_test_id("desk-wipe-device").click()
    clerk.get_by_test_id("confirm-wipe-device-yes").click()
    expect(clerk.locator("[data-testid=desk-device][data-wiped=true]")).to_have_count(1)
    clerk.get_by_test_id("desk-reset-factors").click()
    clerk.get_by_test_id("confirm-reset-factors-yes").click()
    expect(clerk.get_by_test_id("desk-factors")).to_contain_text("未登録", timeout=15_000)
    shot(clerk, "desktop-desk-after")
    nurse = phone_of["nurse"].new_page()
    watch_unlock_proof(nurse)
    nurse.goto(url + "/")
    unlock(nurse)
    # Generous: the unlock (Argon2id in the page), the request answered `wipe` and the
    # wipe each take seconds on a busy machine.
    expect(nurse.get_by_test_id("login-id")).to_be_visible(timeout=60_000)
    people.password_step(nurse, logins["nurse"])
    people.enrol(nurse, logins["nurse"])
    wait_for_rooms(nurse, 1)
    shot(nurse, "phone-nurse-back")

    # … and the patient's access log for a disclosure request, as CSV.
    admin(clerk, url, f"/rooms/{room['id']}")
    clerk.get_by_test_id("room-access-log").click()
    expect(clerk.get_by_test_id("admin-access-log")).to_be_visible(timeout=15_000)
    with clerk.expect_download() as download_info:
        clerk.get_by_test_id("alog-csv").click()
    download = download_info.value
    assert download.suggested_filename.startswith("access-log-")
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    who_did = {(r[2], r[6]) for r in rows[1:]}
    assert ("浜田 光", "投稿") in who_did and ("林 健司", "閲覧（端末への同期）") in who_did
    assert visit not in raw.decode("utf-8-sig")
    shot(clerk, "desktop-access-log")

    # 9. The station asks to stop the nurse's ID in three days; it happens at 00:00 JST.
    station = phones().new_page()
    watch_unlock_proof(station)
    people.activate(station, station_link, station_admin, "shiokaze-nashi-tokei-2026")
    stop_day = (datetime.now(JST) + timedelta(days=3)).date()
    admin(station, url, "/new")
    station.get_by_test_id("new-kind").select_option("idStop")
    nurse_id = next(u["id"] for u in get(station, "/api/office/staff")["users"]
                    if u["loginId"] == logins["nurse"])
    station.get_by_test_id("stop-user").select_option(nurse_id)
    station.get_by_test_id("stop-reason-text").fill("退職のため")
    station.get_by_test_id("stop-date").fill(stop_day.isoformat())
    station.get_by_test_id("new-submit").click()
    expect(station.get_by_test_id("notice")).to_contain_text("申請しました")
    approve_in_inbox(clerk, url, "idStop", "浜田 光")
    expect(clerk.get_by_test_id("application-stop-state")).to_have_attribute(
        "data-state", "scheduled")
    assert get(nurse, "/api/me")["user"]["loginId"] == logins["nurse"]  # not yet

    settings = load_settings(empty_city.env)
    midnight = datetime(stop_day.year, stop_day.month, stop_day.day, 0, 0, 5, tzinfo=JST)

    async def scheduler_pass_at_midnight() -> int:
        engine = db.create_engine(settings.database)
        try:
            done = await Scheduler(settings, db.session_factory(engine),
                                   FrozenClock(midnight)).run_once()
        finally:
            await engine.dispose()
        assert done.held
        return done.work.stopped

    assert run_async(scheduler_pass_at_midnight()) == 1
    # Her phone learns it at its next contact — at once through the live stream when the
    # database carries the news between processes (PostgreSQL), else when the app is opened
    # again: the data goes, the sign-in page stays.
    nurse.reload()
    passcode, sign_in_page = nurse.get_by_test_id("passcode"), nurse.get_by_test_id("login-id")
    # Generous: on a busy machine the unlock (Argon2id), the pull that answers `wipe` and the
    # wipe itself each take seconds.
    expect(passcode.or_(sign_in_page)).to_be_visible(timeout=60_000)
    if passcode.is_visible():
        unlock(nurse)
    expect(sign_in_page).to_be_visible(timeout=90_000)
    admin(clerk, url, "/ledger")
    expect(clerk.locator(f"[data-testid=ledger-row][data-login='{logins['nurse']}']")
           ).to_have_attribute("data-status", "stopped", timeout=15_000)
    shot(clerk, "desktop-ledger-stopped")
    shot(nurse, "phone-nurse-stopped")
