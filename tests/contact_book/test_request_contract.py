"""Issue 13, item 1: a locked app locks the server too, and a session answers only its own
device (docs/api/requests.md).

A signed-in browser's cookie alone reads nothing: an address-bar navigation to /api/ is
refused, every request names the session's registered device, and every request of a full
session proves the app is unlocked with the secret handed out at sign-in — which locking
replaces and signing out ends."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import httpx
from sqlalchemy import select

from server.clock import FrozenClock
from store.models import UserSession
from tests.contact_book import photos
from tests.contact_book.conftest import SignIn, World, add_post
from tests.contact_book.test_attachments import upload
from tests.support.api import ApiClient

NAVIGATION = {"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document",
              "Accept": "text/html,application/xhtml+xml"}


def refused(answer: httpx.Response, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.json()["error"] == code, answer.text
    assert "経過" not in answer.text and "様子" not in answer.text  # no care-note snippet


async def _nurse_with_notes(world: World, sign_in: SignIn, sessionmaker: Any,
                            clock: FrozenClock) -> ApiClient:
    await add_post(sessionmaker, world.room_id, world.reader.id, "夜間の様子を見てください。",
                   at=clock.now())
    await add_post(sessionmaker, world.room_id, world.reader.id, "褥瘡の経過は良好です。",
                   at=clock.now())
    nurse = await sign_in(world.writer)
    unread = await nurse.get("/api/rooms/unread")
    assert unread.status_code == 200 and unread.json(), unread.text
    return nurse


async def test_address_bar_navigations_to_the_api_read_nothing(
    world: World, sign_in: SignIn, sessionmaker: Any, clock: FrozenClock
) -> None:
    nurse = await _nurse_with_notes(world, sign_in, sessionmaker, clock)
    search = f"/api/rooms/{world.room_id}/search?q=の"
    assert (await nurse.get(search)).json()["results"]  # the app itself finds the notes
    for path in ["/api/rooms/unread", search]:
        # What a browser sends when an API address is typed into its address bar: the
        # cookie, and the navigation's own headers — even if the app's were there too.
        refused(await nurse.get(path, headers=NAVIGATION), 403, "api_navigation")
        # A plain GET with the cookie and without the app's headers.
        bare = await nurse._as_me(lambda p=path: nurse.http.get(p))  # type: ignore[attr-defined]
        refused(bare, 400, "device_required")
    # The session was not ended by any of that.
    assert (await nurse.get("/api/rooms/unread")).status_code == 200


async def test_a_session_answers_only_its_own_registered_device(
    world: World, sign_in: SignIn, sessionmaker: Any, clock: FrozenClock
) -> None:
    nurse = await _nurse_with_notes(world, sign_in, sessionmaker, clock)
    other = await sign_in(world.reader)  # another registered device
    own = nurse.device
    for device in [secrets.token_urlsafe(16), other.device]:  # made up, and registered elsewhere
        nurse.device = device
        refused(await nurse.get("/api/rooms/unread"), 401, "device_mismatch")
        refused(await nurse.post("/api/sync/pull", {"cursor": None}), 401, "device_mismatch")
    nurse.device = own
    assert (await nurse.get("/api/rooms/unread")).status_code == 200


async def test_sign_in_needs_a_device_id(client: Any, world: World) -> None:
    api = ApiClient(client)
    await api.refresh_csrf()
    answer = await api.http.post(
        "/api/auth/login", json={"loginId": world.writer.login_id,
                                 "password": world.writer.password},
        headers={k: v for k, v in api.headers().items() if k != "X-Carebook-Device"},
    )
    refused(answer, 400, "device_required")


async def test_every_request_proves_the_app_is_unlocked(
    world: World, sign_in: SignIn, sessionmaker: Any, clock: FrozenClock
) -> None:
    nurse = await _nurse_with_notes(world, sign_in, sessionmaker, clock)
    secret = nurse.unlock
    assert secret is not None and len(secret) >= 43
    # The server keeps only the secret's hash.
    async with sessionmaker() as session:
        stored = (await session.scalars(select(UserSession.unlock_hash).where(
            UserSession.user_id == world.writer.id))).one()
    assert stored == hashlib.sha256(secret.encode()).hexdigest()
    for proof in [None, secrets.token_urlsafe(32), secret[:-2] + "AA", "short"]:
        nurse.unlock = proof
        refused(await nurse.get("/api/rooms/unread"), 401, "unlock_required")
        refused(await nurse.get(f"/api/rooms/{world.room_id}/search?q=の"), 401,
                "unlock_required")
        refused(await nurse.post("/api/sync/pull", {"cursor": None}), 401, "unlock_required")
    # The lock screen's own question and sign-out need no proof.
    status = await nurse.get("/api/auth/session")
    assert status.status_code == 200 and status.json()["signedIn"] is True
    nurse.unlock = secret
    assert (await nurse.post("/api/sync/pull", {"cursor": None})).status_code == 200


async def test_locking_replaces_the_proof_and_an_unlock_needs_no_new_sign_in(
    world: World, sign_in: SignIn, sessionmaker: Any, clock: FrozenClock
) -> None:
    nurse = await _nurse_with_notes(world, sign_in, sessionmaker, clock)
    before = nurse.unlock
    after = await nurse.lock()
    assert after is not None
    nurse.unlock = before
    refused(await nurse.get("/api/rooms/unread"), 401, "unlock_required")  # stale
    # Unlocking (the PWA opens the sealed next secret, even offline): no new sign-in.
    nurse.unlock = after
    assert (await nurse.get("/api/rooms/unread")).status_code == 200
    # Only the app that holds the current proof may lock.
    nurse.unlock = None
    refused(await nurse.post("/api/auth/lock", {"nextUnlockSecret": secrets.token_urlsafe(32)}),
            401, "unlock_required")
    nurse.unlock = after
    bad = await nurse.post("/api/auth/lock", {"nextUnlockSecret": "short"})
    assert bad.status_code == 400
    assert (await nurse.get("/api/rooms/unread")).status_code == 200


async def test_after_sign_out_or_a_new_sign_in_the_old_proof_reads_nothing(
    world: World, sign_in: SignIn, sessionmaker: Any, clock: FrozenClock
) -> None:
    nurse = await _nurse_with_notes(world, sign_in, sessionmaker, clock)
    first = nurse.unlock
    clock.advance(seconds=31)  # a TOTP code works once
    assert world.writer.totp_secret is not None
    again = await nurse.sign_in_totp(world.writer.login_id, world.writer.password,
                                     world.writer.totp_secret, clock.now())
    assert again.status_code == 200 and again.json()["unlockSecret"] != first
    second = nurse.unlock
    nurse.unlock = first
    refused(await nurse.get("/api/rooms/unread"), 401, "unlock_required")
    nurse.unlock = second
    assert (await nurse.post("/api/auth/logout")).status_code == 200
    refused(await nurse.get("/api/rooms/unread"), 401, "unauthenticated")


async def test_outside_callers_reach_only_the_bare_routes(client: Any) -> None:
    """Load balancers and scrapers send none of the app's headers: health answers them."""
    assert (await client.get("/api/health")).status_code == 200
    assert (await client.get("/api/health", headers=NAVIGATION)).status_code == 200
    refused(await client.get("/api/auth/session"), 400, "device_required")


async def test_photos_and_the_ledger_csv_answer_the_app_with_its_headers_only(
    world: World, sign_in: SignIn, sessionmaker: Any, clock: FrozenClock
) -> None:
    """The PWA fetches photos and the ledger CSV with its headers and shows or saves a blob;
    the same addresses opened as links or without the proof read nothing."""
    nurse = await sign_in(world.writer)
    uploaded = await upload(nurse, world.room_id, photos.jpeg_with_gps())
    assert uploaded.status_code == 201, uploaded.text
    photo = f"/api/attachments/{uploaded.json()['id']}"
    for path in [photo, photo + "/thumbnail"]:
        shown = await nurse.get(path)
        assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
        refused(await nurse.get(path, headers=NAVIGATION), 403, "api_navigation")
    proof, nurse.unlock = nurse.unlock, None
    refused(await nurse.get(photo), 401, "unlock_required")
    nurse.unlock = proof

    clerk = await sign_in(world.admin)
    csv = await clerk.get("/api/admin/ledger.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert world.writer.login_id in csv.content.decode("utf-8-sig")
    refused(await clerk.get("/api/admin/ledger.csv", headers=NAVIGATION), 403, "api_navigation")
    clerk.unlock = None
    refused(await clerk.get("/api/admin/ledger.csv"), 401, "unlock_required")
