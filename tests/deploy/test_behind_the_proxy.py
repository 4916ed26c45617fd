"""The production shape of docs/deploy.md, run for real: PostgreSQL, two `carebook serve`
processes and a `carebook worker` behind ONE address — the shipped nginx and Caddy configs with
TLS. A nurse and a doctor use it as the PWA does; everything they do must work whichever
process answers, and keep working when one process dies.

PostgreSQL only (processes share pokes through LISTEN/NOTIFY): deselected, visibly, on the
SQLite run; `.ci/run` runs it in its PostgreSQL pass.
"""

from __future__ import annotations

import asyncio
import io
import signal
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy import select

from server.settings import Settings
from store.models import UserSession
from store.models.enums import JobType, Permission
from tests.contact_book import photos
from tests.deploy.conftest import Installation
from tests.factories import MadeUser, make_user
from tests.support.api import ApiClient
from tests.support.push_receiver import PushReceiver
from tests.sync.support import EventReader
from tests.sync.world import open_room, uid

pytestmark = pytest.mark.postgres_only

SPOOFED = "203.0.113.9"


async def signed_in(
    installation: Installation, sm: Any, settings: Settings, login: str, **kwargs: Any
) -> tuple[MadeUser, ApiClient]:
    """A user signed in through the proxy with password + TOTP, as the PWA does. Every
    request also carries a forged X-Forwarded-For, which the proxy must overwrite."""
    user = await make_user(sm, settings, login, now=datetime.now(UTC), **kwargs)
    http = httpx.AsyncClient(base_url=installation.url, verify=installation.tls(), timeout=30,
                             headers={"X-Forwarded-For": SPOOFED})
    api = ApiClient(http, origin=installation.url)
    assert user.totp_secret is not None
    answer = await api.sign_in_totp(user.login_id, user.password, user.totp_secret)
    assert answer.status_code == 200, answer.text
    return user, api


async def pushed_post(api: ApiClient, client_id: str, room: Any, body: str, n: int = 1) -> str:
    post_id = uid()
    args = {"id": post_id, "roomId": str(room.room_id),
            "reportTitleId": str(room.titles[0]), "body": body}
    answer = await api.post("/api/sync/push", {
        "clientId": client_id, "mutations": [{"id": n, "name": "post.create", "args": args}]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"] == [{"id": n, "status": "ok"}]
    return post_id


async def bodies_after(api: ApiClient, cursor: str, room: Any) -> tuple[list[str], str]:
    answer = await api.post("/api/sync/pull", {"cursor": cursor})
    assert answer.status_code == 200, answer.text
    delta = answer.json()
    changes = delta["rooms"].get(str(room.room_id), {}).get("changes", [])
    return [c["data"]["body"] for c in changes if c["type"] == "post"], delta["cursor"]


async def received_within(receiver: PushReceiver, subscription: dict[str, Any],
                          seconds: float) -> list[Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        got = receiver.received(subscription)
        if got:
            return list(got)
        await asyncio.sleep(0.1)
    return []


async def test_the_contact_book_works_end_to_end_through_one_address(
    installation: Installation, sessionmaker: Any, settings: Settings
) -> None:
    nurse, nurse_api = await signed_in(installation, sessionmaker, settings, "px-nurse")
    doctor, doctor_api = await signed_in(installation, sessionmaker, settings, "px-doctor",
                                         job_type=JobType.doctor)
    room = await open_room(sessionmaker, datetime.now(UTC),
                           {nurse.id: Permission.write, doctor.id: Permission.write})
    try:
        # The proxy passes carebook's own security headers on, once each, over TLS.
        health = await nurse_api.get("/api/health")
        assert health.status_code == 200
        assert health.headers.get_list("strict-transport-security") == [
            health.headers["strict-transport-security"]]
        assert "max-age=" in health.headers["strict-transport-security"]
        assert "default-src" in health.headers["content-security-policy"]
        assert health.headers["cache-control"] == "no-store"
        # ...and refuses the operator's metrics to the world.
        assert (await nurse_api.get("/api/metrics")).status_code == 403

        # The doctor's tablet subscribes to push (the VAPID key is the installation's).
        key = (await doctor_api.get("/api/push/key")).json()["publicKey"]
        with PushReceiver(vapid_public_key=key) as receiver:
            subscription = receiver.new_subscription("doctor-tablet")
            subscribed = await doctor_api.post("/api/push/subscriptions", subscription)
            assert subscribed.status_code == 201, subscribed.text

            # A post pokes the doctor's live stream through the proxy (no buffering), the
            # doctor's pull returns it, and the separate worker pushes a notification.
            cursor = (await doctor_api.post("/api/sync/pull", {"cursor": None})).json()["cursor"]
            async with EventReader(doctor_api) as stream:
                assert stream.response is not None and stream.response.status_code == 200
                assert (await stream.next(10.0, comments=True)).comment == "connected"
                await pushed_post(nurse_api, "px-nurse-tablet", room, "血圧 128/76、食欲あり")
                poke = await stream.next(10.0)
                assert poke.event == "poke" and poke.data["roomId"] == str(room.room_id)
            bodies, cursor = await bodies_after(doctor_api, cursor, room)
            assert bodies == ["血圧 128/76、食欲あり"]
            # The worker polls every WORKER_POLL_S (300 s): the post's NOTIFY woke it.
            notifications = await received_within(receiver, subscription, 10.0)
            assert len(notifications) == 1, installation.worker_log.read_text()

        # A 2 MB photo (over nginx's default 1 MB body limit) is uploaded through the proxy
        # and served to the doctor by whichever process answers (one shared data directory).
        photo = photos.jpeg_with_gps((2600, 2000), 1)
        assert len(photo) > 1024 * 1024
        uploaded = await nurse_api.post(
            f"/api/rooms/{room.room_id}/attachments",
            files={"file": ("IMG_0001.jpg", photo, "image/jpeg")})
        assert uploaded.status_code == 201, uploaded.text
        attachment = uploaded.json()["id"]
        served = {(await doctor_api.get(f"/api/attachments/{attachment}")).content
                  for _ in range(4)}
        assert len(served) == 1
        assert Image.open(io.BytesIO(served.pop())).size == (2600, 2000)

        # Both processes answered this user's requests: sessions live in the database.
        served_by = [installation.routes_served(server) for server in installation.servers]
        assert all(routes for routes in served_by), served_by

        # carebook believed the proxy's X-Forwarded-For, never the client's forged one.
        async with sessionmaker() as session:
            addresses = set((await session.scalars(
                select(UserSession.ip).where(UserSession.user_id == nurse.id))).all())
        assert addresses and addresses <= {"127.0.0.1", "::1"}, addresses

        # One process dies (SIGKILL): the proxy sends everything to the other one.
        installation.servers[0].process.send_signal(signal.SIGKILL)
        installation.servers[0].process.wait(timeout=10)
        statuses = [(await doctor_api.post("/api/sync/pull", {"cursor": cursor})).status_code
                    for _ in range(8)]
        assert statuses == [200] * 8
        await pushed_post(nurse_api, "px-nurse-tablet", room, "夕方の訪問、変化なし", n=2)
        bodies, _ = await bodies_after(doctor_api, cursor, room)
        assert bodies == ["夕方の訪問、変化なし"]
    finally:
        await nurse_api.http.aclose()
        await doctor_api.http.aclose()


@pytest.mark.parametrize("installation", ["nginx"], indirect=True)
async def test_sign_in_attempts_are_counted_once_for_all_processes(
    installation: Installation,
) -> None:
    """Each process counts sign-in steps per address (30 a minute); behind nginx the shipped
    zone counts them for the whole installation, so two processes do not double the limit."""
    url = installation.url
    async with httpx.AsyncClient(base_url=url, verify=installation.tls(), timeout=30) as http:
        api = ApiClient(http, origin=url)
        statuses: list[int] = []
        refusals: list[httpx.Response] = []
        for n in range(70):
            answer = await api.login(f"nobody-{n:03d}", "wrong password for nobody")
            statuses.append(answer.status_code)
            if answer.status_code == 429:
                refusals.append(answer)
        english = await api.post("/api/auth/login", {"loginId": "nobody-en", "password": "x"},
                                 headers={"Accept-Language": "en"})
    allowed = statuses.count(401)
    # 30 at once + one more every 2 s (the loop takes a few seconds); 2 processes alone
    # would let about 60 through.
    assert 25 <= allowed <= 40, statuses
    assert set(statuses) == {401, 429}, statuses
    last = refusals[-1]
    assert last.headers["content-type"].startswith("application/json")
    assert last.json() == {"error": "too_many_requests",
                           "message": "この接続元からの試行が多すぎます。"
                                      "1分ほど待ってからもう一度お試しください。"}
    assert last.headers["retry-after"] == "60"
    assert english.status_code == 429
    assert english.json()["message"].startswith("Too many attempts")
