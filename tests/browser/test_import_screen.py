"""A clerk moves a city in through the admin screen, and an imported nurse gets in.

1. The clerk downloads a blank template, checks the vendor's files with ten kinds of mistake
   (the report lists them row by row, nothing is written), checks and imports the right
   files (CP932 CSV), checks them again (nothing would change), mails the new people their
   activation and prints letters for those without mail.
2. An imported nurse opens the activation link on a phone, sets a password, enrols a second
   factor, syncs her rooms, and reads the imported history offline.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pyotp
from playwright.sync_api import BrowserContext, Page, expect

from tests.support.smtp import SmtpSink

from .pwa_helpers import PASSCODE, sign_in, unlock
from .server import LiveServer

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"
PASSWORD = "midori-nurse-pass-2026"
EXPECTED = [
    ("利用者.csv", "5", "事業所番号"),
    ("利用者.csv", "12", "ログインID"),
    ("利用者.csv", "13", "職種"),
    ("利用者.csv", "14", "フリガナ"),
    ("患者.csv", "4", "生年月日"),
    ("部屋.csv", "3", "-"),
    ("部屋.csv", "5", "通知用の表示名"),
    ("連絡帳.csv", "12", "投稿者ログインID"),
    ("連絡帳.csv", "22", "ケアレポート標題"),
    ("連絡帳.csv", "32", "体温"),
]


def _open_import(page: Page, url: str) -> None:
    """The import screen, unlocking the app first when the navigation reloaded it."""
    page.goto(f"{url}/#/admin/import")
    screen = page.get_by_test_id("admin-import")
    passcode = page.get_by_test_id("passcode")
    expect(screen.or_(passcode)).to_be_visible(timeout=15_000)
    if passcode.is_visible():
        unlock(page)
    expect(screen).to_be_visible(timeout=15_000)


def _files(folder: str) -> list[str]:
    return [str(p) for p in sorted((FIXTURES / folder).iterdir()) if p.suffix == ".csv"]


def _run(page: Page, folder: str, button: str) -> None:
    page.get_by_test_id("import-files").set_input_files(_files(folder))
    page.get_by_test_id(button).click()
    expect(page.get_by_test_id("import-report")).to_be_visible(timeout=120_000)


def _kinds(page: Page) -> dict[str, list[str]]:
    rows = page.locator("[data-testid=import-kinds] tbody tr")
    return {rows.nth(i).get_attribute("data-kind") or "":
            rows.nth(i).locator("td").all_inner_texts()[1:] for i in range(rows.count())}


def test_a_clerk_imports_the_city_and_an_imported_nurse_reads_history_offline(
    mail_demo_server: LiveServer,
    smtp: SmtpSink,
    desktop: BrowserContext,
    phone: BrowserContext,
    screenshot: Callable[..., Path],
) -> None:
    url = mail_demo_server.url
    clerk = desktop.new_page()
    sign_in(clerk, url, "demo-admin")
    _open_import(clerk, url)

    with clerk.expect_download() as template:
        clerk.get_by_test_id("template-users").click()
    header = template.value.path().read_bytes().decode("utf-8-sig").strip()
    assert header.startswith("ログインID,氏名,フリガナ,職種")

    # The ten mistakes, row by row; nothing written, so nothing to import.
    _run(clerk, "mistakes", "import-check")
    problems = clerk.locator("[data-testid=import-problem]")
    expect(problems).to_have_count(10)
    cells = [tuple(problems.nth(i).locator("td").all_inner_texts()[:3]) for i in range(10)]
    assert cells == EXPECTED
    expect(problems.nth(7)).to_contain_text("投稿者「坂本 光」はこの部屋の参加者ではありません。")
    expect(clerk.get_by_test_id("import-apply")).to_be_disabled()
    screenshot(clerk, "desktop-mistakes")

    # The right files: checked, then imported.
    _run(clerk, "cp932", "import-check")
    expect(clerk.get_by_test_id("import-outcome")).to_contain_text("確認のみです")
    assert _kinds(clerk)["posts"] == ["300", "0", "0"]
    clerk.get_by_test_id("import-apply").click()
    expect(clerk.get_by_test_id("import-outcome")).to_have_text("取り込みました。",
                                                                timeout=120_000)
    assert _kinds(clerk)["users"] == ["30", "0", "0"]
    issued = clerk.get_by_test_id("import-issued")
    expect(issued).to_contain_text("新しく発行したID（30人）")
    screenshot(clerk, "desktop-imported")

    smtp.clear()
    clerk.get_by_test_id("import-send-mails").click()
    mails = smtp.wait_for(20, timeout=30)  # the first batch; the rest follow half a minute later
    nurse_mail = next((m for m in mails if m.to == "midori-n01@example.jp"), None)
    clerk.get_by_test_id("import-print-letters").click()
    expect(clerk.locator("[data-testid=activation-letter]")).to_have_count(3, timeout=15_000)
    codes = clerk.locator("[data-testid=letter-code]").all_inner_texts()
    assert all(re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){4}", c) for c in codes)
    screenshot(clerk, "desktop-letters")

    # The same files again: nothing would change.
    clerk.reload()
    _open_import(clerk, url)
    _run(clerk, "cp932", "import-check")
    kinds = _kinds(clerk)
    assert all(counts[:2] == ["0", "0"] for counts in kinds.values()), kinds
    assert kinds["posts"] == ["0", "0", "300"]

    # 2. The nurse activates on her phone and reads the history, then offline.
    if nurse_mail is None:
        nurse_mail = next(m for m in smtp.wait_for(27, timeout=90)
                          if m.to == "midori-n01@example.jp")
    link = next(x for x in SmtpSink.links(nurse_mail) if "/activate/" in x)
    nurse = phone.new_page()
    nurse.goto(link)
    nurse.get_by_test_id("activate-password").fill(PASSWORD)
    nurse.get_by_test_id("activate-confirm").fill(PASSWORD)
    nurse.get_by_test_id("activate-submit").click()
    nurse.get_by_test_id("activate-signin").click()
    nurse.get_by_test_id("login-id").fill("midori-n01")
    nurse.get_by_test_id("login-password").fill(PASSWORD)
    nurse.get_by_test_id("login-submit").click()
    nurse.get_by_test_id("enroll-totp").click()
    secret = re.sub(r"\s+", "", nurse.get_by_test_id("enroll-secret").inner_text())
    nurse.get_by_test_id("enroll-code").fill(pyotp.TOTP(secret).now())
    nurse.get_by_test_id("enroll-confirm").click()
    nurse.get_by_test_id("passcode-new").fill(PASSCODE)
    nurse.get_by_test_id("passcode-confirm").fill(PASSCODE)
    nurse.get_by_test_id("passcode-submit").click()
    rooms = nurse.locator("[data-testid=room-row]:visible")
    expect(rooms).to_have_count(1, timeout=30_000)
    expect(nurse.get_by_test_id("sync-status")).to_have_attribute("data-state", "idle",
                                                                   timeout=60_000)
    expect(rooms.first).to_contain_text("青木 ハナ")
    expect(rooms.first.get_by_test_id("unread-count")).to_have_count(0)  # history counts as read

    phone.set_offline(True)
    nurse.reload()
    unlock(nurse)
    nurse.locator("[data-testid=room-row]:visible", has_text="青木 ハナ").first.click()
    posts = nurse.locator("[data-testid=post]")
    expect(posts.first).to_be_visible(timeout=20_000)
    expect(nurse.get_by_text("確認しました。").first).to_be_attached()
    expect(posts.first.get_by_test_id("post-imported")).to_have_text("（前のシステムから移行）")
    screenshot(nurse, "phone-offline-history", full_page=False)
    phone.set_offline(False)
