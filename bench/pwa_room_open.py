"""Benchmark: a room of 1,000 posts opens from the PWA's encrypted local cache in < 500 ms.

Starts `carebook demo` + `carebook serve` on a temporary SQLite database, adds 1,000 posts
to one demo room through the sync API (as the PWA would push them), signs in as demo-nurse
in headless Chromium (Debian's /usr/bin/chromium), sets the passcode and lets the app pull
everything into its encrypted IndexedDB. Then, per round: reload the page with the network
OFF, unlock, and time in the page from the navigation to the room until its first screen of
posts is in the DOM (decrypting all 1,000 posts and their comments included; the app
renders the newest 30 and more on scroll). Also reported: the decryption time alone
(`openRoom`), and the time until all 1,000 posts are rendered.

    .venv/bin/python bench/pwa_room_open.py --rounds 5

Run on demand, never in `make test`. Needs the built PWA (`npm run build` in pwa/).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Playwright, sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.pwa_helpers import api_context, sign_in, unlock
from tests.browser.server import live_server_process, run_carebook
from tests.conftest import server_env

POSTS = 1000
BATCH = 100

OPEN_ROOM = """
async ([roomId, expected]) => {
  const t0 = performance.now();
  location.hash = '#/rooms/' + roomId;
  await new Promise((resolve) => {
    const ready = () => document.querySelectorAll('[data-testid=post]').length >= expected;
    if (ready()) return resolve();
    const observer = new MutationObserver(() => {
      if (ready()) { observer.disconnect(); resolve(); }
    });
    observer.observe(document.body, {childList: true, subtree: true});
  });
  const firstScreen = performance.now() - t0;
  return {firstScreen, total: Number(document.querySelector('[data-testid=posts]').dataset.total)};
}
"""

RENDER_ALL = """
async () => {
  const t0 = performance.now();
  const total = Number(document.querySelector('[data-testid=posts]').dataset.total);
  while (document.querySelectorAll('[data-testid=post]').length < total) {
    const more = document.querySelector('.more-button');
    if (!more) break;
    more.click();
    await new Promise((r) => setTimeout(r, 0));
  }
  await new Promise((r) => requestAnimationFrame(() => r()));
  return performance.now() - t0;
}
"""


def seed_posts(playwright: Playwright, base_url: str) -> str:
    """1,000 posts in 石川 茂's room (pushed like an offline PWA would); answers the room id."""
    api = api_context(playwright, base_url, "demo-nurse")
    try:
        pulled = api.post("/api/sync/pull", {"cursor": None, "limit": 1000}).json()
        room_id = title_id = None
        for rid, room in pulled["rooms"].items():
            for change in room["changes"]:
                if change["type"] == "patient" and change["data"]["name"] == "石川 茂":
                    room_id = rid
        assert isinstance(room_id, str), "demo room not found"
        for change in pulled["rooms"][room_id]["changes"]:
            if change["type"] == "reportTitle" and change["data"]["name"] == "訪問看護記録":
                title_id = change["data"]["id"]
        client_id = uuid.uuid4().hex
        for start in range(0, POSTS, BATCH):
            mutations = [
                {"id": n + 1, "name": "post.create", "args": {
                    "id": str(uuid.uuid4()), "roomId": room_id, "reportTitleId": title_id,
                    "body": f"ベンチマーク投稿 {n + 1}: 訪問時、表情穏やか。食事は8割摂取。"
                            "体位変換を実施し、皮膚の状態を観察しました。" * 2,
                    "vitals": {"systolic": 120 + n % 30, "diastolic": 70 + n % 15, "pulse": 70},
                }}
                for n in range(start, min(start + BATCH, POSTS))
            ]
            body = {"clientId": client_id, "mutations": mutations}
            answer = api.post("/api/sync/push", body)
            assert answer.ok, answer.text()
            statuses = {r["status"] for r in answer.json()["results"]}
            assert statuses == {"ok"}, answer.text()
        return room_id
    finally:
        api.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'carebook.sqlite3'}"
        migrated = run_carebook(["db", "upgrade"], server_env(data_dir, url))
        assert migrated.returncode == 0, migrated.stderr
        with live_server_process(data_dir, url, demo=True) as server, sync_playwright() as pw:
            room_id = seed_posts(pw, server.url)
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 412, "height": 915},
                                          locale="ja-JP", timezone_id="Asia/Tokyo")
            page = context.new_page()
            started = time.monotonic()
            sign_in(page, server.url, "demo-nurse")
            page.wait_for_function(
                "() => document.querySelector('[data-testid=sync-status]').dataset.state === 'idle'"
            )
            print(f"signed in and pulled everything in {time.monotonic() - started:.1f} s")
            page.wait_for_function("async () => !!(await navigator.serviceWorker.ready).active")
            first, decrypt, everything = [], [], []
            for _ in range(args.rounds):
                context.set_offline(True)
                page.evaluate("location.hash = '#/'")
                page.reload()  # the app shell from the service worker, the data from IndexedDB
                unlock(page)
                page.locator("[data-testid=room-row]:visible").first.wait_for()
                result = page.evaluate(OPEN_ROOM, [room_id, 30])
                assert result["total"] >= POSTS, result
                first.append(result["firstScreen"])
                load_ms = page.evaluate(
                    "() => performance.getEntriesByName('carebook:room-decrypt')"
                    ".at(-1)?.duration ?? -1"
                )
                decrypt.append(load_ms)
                everything.append(page.evaluate(RENDER_ALL))
                context.set_offline(False)
            browser.close()

    def fmt(values: list[float]) -> str:
        return (f"median {statistics.median(values):.0f} ms "
                f"(min {min(values):.0f}, max {max(values):.0f})")

    print(f"machine: {platform.machine()}, {platform.system()}, Chromium headless")
    print(f"room of {POSTS}+ posts, first screen (30 posts) from the cache: {fmt(first)}")
    print(f"  of which decrypting every post and comment (openRoom): {fmt(decrypt)}")
    print(f"then rendering all {POSTS}+ posts: {fmt(everything)}")
    print("target: first screen < 500 ms:", "MET" if statistics.median(first) < 500 else "MISSED")


if __name__ == "__main__":
    main()
