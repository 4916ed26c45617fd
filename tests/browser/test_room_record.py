"""A member takes a room's record out of the PWA: the A4 print renders in Japanese with era
dates, the posts and the vitals chart (checked in the PDF Chromium prints), the vitals CSV and
the FHIR bundle are saved as files, and each is in the audit log."""

from __future__ import annotations

import io
import json
import re
from typing import Any

from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from server import db
from server.settings import load_settings
from store.models import AuditEvent
from tests.browser.server import LiveServer, run_async

from .pwa_helpers import open_room, sign_in


async def _audit_actions(server: LiveServer) -> list[str]:
    settings = load_settings(server.env)
    engine = db.create_engine(settings.database)
    try:
        async with db.session_factory(engine)() as session:
            return list(await session.scalars(select(AuditEvent.action)))
    finally:
        await engine.dispose()


def _images(reader: PdfReader) -> int:
    """Image XObjects drawn on the pages: the chart's canvases (and photos) are images."""
    count = 0
    for page in reader.pages:
        resources: Any = page.get("/Resources") or {}
        xobjects: Any = resources.get("/XObject") or {}
        for ref in xobjects.values():
            if ref.get_object().get("/Subtype") == "/Image":
                count += 1
    return count


def test_a_nurse_prints_the_record_and_saves_vitals_and_fhir(
    demo_server: LiveServer, desktop: Any, screenshot: Any
) -> None:
    page = desktop.new_page()
    sign_in(page, demo_server.url, "demo-nurse")
    open_room(page, "青木 ハナ")
    page.get_by_test_id("tab-record").click()
    printed = page.get_by_test_id("record-print")
    expect(printed).to_be_visible(timeout=20_000)
    expect(page.get_by_test_id("record-birth")).to_contain_text("昭和5年4月12日")
    expect(page.locator("[data-testid=record-post]").first).to_be_visible()
    expect(page.locator("[data-testid=record-vitals] tbody tr").first).to_be_visible()
    expect(page.locator("[data-testid=vitals-chart] canvas").first).to_be_visible(timeout=15_000)
    posts = page.locator("[data-testid=record-post]").count()
    assert posts > 5
    screenshot(page, "desktop")

    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)
    reader = PdfReader(io.BytesIO(pdf))
    # Text as the PDF holds it, spacing aside (the extractor spaces out words and digits).
    text = re.sub(r"\s+", "", "".join(p.extract_text() or "" for p in reader.pages))
    assert "在宅医療・介護連携連絡帳記録" in text
    assert "青木ハナ" in text
    assert "昭和5年4月12日" in text  # the era date, in Japanese glyphs that render
    assert "バイタル" in text and "血圧（上）" in text
    assert "記録の出力" not in text and "印刷する" not in text  # the controls stay off paper
    assert _images(reader) >= 3  # the three vitals charts
    assert len(reader.pages) >= 2
    page.emulate_media(media="screen")

    with page.expect_download() as csv_download:
        page.get_by_role("button", name="バイタルを CSV で保存").click()
    data = csv_download.value.path().read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "血圧（上）mmHg" in data.decode("utf-8-sig").splitlines()[0]

    with page.expect_download() as fhir_download:
        page.get_by_role("button", name="FHIR（JP-Core）で保存").click()
    bundle = json.loads(fhir_download.value.path().read_text())
    assert bundle["resourceType"] == "Bundle"
    assert any(e["resource"]["resourceType"] == "Observation" for e in bundle["entry"])

    actions = run_async(_audit_actions(demo_server))
    assert {"record.printed", "record.vitals_csv", "record.fhir"} <= set(actions)


def test_the_record_screen_fits_a_phone(demo_server: LiveServer, phone: Any,
                                        screenshot: Any) -> None:
    page = phone.new_page()
    sign_in(page, demo_server.url, "demo-doctor")
    open_room(page, "青木 ハナ")
    page.get_by_test_id("tab-record").click()
    expect(page.get_by_test_id("record-print")).to_be_visible(timeout=20_000)
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > 413)
        .slice(0, 8).map(e => e.tagName + '.' + e.className)""")
    assert width <= 412 + 1, wide
    screenshot(page, "phone")

