"""Documents in the browser (issue 17 item 6): a nurse on a tablet attaches a discharge
summary (PDF) to a post; a file that is not a PDF is refused at once, and a forged PDF (with
JavaScript) is refused by the server, both in Japanese; the doctor sees the first page and
downloads the file (never shown inline), which then opens again without signal from the
encrypted copy; a non-member is refused the file."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from server.demo.data import PATIENTS
from tests.contact_book import photos
from tests.support import pdfs

from .conftest import _new_context
from .pwa_helpers import READ_INDEXEDDB_JS, app_fetch, open_room, sign_in, watch_unlock_proof
from .server import LiveServer

pytestmark = pytest.mark.browser

AOKI = PATIENTS[0].name  # 青木 ハナ
TABLET = {"width": 820, "height": 1180}
SUMMARY = "退院時サマリ_青木.pdf"

# Every stored value of every IndexedDB database, searched for a PDF's "%PDF-" header and
# for the document's own text; also counts the sealed document rows.
SCAN_INDEXEDDB = """
async () => {
""" + READ_INDEXEDDB_JS + """
  const found = [];
  let documents = 0;
  const bytesOf = (v) => v instanceof ArrayBuffer ? new Uint8Array(v)
    : ArrayBuffer.isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : null;
  const scan = (where, v) => {
    const b = bytesOf(v);
    if (b) {
      const text = new TextDecoder('latin1').decode(b);
      if (text.includes('%PDF-') || text.includes('Discharge')) found.push(where);
    } else if (typeof v === 'string') {
      if (v.includes('%PDF-') || v.includes('Discharge')) found.push(where + ' (string)');
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) scan(where + '.' + k, x);
    }
  };
  for (const {db, store, values} of await readIndexedDb()) {
    values.forEach((v, i) => scan(db + '/' + store + '[' + i + ']', v));
    if (db === 'carebook' && store === 'documents') {
      documents = values.filter((v) => v.ct && v.ct.byteLength > 0).length;
    }
  }
  return {found, documents};
}
"""

def _compose(page: Page, body: str) -> None:
    page.get_by_test_id("compose-link").click()
    page.locator("[data-testid=title-choice][data-title=退院調整]").check()
    page.get_by_test_id("post-body").fill(body)


def _attach(page: Page, name: str, data: bytes) -> None:
    page.get_by_test_id("post-documents").set_input_files(
        files=[{"name": name, "mimeType": "application/pdf", "buffer": data}])


def test_a_summary_is_attached_downloaded_by_members_kept_offline_and_refused_to_others(
    demo_server: LiveServer, browser: Browser, tmp_path: Path,
    screenshot: Callable[..., Path],
) -> None:
    summary = pdfs.document(pages=3, title="Discharge summary")
    stamp = int(time.time())
    tablet = _new_context(browser, viewport=TABLET, has_touch=True, locale="ja-JP",
                          timezone_id="Asia/Tokyo")
    desktop = _new_context(browser, viewport={"width": 1440, "height": 900}, locale="ja-JP",
                           timezone_id="Asia/Tokyo", accept_downloads=True)
    outsider_context = _new_context(browser, locale="ja-JP")
    try:
        nurse = tablet.new_page()
        sign_in(nurse, demo_server.url, "demo-nurse")
        open_room(nurse, AOKI)

        # --- a picture renamed .pdf: refused on the tablet at once, nothing joins the draft ---
        _compose(nurse, f"退院時サマリを共有します。{stamp}")
        _attach(nurse, "紹介状.pdf", photos.png_with_text())
        expect(nurse.get_by_test_id("compose-error")).to_contain_text(
            "「紹介状.pdf」は PDF ファイルではありません")
        expect(nurse.get_by_test_id("draft-document")).to_have_count(0)

        # --- a forged PDF (JavaScript on opening): the server refuses it, in Japanese ---------
        _attach(nurse, "偽の文書.pdf", pdfs.document(catalog=pdfs.JAVASCRIPT_ACTION))
        expect(nurse.get_by_test_id("draft-document")).to_have_count(1)
        nurse.get_by_test_id("post-submit").click()
        rejected = nurse.get_by_test_id("rejected")
        expect(rejected).to_contain_text("スクリプト", timeout=20_000)
        expect(rejected).to_contain_text("PDF")
        screenshot(nurse, "tablet-forged-pdf-refused", full_page=False)
        nurse.get_by_test_id("rejected-discard").click()
        expect(rejected).to_have_count(0)

        # --- the real summary -----------------------------------------------------------
        body = f"退院時サマリです。ご確認ください。{stamp}"
        _compose(nurse, body)
        _attach(nurse, SUMMARY, summary)
        expect(nurse.get_by_test_id("draft-document")).to_contain_text(SUMMARY)
        nurse.get_by_test_id("post-submit").click()
        card = nurse.locator("[data-testid=post]", has_text=body)
        expect(card.get_by_test_id("post-document")).to_contain_text(SUMMARY, timeout=20_000)
        expect(card.get_by_test_id("post-document")).to_contain_text("3ページ")
        document_id = card.get_by_test_id("post-document").get_attribute("data-id")
        assert document_id

        # --- the doctor, on the desktop: first page shown, the file downloaded ---------------
        doctor = desktop.new_page()
        sign_in(doctor, demo_server.url, "demo-doctor")
        open_room(doctor, AOKI)
        shown = doctor.locator(f"[data-testid=post-document][data-id='{document_id}']")
        expect(shown).to_contain_text(SUMMARY, timeout=20_000)
        thumb = shown.get_by_test_id("document-thumb")
        expect(thumb).to_be_visible(timeout=20_000)
        doctor.wait_for_function("(img) => img.complete && img.naturalWidth > 0",
                                 arg=thumb.element_handle())
        screenshot(doctor, "desktop-document-card", full_page=False)
        with doctor.expect_download() as download_info:
            shown.get_by_test_id("document-open").click()
        download = download_info.value
        assert download.suggested_filename == SUMMARY
        saved = tmp_path / "downloaded.pdf"
        download.save_as(saved)
        assert saved.read_bytes() == summary
        # Never shown in the app: the page is still the room.
        expect(doctor.get_by_test_id("compose-link")).to_be_visible()

        # Kept on the desktop, sealed: it opens again without signal.
        expect(shown.get_by_test_id("document-kept")).to_be_visible(timeout=20_000)
        scan = doctor.evaluate(SCAN_INDEXEDDB)
        assert scan["documents"] >= 1, scan
        assert scan["found"] == [], scan["found"]
        desktop.set_offline(True)
        with doctor.expect_download() as again_info:
            shown.get_by_test_id("document-open").click()
        again = tmp_path / "offline.pdf"
        again_info.value.save_as(again)
        assert again.read_bytes() == summary
        desktop.set_offline(False)

        # The budget and what is kept, in Settings.
        doctor.goto(demo_server.url + "/#/settings")
        expect(doctor.get_by_test_id("documents-usage")).to_contain_text("1件")
        expect(doctor.get_by_test_id("documents-usage")).to_contain_text("100.0 MB")

        # --- a member of other rooms only: no room, and the file is refused ---------------
        outsider = outsider_context.new_page()
        watch_unlock_proof(outsider)
        # Signed in and unlocked: the app's own requests carry its proof, and so do ours.
        with outsider.expect_request(lambda r: bool(r.headers.get("x-carebook-unlock")),
                                     timeout=30_000):
            sign_in(outsider, demo_server.url, "demo-pt")
        expect(outsider.locator("[data-testid=room-row]", has_text=AOKI)).to_have_count(0)
        for path in (f"/api/attachments/{document_id}",
                     f"/api/attachments/{document_id}/thumbnail"):
            assert app_fetch(outsider, "GET", path)["status"] == 404, path
    finally:
        for context in (tablet, desktop, outsider_context):
            context.close()
