"""Forms for offices in a real browser: the office's システム管理担当者 prints its blank 様式5
(for the patient to sign) and a staff member's filled 様式4-2, on the city's A4 layout,
and the printed PDF says what the paper must say. Phone and desktop, screenshots, PDFs."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
from playwright.sync_api import Page, expect

from .pages import Device
from .pwa_helpers import sign_in
from .server import LiveServer

OFFICE = "みどり訪問看護ステーション"
NURSE = "鈴木 真理子"
A4_POINTS = (595, 842)


def _printed(page: Page, name: str) -> str:
    """The sheet as printed on A4: the PDF is kept in test-artifacts/forms/; its text returned."""
    page.emulate_media(media="print")
    expect(page.locator(".app-header")).to_be_hidden()
    expect(page.get_by_test_id("print-button")).to_be_hidden()
    data = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    page.emulate_media(media="screen")
    target = Path("test-artifacts") / "forms" / f"{name}.pdf"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    pdf = pdfium.PdfDocument(data)
    assert len(pdf) == 1, f"{name}: {len(pdf)} pages"
    width, height = pdf[0].get_size()
    assert (round(width), round(height)) == A4_POINTS
    return re.sub(r"\s+", "", pdf[0].get_textpage().get_text_range())


def test_an_office_prints_a_blank_consent_and_a_staff_members_pledge(
    demo_server: LiveServer, device: Device, screenshot: Callable[..., Path]
) -> None:
    watched = device.new_page()
    page = watched.page
    sign_in(page, demo_server.url, "demo-officeadmin")
    page.get_by_test_id("nav-admin").click()
    page.get_by_test_id("admin-nav-forms").click()
    forms = page.get_by_test_id("office-forms")
    expect(forms.get_by_test_id("office-form-row")).to_have_count(6)
    screenshot(page, f"{device.name}-office-forms")

    # 様式5, blank: the consent the patient signs at the care conference.
    forms.get_by_test_id("blank-5").click()
    sheet = page.get_by_test_id("print-sheet")
    expect(sheet).to_have_attribute("data-form", "5", timeout=15_000)
    expect(sheet).to_have_attribute("data-blank", "true")
    expect(page.get_by_test_id("print-title")).to_have_text("情報共有システム情報共有同意書")
    expect(sheet).to_contain_text(f"{OFFICE} 代表者")
    screenshot(page, f"{device.name}-blank-form-5")
    text = _printed(page, f"office-blank-5-{device.name}")
    for words in (
        "情報共有システム情報共有同意書",
        "みどり市の運営する情報共有システム",
        "患者（利用者）記載欄",
        "同意年月日",
        "令和年月日",  # written by hand
        "明治・大正・昭和・平成",
        "男・女",
        "介護保険番号",
        "説明者（事業所名）",
        OFFICE,
    ):
        assert words in text, (words, text[:600])
    assert "carebook在宅医療" not in text  # the app's header is not printed

    # 様式4-2 of one staff member, from the staff list.
    page.goto(f"{demo_server.url}/#/admin/staff")
    row = page.locator("[data-testid=ledger-row][data-login=demo-nurse]")
    row.get_by_test_id("staff-print-42").click()
    expect(sheet).to_have_attribute("data-form", "4-2", timeout=15_000)
    expect(sheet).to_contain_text(NURSE)
    screenshot(page, f"{device.name}-staff-form-4-2")
    text = _printed(page, f"office-4-2-{device.name}")
    pledge = ("個人情報の取扱いに関する誓約書", "様式4-2", "従業者", OFFICE, NURSE.replace(" ", ""))
    for words in pledge:
        assert words in text, (words, text[:600])
    assert watched.problems() == []
