"""The city's side in a real browser: a clerk invites a nurse, approves her, opens a room with
her, confirms a closing request and stops her ID; every form prints to an A4 PDF.

A real SMTP sink on loopback receives the invitation and activation e-mails; the links in
them are followed as the nurse would. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyotp
from playwright.sync_api import BrowserContext, Page, expect

from tests.support.smtp import SmtpSink

from .pwa_helpers import PASSCODE, api_context, api_post, app_fetch, sign_in, watch_unlock_proof
from .server import LiveServer

NEW_PASSWORD = "kawaguchi-nurse-pass-2026"
FORM_TITLES = {
    "2-2C": "情報共有システム利用登録依頼書",
    "3": "情報共有システム ID停止依頼書",
    "4-1": "個人情報の取扱いに関する誓約書",
    "4-2": "個人情報の取扱いに関する誓約書",
    "5": "情報共有システム情報共有同意書",
    "6": "患者（利用者）部屋作成依頼書",
}


def _json(page: Page, method: str, path: str, body: Any = None) -> Any:
    """A request from the page, as the PWA's api.ts makes it (device, unlock proof, CSRF)."""
    return app_fetch(page, method, path, body)


def _admin(page: Page, url: str, hash_: str) -> None:
    page.goto(f"{url}/{hash_}")
    expect(page.get_by_test_id("admin-app")).to_be_visible(timeout=15_000)


def _link(sink: SmtpSink, to: str, kind: str, count: int) -> str:
    mails = [m for m in sink.wait_for(count, timeout=15) if m.to.endswith(to) or to in m.to]
    assert mails, f"no mail to {to}"
    links = [link for m in mails for link in SmtpSink.links(m) if f"/{kind}/" in link]
    assert links, f"no /{kind}/ link in mails to {to}: {[m.text for m in mails]}"
    return links[-1]


def test_clerk_invites_approves_opens_room_closes_and_stops(
    mail_demo_server: LiveServer,
    smtp: SmtpSink,
    desktop: BrowserContext,
    phone: BrowserContext,
    screenshot: Callable[..., Path],
) -> None:
    url = mail_demo_server.url
    clerk = desktop.new_page()
    sign_in(clerk, url, "demo-admin")

    # 1. Invite the nurse (desktop, the admin screens).
    offices = _json(clerk, "GET", "/api/admin/offices")
    assert offices["status"] == 200
    station = next(o for o in __import__("json").loads(offices["body"])
                   if o["kind"] == "visiting_nurse_station")
    _admin(clerk, url, "#/admin/invitations")
    email = "kawaguchi.nurse@example.jp"
    clerk.get_by_test_id("invite-name").fill("川口 由紀")
    clerk.get_by_test_id("invite-email").fill(email)
    clerk.get_by_test_id("invite-office").select_option(station["id"])
    clerk.get_by_test_id("invite-send").click()
    expect(clerk.locator("[data-testid=invitation-row]", has_text=email)).to_be_visible()
    screenshot(clerk, "desktop-invitations")

    invite_link = _link(smtp, email, "invite", 1)
    assert invite_link.startswith(url + "/invite/")

    # 2. She applies through the link in her own browser (a phone).
    nurse = phone.new_page()
    watch_unlock_proof(nurse)
    nurse.goto(invite_link)
    expect(nurse.get_by_test_id("invite-form")).to_be_visible(timeout=15_000)
    expect(nurse.get_by_test_id("pledge-text")).to_contain_text("誓約")
    nurse.get_by_test_id("apply-kana").fill("かわぐち ゆき")
    nurse.get_by_test_id("apply-jobtype").select_option("nurse")
    nurse.get_by_test_id("apply-phone").fill("029-123-4567")
    nurse.get_by_test_id("apply-submit").click()
    expect(nurse.get_by_test_id("apply-error")).to_contain_text("誓約書に同意")
    nurse.get_by_test_id("apply-accept").check()
    screenshot(nurse, "phone-invite")
    nurse.get_by_test_id("apply-submit").click()
    expect(nurse.get_by_test_id("invite-done")).to_be_visible()

    # 3. The clerk finds it in the inbox and approves it; rejecting needs a reason.
    _admin(clerk, url, "#/admin")
    row = clerk.locator("[data-testid=inbox-row][data-kind=idInvited]", has_text="川口 由紀")
    expect(row).to_be_visible()
    screenshot(clerk, "desktop-inbox")
    row.get_by_test_id("inbox-open").click()
    expect(clerk.get_by_test_id("application-payload")).to_contain_text("かわぐち ゆき")
    clerk.get_by_test_id("application-reject").click()
    expect(clerk.get_by_test_id("application-error")).to_contain_text("理由")
    screenshot(clerk, "desktop-application")
    clerk.get_by_test_id("application-approve").click()
    expect(clerk.get_by_test_id("application-state")).to_have_text("承認済み")

    activation_link = _link(smtp, email, "activate", 2)
    assert activation_link.startswith(url + "/activate/")
    login_id = re.search(r"ログインID：(\S+)", smtp.messages_to(email)[-1].text)
    assert login_id, smtp.messages_to(email)[-1].text
    login = login_id.group(1)

    # 4. She is in the ledger (pending until she sets a password).
    _admin(clerk, url, "#/admin/ledger")
    clerk.get_by_test_id("ledger-q").fill("川口")
    clerk.get_by_test_id("ledger-search").click()
    ledger_row = clerk.locator(f"[data-testid=ledger-row][data-login='{login}']")
    expect(ledger_row).to_be_visible()
    expect(clerk.get_by_test_id("ledger-total")).to_have_text("1人")
    screenshot(clerk, "desktop-ledger")
    # The CSV is fetched with the app's headers and saved from a blob (a link would be refused).
    with clerk.expect_download() as saved:
        clerk.get_by_test_id("ledger-csv").click()
    assert re.fullmatch(r"ledger-\d{4}-\d{2}-\d{2}\.csv", saved.value.suggested_filename)
    csv = Path(saved.value.path()).read_bytes().decode("utf-8-sig")
    assert "川口 由紀" in csv and login in csv

    # 5. She sets her password (a weak one is refused with the server's reasons) and enrols TOTP.
    nurse.goto(activation_link)
    expect(nurse.get_by_test_id("activate-page")).to_be_visible(timeout=15_000)
    nurse.get_by_test_id("activate-password").fill("password")
    nurse.get_by_test_id("activate-confirm").fill("password")
    nurse.get_by_test_id("activate-submit").click()
    expect(nurse.get_by_test_id("activate-error")).to_be_visible()
    nurse.get_by_test_id("activate-password").fill(NEW_PASSWORD)
    nurse.get_by_test_id("activate-confirm").fill(NEW_PASSWORD)
    nurse.get_by_test_id("activate-submit").click()
    expect(nurse.get_by_test_id("activate-done")).to_be_visible()
    screenshot(nurse, "phone-activate")
    nurse.get_by_test_id("activate-signin").click()
    nurse.get_by_test_id("login-id").fill(login)
    nurse.get_by_test_id("login-password").fill(NEW_PASSWORD)
    nurse.get_by_test_id("login-submit").click()
    nurse.get_by_test_id("enroll-totp").click()
    secret = re.sub(r"\s+", "", nurse.get_by_test_id("enroll-secret").inner_text())
    nurse.get_by_test_id("enroll-code").fill(pyotp.TOTP(secret).now())
    nurse.get_by_test_id("enroll-confirm").click()
    nurse.get_by_test_id("passcode-new").fill(PASSCODE)
    nurse.get_by_test_id("passcode-confirm").fill(PASSCODE)
    nurse.get_by_test_id("passcode-submit").click()
    expect(nurse.get_by_test_id("sync-status")).to_have_attribute("data-state", "idle",
                                                                   timeout=20_000)
    nurse_id = __import__("json").loads(_json(nurse, "GET", "/api/me")["body"])["user"]["id"]

    # 6. The clerk opens a room for a new patient with a doctor, her and a care manager.
    _admin(clerk, url, "#/admin/new-room")
    clerk.get_by_test_id("pt-name").fill("水野 トメ")
    clerk.get_by_test_id("pt-kana").fill("みずの とめ")
    clerk.get_by_test_id("pt-birth-calendar").select_option("showa")
    clerk.get_by_test_id("pt-birth-year").fill("8")
    clerk.get_by_test_id("pt-birth-month").fill("2")
    clerk.get_by_test_id("pt-birth-day").fill("30")
    expect(clerk.get_by_test_id("pt-birth-check")).to_contain_text("正しくありません")
    clerk.get_by_test_id("pt-birth-day").fill("3")
    expect(clerk.get_by_test_id("pt-birth-check")).to_contain_text("1933年2月3日")
    clerk.get_by_test_id("pt-address").fill("みどり市中央1-2-3")
    clerk.get_by_test_id("consent-explained").fill("佐藤 美香")
    for login_of in ("demo-doctor", "demo-caremanager", login):
        clerk.locator(f"[data-testid=candidate-row][data-login='{login_of}']").get_by_test_id(
            "candidate-check").check()
    screenshot(clerk, "desktop-new-room")
    clerk.get_by_test_id("room-open-submit").click()
    expect(clerk.get_by_test_id("admin-room")).to_be_visible(timeout=15_000)
    expect(clerk.locator(f"[data-testid=member-row][data-login='{login}']")).to_be_visible()
    room_id = clerk.url.rsplit("/", 1)[-1]
    clerk.get_by_test_id("room-label").fill("中央-01")
    clerk.get_by_test_id("label-save").click()
    screenshot(clerk, "desktop-room")

    # 7. She finds the room (the sync pull names it; the room list shows it).
    pulled = _json(nurse, "POST", "/api/sync/pull", {"cursor": None})
    assert pulled["status"] == 200 and room_id in pulled["body"]
    expect(nurse.locator("[data-testid=room-row]:visible", has_text="水野")).to_be_visible(
        timeout=30_000)
    screenshot(nurse, "phone-room-list")

    # 8. She posts a closing request; the clerk sees it (only it) and closes the room.
    room = __import__("json").loads(_json(clerk, "GET", f"/api/admin/rooms/{room_id}")["body"])
    title_id = next(t["id"] for t in room["reportTitles"] if t["active"])
    pushed = _json(nurse, "POST", "/api/sync/push", {
        "clientId": "admin-e2e-" + uuid.uuid4().hex[:8],
        "mutations": [{"id": 1, "name": "post.create", "args": {
            "id": str(uuid.uuid4()), "roomId": room_id, "reportTitleId": title_id,
            "body": "本日、施設に入所されました。部屋の終了をお願いします。",
            "kind": "closingRequest", "closingReason": "facilityAdmission"}}],
    })
    assert pushed["status"] == 200 and '"ok"' in pushed["body"], pushed
    _admin(clerk, url, "#/admin/closing")
    request_row = clerk.locator("[data-testid=closing-row]", has_text="中央-01")
    expect(request_row).to_contain_text("施設入所")
    expect(request_row).to_contain_text("川口 由紀")
    screenshot(clerk, "desktop-closing")
    clerk.once("dialog", lambda dialog: dialog.accept())
    request_row.get_by_test_id("room-close").click()
    expect(request_row).to_have_count(0)
    _admin(clerk, url, f"#/admin/rooms/{room_id}")
    expect(clerk.get_by_test_id("admin-room")).to_have_attribute("data-status", "closed")

    # 9. The clerk stops her ID; her next request is refused.
    assert _json(nurse, "GET", "/api/me")["status"] == 200
    her_device = nurse.evaluate("localStorage.getItem('carebook.deviceId')")
    _admin(clerk, url, f"#/admin/users/{nurse_id}")
    clerk.get_by_test_id("stop-reason").fill("退職のため")
    clerk.once("dialog", lambda dialog: dialog.accept())
    clerk.get_by_test_id("user-stop-submit").click()
    expect(clerk.get_by_test_id("user-status")).to_have_text("停止")
    screenshot(clerk, "desktop-user-stopped")
    # Her tablet hears the wipe on its live stream and erases itself (its device id too);
    # anything still sent as her device, with her proof, is refused.
    refused = app_fetch(nurse, "GET", "/api/me", device=her_device)
    assert refused["status"] == 401 and "device_wiped" in refused["body"], refused


def test_forms_print_to_a4_pdf(
    mail_demo_server: LiveServer, desktop: BrowserContext, playwright: Any,
    screenshot: Callable[..., Path], tmp_path: Path,
) -> None:
    url = mail_demo_server.url
    office = api_context(playwright, url, "demo-officeadmin")
    try:
        version = office.get("/api/help").json()["pledge"]["version"]
        created = api_post(office, "/api/applications", {"kind": "idCareManager", "payload": {
            "name": "印刷 花子", "nameKana": "いんさつ はなこ", "email": "print@example.jp",
            "officePledge": {"representative": "代表 太郎", "version": version, "accepted": True},
            "staffPledge": {"version": version, "accepted": True}}})
    finally:
        office.dispose()
    clerk = desktop.new_page()
    sign_in(clerk, url, "demo-admin")
    json = __import__("json")
    users = json.loads(_json(clerk, "GET", "/api/admin/ledger?q=demo-nurse")["body"])["users"]
    nurse = next(u for u in users if u["loginId"] == "demo-nurse")
    rooms = json.loads(_json(clerk, "GET", "/api/admin/rooms")["body"])
    sources = {"2-2C": created["id"], "3": nurse["id"], "4-1": nurse["officeId"],
               "4-2": nurse["id"], "5": rooms[0]["id"], "6": rooms[0]["id"]}
    has_pdftotext = shutil.which("pdftotext") is not None
    for form, source in sources.items():
        _admin(clerk, url, f"#/admin/print/{form}/{source}")
        sheet = clerk.get_by_test_id("print-sheet")
        expect(sheet).to_have_attribute("data-form", form, timeout=15_000)
        expect(clerk.get_by_test_id("print-title")).to_have_text(FORM_TITLES[form])
        expect(sheet).to_contain_text("令和")
        if form in ("5", "6"):
            expect(sheet).to_contain_text(rooms[0]["patientName"])
        safe = form.replace("-", "_")
        screenshot_path = screenshot(clerk, f"desktop-form-{safe}")
        clerk.emulate_media(media="print")
        expect(clerk.locator(".app-header")).to_be_hidden()
        expect(clerk.get_by_test_id("print-button")).to_be_hidden()
        pdf = Path("test-artifacts") / "forms" / f"form-{safe}.pdf"
        pdf.parent.mkdir(parents=True, exist_ok=True)
        clerk.pdf(path=str(pdf), format="A4", prefer_css_page_size=True, print_background=True)
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF") and len(data) > 5_000, (form, len(data))
        assert screenshot_path.exists()
        if has_pdftotext:
            text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                                  capture_output=True, text=True).stdout
            compact = re.sub(r"\s+", "", text)
            assert re.sub(r"\s+", "", FORM_TITLES[form]) in compact, (form, text[:500])
            assert "carebook在宅医療" not in compact  # the app header is not printed
            pages = int(re.search(rb"/Type\s*/Pages.*?/Count\s+(\d+)", data, re.S).group(1)) \
                if re.search(rb"/Type\s*/Pages.*?/Count\s+(\d+)", data, re.S) else 1
            assert pages <= 2, (form, pages)
        clerk.emulate_media(media="screen")
