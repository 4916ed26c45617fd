"""Photos offline: after syncing online, a member's photo thumbnail shows in a room opened
without signal, from the encrypted IndexedDB copy (no JPEG in the clear on the device);
full-size photos say they need a connection."""

from __future__ import annotations

import io
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, Playwright, expect
from sqlalchemy import select

from server import db
from server.demo.data import PATIENTS
from server.settings import load_settings
from store.models import AuditEvent

from .pages import Device
from .pwa_helpers import READ_INDEXEDDB_JS, api_context, api_post, open_room, sign_in, unlock
from .server import LiveServer, run_async

pytestmark = pytest.mark.browser

AOKI = PATIENTS[0].name  # 青木 ハナ
# Who posts the photo, and who reads it offline, per viewport (distinct logins: no TOTP wait).
PEOPLE = {
    "phone": ("demo-doctor", "demo-nurse"),
    "desktop": ("demo-pharmacist", "demo-caremanager"),
}

# Every stored value of every IndexedDB database, searched byte by byte for the JPEG start
# of image marker (FF D8 FF) and the JFIF tag; also counts the sealed thumbnail rows.
SCAN_INDEXEDDB = """
async () => {
""" + READ_INDEXEDDB_JS + """
  const found = [];
  let thumbnails = 0;
  const bytesOf = (v) => v instanceof ArrayBuffer ? new Uint8Array(v)
    : ArrayBuffer.isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : null;
  const scan = (where, v) => {
    const b = bytesOf(v);
    if (b) {
      for (let i = 0; i + 2 < b.length; i++) {
        if (b[i] === 0xff && b[i + 1] === 0xd8 && b[i + 2] === 0xff) { found.push(where); return; }
      }
      if (new TextDecoder('latin1').decode(b).includes('JFIF')) found.push(where + ' (JFIF)');
    } else if (typeof v === 'string') {
      if (v.includes('\\xff\\xd8\\xff') || v.includes('/9j/')) found.push(where + ' (string)');
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) scan(where + '.' + k, x);
    }
  };
  for (const {db, store, values} of await readIndexedDb()) {
    values.forEach((v, i) => scan(db + '/' + store + '[' + i + ']', v));
    if (db === 'carebook' && store === 'thumbnails') {
      thumbnails = values.filter((v) => v.ct && v.ct.byteLength > 0).length;
    }
  }
  return {found, thumbnails};
}
"""

# Whether the background prefetch has sealed and stored this attachment's thumbnail.
THUMBNAIL_STORED = """
async (id) => {
  const db = await new Promise((res, rej) => {
    const r = indexedDB.open('carebook');
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
  try {
    if (!db.objectStoreNames.contains('thumbnails')) return false;
    const row = await new Promise((res) => {
      const r = db.transaction('thumbnails').objectStore('thumbnails').get(id);
      r.onsuccess = () => res(r.result);
      r.onerror = () => res(null);
    });
    return !!(row && row.ct && row.ct.byteLength > 0);
  } finally {
    db.close();
  }
}
"""


def _jpeg() -> bytes:
    """A real photo-sized JPEG with some structure (the server re-encodes it and thumbnails it)."""
    image = Image.new("RGB", (1200, 900), (200, 120, 90))
    for x in range(0, 1200, 60):
        image.paste((40, 90, 160), (x, 0, x + 20, 900))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _post_photo(playwright: Playwright, base_url: str, login_id: str, body: str) -> str:
    """`login_id` posts `body` with one photo in 青木's room, as the PWA would.

    Answers the attachment id."""
    api = api_context(playwright, base_url, login_id)
    try:
        pulled = api_post(api, "/api/sync/pull", {"cursor": None, "limit": 1000})
        room_id = title_id = None
        for room, served in pulled["rooms"].items():
            changes = served["changes"]
            if any(c["type"] == "patient" and c["data"]["name"] == AOKI for c in changes):
                room_id = room
                title_id = next(c["id"] for c in changes if c["type"] == "reportTitle")
        assert room_id and title_id, "the demo room of 青木 was not served"
        uploaded = api.context.post(
            f"/api/rooms/{room_id}/attachments",
            multipart={"file": {"name": "wound.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}},
            headers={"X-CSRF-Token": api.csrf, "X-Carebook-Unlock": api.unlock},
        )
        assert uploaded.ok, uploaded.text()
        attachment_id: str = uploaded.json()["id"]
        pushed = api_post(api, "/api/sync/push", {
            "clientId": f"offline-photos-{login_id}-{int(time.time())}",
            "mutations": [{"id": 1, "name": "post.create", "args": {
                "id": _uuid7(), "roomId": room_id, "reportTitleId": title_id, "body": body,
                "attachmentIds": [attachment_id]}}],
        })
        assert pushed["results"][0]["status"] == "ok", pushed
        return attachment_id
    finally:
        api.dispose()


def _uuid7() -> str:
    """A UUIDv7, as the PWA makes entity ids."""
    millis = int(time.time() * 1000)
    raw = bytearray(millis.to_bytes(6, "big") + os.urandom(10))
    raw[6] = (raw[6] & 0x0F) | 0x70
    raw[8] = (raw[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(raw)))


def _poll(page: Page, script: str, arg: object, timeout_s: float = 20) -> object:
    """Evaluates an async script until it answers something truthy (or the time is up)."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = page.evaluate(script, arg)
        if value or time.monotonic() > deadline:
            return value
        page.wait_for_timeout(250)


def _natural_width(page: Page, post_text: str) -> int:
    photo = page.locator("[data-testid=post]", has_text=post_text).get_by_test_id("post-photo")
    expect(photo).to_have_count(1, timeout=15_000)
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0",
                           arg=photo.element_handle(), timeout=15_000)
    width: int = photo.evaluate("(img) => img.naturalWidth")
    return width


async def _audited_purposes(server: LiveServer, attachment_id: str) -> list[str]:
    settings = load_settings(server.env)
    engine = db.create_engine(settings.database)
    try:
        async with db.session_factory(engine)() as session:
            events = await session.scalars(
                select(AuditEvent).where(AuditEvent.action == "attachment.view",
                                         AuditEvent.target_id == attachment_id))
            return [str(e.details.get("purpose")) for e in events]
    finally:
        await engine.dispose()


def test_photo_thumbnails_show_offline_from_the_encrypted_cache(
    demo_server: LiveServer,
    device: Device,
    playwright: Playwright,
    screenshot: Callable[..., Path],
) -> None:
    author, reader = PEOPLE[device.name]
    body = f"褥瘡の写真（{device.name}-{int(time.time())}）"
    attachment_id = _post_photo(playwright, demo_server.url, author, body)

    watched = device.new_page()
    page = watched.page
    sign_in(page, demo_server.url, reader)  # syncs online; the room is not opened online
    page.wait_for_function(
        "async () => !!(await navigator.serviceWorker.ready).active", timeout=20_000
    )
    # The pull noted the photo; the background fetch sealed its thumbnail into IndexedDB.
    assert _poll(page, THUMBNAIL_STORED, attachment_id), "the thumbnail was not stored"
    # ...and the audit log says it was copied for offline use, not looked at.
    assert run_async(_audited_purposes(demo_server, attachment_id)) == ["offline"]

    device.context.set_offline(True)
    page.reload()
    unlock(page)
    open_room(page, AOKI)
    expect(page.get_by_test_id("sync-status")).to_contain_text("オフライン", timeout=15_000)
    assert _natural_width(page, body) > 0
    expect(page.get_by_test_id("photos-offline-note")).to_be_visible()
    screenshot(page, f"{device.name}-offline-photo", full_page=False)

    # The full-size photo is online only: the tap says so and the thumbnail stays.
    post = page.locator("[data-testid=post]", has_text=body)
    post.get_by_test_id("post-photo").click()
    expect(post.get_by_test_id("photo-full-offline")).to_contain_text("オンライン時のみ")
    assert _natural_width(page, body) > 0

    # Encrypted at rest: no JPEG bytes anywhere in IndexedDB, yet the thumbnail is there.
    scanned = page.evaluate(SCAN_INDEXEDDB)
    assert scanned["thumbnails"] >= 1
    assert scanned["found"] == [], f"JPEG bytes in the clear in IndexedDB: {scanned['found']}"
    assert watched.page_errors == []
    assert watched.csp_violations() == []
    device.context.set_offline(False)
