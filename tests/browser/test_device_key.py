"""The device's data key and nothing unsent lost without a word (issue 13, items 2 and 8).

A copied browser profile must not open with a cheap offline guess (Argon2id, biometric PRF),
old PBKDF2 keys migrate at the next unlock, a forgotten passcode keeps the outbox after a full
sign-in, every wipe says how many unsent records it erased, a draft is not discarded by a slip,
notices do not pile up, and switching rooms right after posting never sticks on 読み込み中….
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from server.demo.data import DEMO_PASSWORD, PATIENTS, POSTS

from .pages import Device
from .pwa_helpers import (
    DUMP_INDEXEDDB,
    PASSCODE,
    open_room,
    rooms_of,
    sign_in,
    totp_code,
    unlock,
    wait_for_rooms,
)
from .server import LiveServer

pytestmark = pytest.mark.browser

AOKI = PATIENTS[0].name  # 青木 ハナ
ISHIKAWA = PATIENTS[1].name
LONG_PASSCODE = "hana2026"

# The keys database's record, as stored (no secret in it is readable: only the slot layout).
READ_KEY_RECORD = """
async () => {
  const db = await new Promise((res, rej) => {
    const r = indexedDB.open('carebook-keys');
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
  const record = await new Promise((res) => {
    const r = db.transaction('device').objectStore('device').get('key');
    r.onsuccess = () => res(r.result);
  });
  db.close();
  if (!record) return null;
  const w = record.wrapped;
  return {v: w.v, kdf: w.passcode ? {alg: w.passcode.kdf.alg, m: w.passcode.kdf.memoryKiB,
          t: w.passcode.kdf.iterations} : null, long: w.passcode ? w.passcode.long : null,
          recovery: !!w.recovery, prf: w.prf ? {deviceBound: w.prf.deviceBound} : null,
          iterations: w.iterations ?? null};
}
"""


def _sign_in_with(page: Page, base_url: str, login_id: str) -> None:
    page.goto(base_url + "/")
    page.get_by_test_id("login-id").fill(login_id)
    page.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("totp-code").fill(totp_code(login_id))
    page.get_by_test_id("totp-submit").click()


def _key_record(page: Page) -> dict[str, Any] | None:
    record: dict[str, Any] | None = page.evaluate(READ_KEY_RECORD)
    return record


def _wait_for_key_record(page: Page, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """Polls the stored key record until it is as wanted (an unlock writes it in the background)."""
    deadline = time.monotonic() + 30
    while True:
        record = _key_record(page)
        if record is not None and wanted(record):
            return record
        assert time.monotonic() < deadline, f"key record never became as wanted: {record}"
        page.wait_for_timeout(200)


def _wait_for_recovery_slot(page: Page) -> dict[str, Any]:
    return _wait_for_key_record(page, lambda r: r["v"] == 2 and r["recovery"])


def _post_offline(page: Page, context: BrowserContext, text: str) -> None:
    context.set_offline(True)
    expect(page.get_by_test_id("sync-status")).to_contain_text("オフライン")
    page.get_by_test_id("compose-link").click()
    page.locator("[data-testid=title-choice][data-title=訪問看護記録]").check()
    page.get_by_test_id("post-body").fill(text)
    page.get_by_test_id("post-submit").click()
    expect(page.get_by_test_id("sync-status")).to_contain_text("1件の送信待ち")


def test_offline_unlock_with_a_passcode_of_letters_under_argon2id(
    demo_server: LiveServer, device: Device, screenshot: Callable[..., Path]
) -> None:
    watched = device.new_page()
    page = watched.page
    login = "demo-nurse" if device.name == "phone" else "demo-caremanager"
    _sign_in_with(page, demo_server.url, login)
    page.get_by_test_id("passcode-letters").check()
    expect(page.get_by_test_id("passcode-new")).to_have_attribute("inputmode", "text")
    page.get_by_test_id("passcode-new").fill(LONG_PASSCODE)
    page.get_by_test_id("passcode-confirm").fill(LONG_PASSCODE)
    page.get_by_test_id("passcode-submit").click()
    wait_for_rooms(page, rooms_of(login))
    # The success notice goes by itself instead of piling up above the next form.
    notice = page.get_by_test_id("notice").get_by_text("パスコードを設定しました。")
    expect(notice).to_be_visible()
    expect(notice).to_have_count(0, timeout=15_000)

    record = _wait_for_recovery_slot(page)
    assert record == {"v": 2, "kdf": {"alg": "argon2id", "m": 65536, "t": 3}, "long": True,
                      "recovery": True, "prf": None, "iterations": None}, record

    # The IndexedDB dump holds no patient string (the keys database included).
    dump = page.evaluate(DUMP_INDEXEDDB)
    everything = json.dumps(dump, ensure_ascii=False)
    secrets = [p.name for p in PATIENTS] + [p.name_kana for p in PATIENTS]
    secrets += [p.address for p in PATIENTS] + [p.phone for p in PATIENTS]
    secrets += [*[post.body[:12] for post in POSTS][:20], LONG_PASSCODE]
    assert [s for s in secrets if s in everything] == []

    # Offline, from a reload: the service worker serves the app, Argon2id opens the key.
    page.wait_for_function("async () => !!(await navigator.serviceWorker.ready).active",
                           timeout=20_000)
    device.context.set_offline(True)
    page.reload()
    expect(page.get_by_test_id("passcode")).to_have_attribute("inputmode", "text")
    screenshot(page, f"{device.name}-offline-unlock")
    unlock(page, "hana2025")
    expect(page.get_by_test_id("passcode-error")).to_contain_text("あと4回")
    unlock(page, LONG_PASSCODE)
    expect(page.locator("[data-testid=room-row]:visible")).to_have_count(rooms_of(login),
                                                                         timeout=20_000)
    open_room(page, AOKI)
    device.context.set_offline(False)
    # Requests the browser refused while offline are expected; nothing else (no CSP violation:
    # WebAssembly compiles under 'wasm-unsafe-eval').
    offline = "net::ERR_INTERNET_DISCONNECTED"
    assert [p for p in watched.problems() if offline not in p] == []


# Builds, in a page of the app's origin that does not run the app, the device a PBKDF2-era
# build left behind: the data key wrapped as version 1 did, one unsent post sealed under it,
# and no unlock proof (that build had none).
WRITE_OLD_DEVICE = """
async ([passcode, post]) => {
  const req = (r) => new Promise((res, rej) => {
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
  const done = (tx) => new Promise((res) => { tx.oncomplete = res; });
  const enc = new TextEncoder();
  const gcm = {name: 'AES-GCM', length: 256};
  const keysDb = await req(indexedDB.open('carebook-keys'));
  const old = await req(keysDb.transaction('device').objectStore('device').get('key'));
  const dataKey = await crypto.subtle.generateKey(gcm, true, ['encrypt', 'decrypt']);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const material = await crypto.subtle.importKey(
    'raw', enc.encode(passcode), 'PBKDF2', false, ['deriveKey']);
  const kek = await crypto.subtle.deriveKey(
    {name: 'PBKDF2', hash: 'SHA-256', salt, iterations: 400000}, material, gcm, false,
    ['wrapKey']);
  const wrapped = await crypto.subtle.wrapKey('raw', dataKey, kek,
    {name: 'AES-GCM', iv, additionalData: enc.encode('carebook/data-key/v1')});
  const tx = keysDb.transaction('device', 'readwrite');
  tx.objectStore('device').put({wrapped: {v: 1, salt, iterations: 400000, iv, wrapped},
                                userId: old.userId, createdAt: Date.now()}, 'key');
  tx.objectStore('device').delete('unlockProof'); // that build kept no unlock proof
  await done(tx);
  keysDb.close();

  const dataDb = await req(indexedDB.open('carebook'));
  const stores = Array.from(dataDb.objectStoreNames);
  const clear = dataDb.transaction(stores, 'readwrite');
  for (const name of stores) clear.objectStore(name).clear();
  await done(clear);
  const entry = {id: 1, name: 'post.create', args: post, status: 'pending',
                 createdAt: new Date().toISOString()};
  const sealIv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt(
    {name: 'AES-GCM', iv: sealIv, additionalData: enc.encode('outbox\\u00001')},
    dataKey, enc.encode(JSON.stringify(entry)));
  const put = dataDb.transaction('outbox', 'readwrite');
  put.objectStore('outbox').put({id: 1, iv: sealIv, ct});
  await done(put);
  dataDb.close();
}
"""


def test_an_unlock_migrates_a_pbkdf2_key_made_by_the_old_code_and_loses_nothing(
    demo_server: LiveServer, phone: BrowserContext, screenshot: Callable[..., Path]
) -> None:
    page = phone.new_page()
    sign_in(page, demo_server.url, "demo-pharmacist")
    room_id = page.locator("[data-testid=room-row]:visible", has_text=AOKI).first.get_attribute(
        "data-room-id"
    )
    assert room_id
    page.evaluate(f"location.hash = '#/rooms/{room_id}/new'")
    title_id = page.locator("[data-testid=title-choice]").first.get_attribute("value")
    text = f"旧版で書いて送れなかった記録 {int(time.time())}"
    post = {"id": f"0190f000-0000-7000-8000-{int(time.time() * 1000) % 10**12:012d}",
            "roomId": room_id, "reportTitleId": title_id, "body": text, "urgent": False,
            "kind": "normal"}
    page.close()

    # The app is closed; a page of the same origin that runs no app script rewrites the device.
    other = phone.new_page()
    other.goto(demo_server.url + "/manifest.webmanifest")
    other.evaluate(WRITE_OLD_DEVICE, [PASSCODE, post])
    other.goto(demo_server.url + "/")
    assert _key_record(other) == {"v": 1, "kdf": None, "long": None, "recovery": False,
                                  "prf": None, "iterations": 400000}
    unlock(other)
    # Migrated at once: version 2 under Argon2id, before any request.
    record = _wait_for_key_record(other, lambda r: r["v"] == 2)
    assert record["kdf"] == {"alg": "argon2id", "m": 65536, "t": 3}, record
    # That build kept no unlock proof, so the server wants a sign-in (docs/api/requests.md);
    # the unlocked data and its unsent post stay through it.
    expect(other.get_by_test_id("login-id")).to_be_visible(timeout=30_000)
    other.get_by_test_id("login-id").fill("demo-pharmacist")
    other.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    other.get_by_test_id("login-submit").click()
    other.get_by_test_id("totp-code").fill(totp_code("demo-pharmacist"))
    other.get_by_test_id("totp-submit").click()
    # The post sealed under the old key was read, sent and is now the server's.
    open_room(other, AOKI)
    sent = other.locator("[data-testid=post]:not([data-pending])", has_text=text)
    expect(sent).to_have_count(1, timeout=30_000)
    screenshot(other, "phone-migrated-and-sent", full_page=False)
    # The next unlock opens the migrated record with the same passcode and, online with the
    # sign-in's proof, adds the recovery slot.
    other.reload()
    unlock(other)
    expect(other.locator("[data-testid=post]", has_text=text)).to_have_count(1, timeout=20_000)
    assert _wait_for_recovery_slot(other)["kdf"] == {"alg": "argon2id", "m": 65536, "t": 3}


def test_a_forgotten_passcode_after_a_full_sign_in_keeps_the_offline_record(
    demo_server: LiveServer, phone: BrowserContext, screenshot: Callable[..., Path]
) -> None:
    page = phone.new_page()
    sign_in(page, demo_server.url, "demo-doctor")
    _wait_for_recovery_slot(page)
    open_room(page, AOKI)
    text = f"電波のない家で書いた往診記録 {int(time.time())}"
    _post_offline(page, phone, text)
    page.reload()

    # The lock screen says what is at stake before anyone chooses.
    page.get_by_test_id("forgot-open").click()
    expect(page.get_by_test_id("forgot-unsent")).to_have_text(
        "この端末には、まだ送信していない記録が 1 件あります。"
    )
    screenshot(page, "phone-forgot-passcode", full_page=False)
    page.get_by_test_id("forgot-keep").click()
    expect(page.get_by_test_id("notice")).to_contain_text("もう一度ログインしてください")

    phone.set_offline(False)
    # The same page (no reload): password and second factor.
    page.get_by_test_id("login-id").fill("demo-doctor")
    page.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("totp-code").fill(totp_code("demo-doctor"))
    with page.expect_response(lambda r: r.url.endswith("/api/device-keys/recovery"),
                              timeout=30_000) as recovery:
        page.get_by_test_id("totp-submit").click()
    # The device cannot open its old, sealed unlock proof yet; the sign-in's answer carried a
    # fresh one, and the recovery request is sent with it like any request of an unlocked app.
    assert recovery.value.status == 200, recovery.value.text()
    assert recovery.value.json()["created"] is False
    assert recovery.value.request.headers.get("x-carebook-unlock")
    expect(page.get_by_test_id("passcode-intro")).to_contain_text("そのまま残ります")
    screenshot(page, "phone-new-passcode-after-sign-in", full_page=False)
    page.get_by_test_id("passcode-new").fill("730418")
    page.get_by_test_id("passcode-confirm").fill("730418")
    page.get_by_test_id("passcode-submit").click()

    # Back in the room it was written in: the record is still there and reaches the server.
    expect(page.locator("[data-testid=post]:not([data-pending])", has_text=text)).to_have_count(
        1, timeout=30_000
    )
    # The old passcode no longer opens the device; the new one does.
    page.reload()
    unlock(page, PASSCODE)
    expect(page.get_by_test_id("passcode-error")).to_contain_text("あと4回")
    unlock(page, "730418")
    expect(page.locator("[data-testid=post]", has_text=text)).to_have_count(1, timeout=20_000)


def test_wipes_say_how_many_unsent_records_were_erased(
    demo_server: LiveServer, phone: BrowserContext, screenshot: Callable[..., Path]
) -> None:
    page = phone.new_page()
    sign_in(page, demo_server.url, "demo-helper")
    open_room(page, AOKI)
    _post_offline(page, phone, f"消えてしまう記録 {int(time.time())}")
    page.reload()

    # 「パスコードを忘れた場合」 no longer wipes at a touch: the count, then a confirmation.
    page.get_by_test_id("forgot-open").click()
    page.get_by_test_id("forgot-wipe").click()
    expect(page.get_by_test_id("forgot-confirm-text")).to_contain_text(
        "まだ送信していない記録 1 件も消去され"
    )
    page.get_by_role("button", name="キャンセル").click()
    page.get_by_role("button", name="パスコードの入力に戻る").click()

    for attempt in range(1, 5):
        unlock(page, f"00000{attempt}")
        expect(page.get_by_test_id("passcode-error")).to_contain_text(f"あと{5 - attempt}回")
    unlock(page, "000005")
    expect(page.get_by_test_id("login-id")).to_be_visible(timeout=15_000)
    notice = page.get_by_test_id("notice")
    expect(notice).to_contain_text("パスコードを続けて間違えたため")
    expect(notice).to_contain_text(
        "まだ送信していなかった記録 1 件も消去されました。お手数ですが、もう一度書いてください。"
    )
    screenshot(page, "phone-wiped-with-unsent-count", full_page=False)
    phone.set_offline(False)


def test_discarding_a_draft_asks_first_and_can_be_undone(
    demo_server: LiveServer, device: Device, screenshot: Callable[..., Path]
) -> None:
    watched = device.new_page()
    page = watched.page
    login = "demo-nurse" if device.name == "phone" else "demo-caremanager"
    sign_in(page, demo_server.url, login)
    open_room(page, AOKI)
    page.get_by_test_id("compose-link").click()
    draft = f"ご家族への申し送り {int(time.time())}"
    page.get_by_test_id("post-body").fill(draft)

    page.get_by_test_id("discard-draft").click()
    expect(page.get_by_test_id("discard-confirm")).to_contain_text("この下書きを破棄しますか")
    screenshot(page, f"{device.name}-discard-confirm", full_page=False)
    page.get_by_test_id("discard-no").click()
    expect(page.get_by_test_id("post-body")).to_have_value(draft)

    page.get_by_test_id("discard-draft").click()
    page.get_by_test_id("discard-yes").click()
    expect(page.get_by_test_id("notice")).to_contain_text("下書きを破棄しました。")
    page.get_by_test_id("notice-action").click()  # 元に戻す
    expect(page.get_by_test_id("post-body")).to_have_value(draft, timeout=10_000)

    # Without undo, the offer goes after a few seconds and the draft stays gone.
    page.get_by_test_id("discard-draft").click()
    page.get_by_test_id("discard-yes").click()
    expect(page.get_by_test_id("notice-action")).to_have_count(0, timeout=15_000)
    page.get_by_test_id("compose-link").click()
    expect(page.get_by_test_id("post-body")).to_have_value("")
    assert watched.problems() == []


def test_switching_rooms_right_after_posting_never_sticks_on_loading(
    demo_server: LiveServer, desktop: BrowserContext
) -> None:
    page = desktop.new_page()
    sign_in(page, demo_server.url, "demo-nurse")
    # A tablet's pace: decrypting a room takes long enough for a sync to finish in between.
    desktop.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 6})
    rows = page.locator("[data-testid=room-row]:visible")
    names = {AOKI: rows.filter(has_text=AOKI).first.get_attribute("data-room-id"),
             ISHIKAWA: rows.filter(has_text=ISHIKAWA).first.get_attribute("data-room-id")}
    stamp = int(time.time())
    for run in range(12):
        here, there = (AOKI, ISHIKAWA) if run % 2 == 0 else (ISHIKAWA, AOKI)
        page.evaluate(f"location.hash = '#/rooms/{names[here]}/new'")
        page.locator("[data-testid=title-choice]").first.check()
        text = f"切り替え確認 {stamp}-{run}"
        page.get_by_test_id("post-body").fill(text)
        page.get_by_test_id("post-submit").click()
        expect(page.locator("[data-testid=post]", has_text=text)).to_have_count(1)
        # Right after posting (this room's sync is under way), the nurse opens another room
        # from the list beside it.
        rows.filter(has_text=there).first.click()
        expect(page.get_by_role("heading", name=there)).to_be_visible()
        expect(page.locator("[data-testid=post]").first).to_be_visible(timeout=10_000)
        expect(page.get_by_text("読み込み中…")).to_have_count(0)
    status = page.get_by_test_id("sync-status")
    expect(status).to_have_attribute("data-pending", "0", timeout=30_000)


def _virtual_authenticator(context: BrowserContext, page: Page, *, synced: bool) -> Any:
    """A platform authenticator with PRF (hmac-secret) and user verification, over CDP."""
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    options: dict[str, Any] = {
        "protocol": "ctap2",
        "ctap2Version": "ctap2_1",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "hasPrf": True,
        "automaticPresenceSimulation": True,
    }
    if synced:
        options["defaultBackupEligibility"] = True
        options["defaultBackupState"] = True
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})
    return cdp, authenticator["authenticatorId"]


@pytest.mark.parametrize("synced", [False, True], ids=["device-bound", "synced-passkey"])
def test_biometric_unlock_with_a_prf_key_and_a_long_fallback_passcode(
    demo_server: LiveServer, phone: BrowserContext, synced: bool,
    screenshot: Callable[..., Path],
) -> None:
    page = phone.new_page()
    _sign_in_with(page, demo_server.url, "demo-caremanager")
    cdp, authenticator = _virtual_authenticator(phone, page, synced=synced)
    page.get_by_test_id("passcode-new").fill(PASSCODE)
    page.get_by_test_id("passcode-confirm").fill(PASSCODE)
    page.get_by_test_id("passcode-submit").click()
    # With a platform authenticator at hand, the app points to biometric unlock.
    expect(page.get_by_test_id("notice")).to_contain_text("指紋・顔認証", timeout=20_000)
    page.get_by_test_id("notice-action").click()
    section = page.get_by_test_id("biometric-section")
    expect(section).to_be_visible(timeout=15_000)
    # The six-digit passcode must give way to a long fallback in the same step.
    section.get_by_test_id("biometric-current").fill(PASSCODE)
    section.get_by_test_id("biometric-next").fill("482916")
    section.get_by_test_id("biometric-confirm").fill("482916")
    section.get_by_test_id("biometric-enable").click()
    expect(section.get_by_test_id("biometric-error")).to_contain_text("英字を含む8文字以上")
    section.get_by_test_id("biometric-next").fill(LONG_PASSCODE)
    section.get_by_test_id("biometric-confirm").fill(LONG_PASSCODE)
    section.get_by_test_id("biometric-enable").click()
    status = section.get_by_test_id("biometric-status")
    expect(status).to_contain_text("同期されるパスキー" if synced else "この端末の中だけ",
                                   timeout=20_000)
    screenshot(page, f"phone-biometric-{'synced' if synced else 'device-bound'}", full_page=False)
    record = _key_record(page)
    assert record is not None and record["prf"] == {"deviceBound": not synced}
    assert record["long"] is True
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(credentials["credentials"]) == 1  # the device's own: never sent to the server

    # Locked: biometrics open it, with the passcode as the fallback.
    page.reload()
    expect(page.get_by_test_id("unlock-biometric")).to_be_visible(timeout=15_000)
    with page.expect_response(lambda r: r.url.endswith("/api/sync/pull"),
                              timeout=30_000) as pulled:
        page.get_by_test_id("unlock-biometric").click()
    expect(page.get_by_test_id("biometric-section")).to_be_visible(timeout=20_000)
    # The unlock opened the sealed unlock proof as well: the server answers the app's sync.
    assert pulled.value.status == 200, pulled.value.text()
    assert pulled.value.request.headers.get("x-carebook-unlock")
    page.reload()
    unlock(page, PASSCODE)  # the old six digits no longer open it
    expect(page.get_by_test_id("passcode-error")).to_contain_text("あと4回")
    unlock(page, LONG_PASSCODE)
    expect(page.get_by_test_id("biometric-section")).to_be_visible(timeout=20_000)
