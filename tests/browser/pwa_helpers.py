"""Helpers for the PWA browser tests: sign-in with TOTP, the device passcode, IndexedDB dumps."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import pyotp
from playwright.sync_api import (
    APIRequestContext,
    APIResponse,
    BrowserContext,
    Page,
    Playwright,
    expect,
)

from server.demo.data import DEMO_PASSWORD, DEMO_TOTP_SECRET, ROOMS

PASSCODE = "482916"
_used_steps: dict[str, int] = {}


def totp_code(login_id: str) -> str:
    """A code the server has not seen for this user: each TOTP step is accepted once."""
    totp = pyotp.TOTP(DEMO_TOTP_SECRET)
    while True:
        step = int(time.time()) // 30
        last = _used_steps.get(login_id, -1)
        # The server accepts the previous, current and next step (±1).
        for candidate in (step, step + 1):
            if candidate > last:
                _used_steps[login_id] = candidate
                return totp.at(candidate * 30)
        time.sleep(max(0.5, (step + 1) * 30 - time.time() + 0.5))


def sign_in(page: Page, base_url: str, login_id: str, *, passcode: str | None = PASSCODE) -> None:
    """Signs in through the UI; on a new device sets the passcode and waits for the room list."""
    watch_unlock_proof(page)
    page.goto(base_url + "/")
    page.get_by_test_id("login-id").fill(login_id)
    page.get_by_test_id("login-password").fill(DEMO_PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("totp-code").fill(totp_code(login_id))
    page.get_by_test_id("totp-submit").click()
    if passcode is None:
        return
    page.get_by_test_id("passcode-new").fill(passcode)
    page.get_by_test_id("passcode-confirm").fill(passcode)
    page.get_by_test_id("passcode-submit").click()
    wait_for_rooms(page, rooms_of(login_id))


def rooms_of(login_id: str) -> int:
    """How many demo rooms the user is a member of."""
    return sum(1 for room in ROOMS if any(login == login_id for login, _ in room.members))


def wait_for_rooms(page: Page, count: int) -> None:
    rows = page.locator("[data-testid=room-row]:visible")
    expect(rows).to_have_count(count, timeout=20_000)
    status = page.get_by_test_id("sync-status")
    expect(status).to_have_attribute("data-state", "idle", timeout=20_000)


def unlock(page: Page, passcode: str = PASSCODE) -> None:
    watch_unlock_proof(page)
    page.get_by_test_id("passcode").fill(passcode)
    page.get_by_test_id("unlock-submit").click()


def open_room(page: Page, patient_name: str) -> None:
    page.locator("[data-testid=room-row]:visible", has_text=patient_name).first.click()
    expect(page.locator("[data-testid=post]").first).to_be_visible(timeout=15_000)


# Every record of every IndexedDB database of the page: [{db, store, values, keys, indexes}].
# A JS function declaration for page scripts to include (see DUMP_INDEXEDDB).
READ_INDEXEDDB_JS = """
async function readIndexedDb() {
  const request = (r) => new Promise((res, rej) => {
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
  const stores = [];
  for (const info of await indexedDB.databases()) {
    const db = await request(indexedDB.open(info.name));
    for (const store of db.objectStoreNames) {
      const values = await request(db.transaction(store).objectStore(store).getAll());
      const keys = await request(db.transaction(store).objectStore(store).getAllKeys());
      const indexes = Array.from(db.transaction(store).objectStore(store).indexNames);
      stores.push({db: info.name, store, values, keys, indexes});
    }
    db.close();
  }
  return stores;
}
"""

# The text of every IndexedDB store, by "database/store", to search for what must not be there.
DUMP_INDEXEDDB = """
async () => {
""" + READ_INDEXEDDB_JS + """
  const text = (v) => {
    if (v instanceof ArrayBuffer) return new TextDecoder('utf-8', {fatal: false}).decode(v);
    if (ArrayBuffer.isView(v)) return new TextDecoder('utf-8', {fatal: false}).decode(v);
    if (Array.isArray(v)) return v.map(text).join(' ');
    if (v && typeof v === 'object') {
      return Object.entries(v).map(([k, x]) => k + ':' + text(x)).join(' ');
    }
    return String(v);
  };
  const out = {};
  for (const {db, store, values, keys, indexes} of await readIndexedDb()) {
    out[db + '/' + store] = {count: values.length, keys: text(keys), indexes, text: text(values)};
  }
  return out;
}
"""

DEVICE_STATE = """
async () => ({
  databases: (await indexedDB.databases()).map((d) => d.name),
  caches: await caches.keys(),
  registrations: (await navigator.serviceWorker.getRegistrations()).length,
})
"""


def device_state(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(DEVICE_STATE)
    return result


# The unlock proof each page's app last sent, by page (see `watch_unlock_proof`).
_PROOFS: dict[int, str] = {}


def watch_unlock_proof(page: Page) -> None:
    """Remember the unlock proof the app itself sends with its requests — what the browser's
    developer tools would show — so that a test's own request from the page can be made
    exactly as the app makes it (docs/api/requests.md). The app keeps the proof only in its
    memory; page scripts cannot read it."""
    if getattr(page, "_carebook_proof_watch", False):
        return

    def seen(request: Any) -> None:
        proof = request.headers.get("x-carebook-unlock")
        if proof:
            _PROOFS[id(page)] = proof

    page.on("request", seen)
    page._carebook_proof_watch = True  # type: ignore[attr-defined]


def seen_unlock_proof(page: Page) -> str | None:
    return _PROOFS.get(id(page))


def app_fetch(
    page: Page, method: str, path: str, body: Any = None, *, proof: str | None = None,
    with_proof: bool = True, device: str | None = None,
) -> dict[str, Any]:
    """A request from the page as the PWA's api.ts makes it: device id (the app's own, or
    `device`), the app's unlock proof, the CSRF token for state changes. Answers
    {status, body} (body as text)."""
    if with_proof and proof is None:
        proof = seen_unlock_proof(page)
    result: dict[str, Any] = page.evaluate(
        """async ([method, path, body, proof, device]) => {
            const headers = {
              'X-Carebook-Device': device ?? localStorage.getItem('carebook.deviceId'),
              'Accept': 'application/json'};
            if (proof) headers['X-Carebook-Unlock'] = proof;
            if (method !== 'GET') {
              const csrf = await (await fetch('/api/auth/csrf', {headers})).json();
              headers['X-CSRF-Token'] = csrf.csrfToken;
              headers['Content-Type'] = 'application/json';
            }
            const r = await fetch(path, {method, headers, credentials: 'same-origin',
              body: method === 'GET' ? undefined : JSON.stringify(body ?? {})});
            return {status: r.status, body: await r.text()};
        }""",
        [method, path, body, proof, device],
    )
    return result


@dataclass
class SignedInApi:
    """A signed-in API client with its own device id, as the PWA's api.ts would be."""

    context: APIRequestContext
    csrf: str
    unlock: str

    def _headers(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf, "X-Carebook-Unlock": self.unlock}

    def get(self, path: str) -> APIResponse:
        return self.context.get(path, headers=self._headers())

    def post(self, path: str, data: Any = None) -> APIResponse:
        return self.context.post(path, data=data if data is not None else {},
                                 headers=self._headers())

    def delete(self, path: str) -> APIResponse:
        return self.context.delete(path, headers=self._headers())

    def dispose(self) -> None:
        self.context.dispose()


def api_context(playwright: Playwright, base_url: str, login_id: str) -> SignedInApi:
    context = playwright.request.new_context(
        base_url=base_url,
        extra_http_headers={"X-Carebook-Device": str(uuid.uuid4()), "Origin": base_url},
    )
    csrf = context.get("/api/auth/csrf").json()["csrfToken"]
    step = context.post("/api/auth/login", data={"loginId": login_id, "password": DEMO_PASSWORD},
                        headers={"X-CSRF-Token": csrf}).json()
    csrf = step.get("csrfToken", csrf)
    done = context.post("/api/auth/totp", data={"code": totp_code(login_id)},
                        headers={"X-CSRF-Token": csrf})
    assert done.ok, done.text()
    csrf = done.json().get("csrfToken") or context.get("/api/auth/csrf").json()["csrfToken"]
    return SignedInApi(context, csrf, done.json()["unlockSecret"])


def api_post(api: SignedInApi, path: str, data: Any = None) -> Any:
    response = api.post(path, data)
    assert response.ok, f"{path}: {response.status} {response.text()}"
    return response.json()


def my_user_id(page: Page) -> str:
    answer = app_fetch(page, "GET", "/api/me")
    assert answer["status"] == 200, answer
    user_id: str = json.loads(answer["body"])["user"]["id"]
    return user_id


def grant_notifications(context: BrowserContext, base_url: str) -> None:
    context.grant_permissions(["notifications"], origin=base_url)
