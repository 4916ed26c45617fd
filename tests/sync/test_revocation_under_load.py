"""Revocation the moment it happens, while pulls keep coming: sign-ins are resolved from an
in-process cache (server/auth/session_cache.py), so these tests revoke in the middle of a
burst of pulls and check every request that started after the revocation committed.

- A member removed from a room: no pull that starts afterwards serves the room, and the
  first one of each client lists it in `revokedRooms`.
- An ID stopped: no request that starts afterwards is served (401, or for a pull that was
  already past the sign-in check, `wipe`).
- On PostgreSQL, the same across two `carebook serve` processes sharing the session: the
  other process hears of the change through LISTEN/NOTIFY and forgets the sign-in long before
  its cache entries would age out.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from server.clock import FrozenClock
from server.settings import Settings
from store.models import User
from store.models.enums import JobType, Permission, UserStatus
from store.writer import begin_write
from tests.browser.server import live_server_process
from tests.factories import make_user
from tests.support.api import ApiClient
from tests.sync.conftest import Live
from tests.sync.world import RoomIds, leave, open_room, uid

PULLERS = 6


@dataclass
class Answer:
    started: float
    status: int
    body: Any


class Burst:
    """Clients pulling back to back (each with its own cursor) until told to stop."""

    def __init__(self, apis: list[ApiClient]) -> None:
        self.apis = apis
        self.answers: list[list[Answer]] = [[] for _ in apis]
        self.cursors: list[str | None] = [None for _ in apis]
        self.stop = asyncio.Event()
        self.answered = asyncio.Event()

    async def _pull(self, i: int) -> None:
        while not self.stop.is_set():
            started = time.monotonic()
            response = await self.apis[i].post("/api/sync/pull",
                                               {"cursor": self.cursors[i], "limit": 100})
            body = response.json()
            self.answers[i].append(Answer(started, response.status_code, body))
            self.answered.set()
            if response.status_code == 200 and body.get("cursor"):
                self.cursors[i] = body["cursor"]
            await asyncio.sleep(0)

    async def run_until(self, moment: asyncio.Future[float], *, then: int = 2) -> float:
        """Pull until `moment` resolves (to a time) and every client has made `then` more
        pulls that started after it (however slow the machine)."""
        tasks = [asyncio.create_task(self._pull(i)) for i in range(len(self.apis))]
        try:
            at = await moment
            async with asyncio.timeout(60):
                while any(len(a) < then for a in self.after(at)):
                    self.answered.clear()
                    await self.answered.wait()
            return at
        finally:
            self.stop.set()
            await asyncio.gather(*tasks)

    def after(self, at: float) -> list[list[Answer]]:
        return [[a for a in answers if a.started > at] for answers in self.answers]


async def _post(api: ApiClient, room: RoomIds, client_id: str, n: int) -> None:
    for i in range(1, n + 1):
        await api.post("/api/sync/push", {"clientId": client_id, "mutations": [
            {"id": i, "name": "post.create", "args": {
                "id": uid(), "roomId": str(room.room_id), "reportTitleId": str(room.titles[0]),
                "body": f"連絡 {i}"}}]})


async def test_a_member_removed_in_a_burst_of_pulls_is_not_served_the_room_again(
    live: Live, sessionmaker: Any, settings: Settings, clock: FrozenClock
) -> None:
    nurse, nurse_api = await live.user(sessionmaker, settings, clock, "burst-nurse")
    doctor, doctor_api = await live.user(sessionmaker, settings, clock, "burst-doctor",
                                         job_type=JobType.doctor)
    room = await open_room(sessionmaker, clock.now(), {nurse.id: Permission.write,
                                                       doctor.id: Permission.write})
    kept = await open_room(sessionmaker, clock.now(), {nurse.id: Permission.write},
                           patient_name="残る 患者")
    burst = Burst([nurse_api] * PULLERS)
    revoked: asyncio.Future[float] = asyncio.get_running_loop().create_future()

    leaving = 0.0

    async def admin() -> None:
        nonlocal leaving
        await _post(doctor_api, room, "burst-doctor-pc", 5)  # posts keep the room moving
        leaving = time.monotonic()
        await leave(sessionmaker, room.room_id, nurse.id, clock.now())
        revoked.set_result(time.monotonic())
        await _post(doctor_api, room, "burst-doctor-pc-2", 5)

    worker = asyncio.create_task(admin())
    at = await burst.run_until(revoked)
    await worker
    later = burst.after(at)
    assert all(later), "every client pulled after the revocation"
    for answers in later:
        assert all(a.status == 200 for a in answers)
        assert all(str(room.room_id) not in a.body["rooms"] for a in answers)
    # Each client was told (once its pull's snapshot saw the change: from the moment the
    # removal began, at the latest in its first pull after it committed).
    for answers in burst.after(leaving):
        assert any(str(room.room_id) in a.body["revokedRooms"] for a in answers)
    before = [a for answers in burst.answers for a in answers if a.started < at]
    assert any(str(room.room_id) in a.body["rooms"] for a in before), "the room was served"
    assert str(kept.room_id) not in later[0][0].body["revokedRooms"]


async def test_an_id_stopped_in_a_burst_of_pulls_is_refused_at_once(
    live: Live, sessionmaker: Any, settings: Settings, clock: FrozenClock
) -> None:
    nurse, nurse_api = await live.user(sessionmaker, settings, clock, "burst-stopped")
    await open_room(sessionmaker, clock.now(), {nurse.id: Permission.write})
    burst = Burst([nurse_api] * PULLERS)
    stopped: asyncio.Future[float] = asyncio.get_running_loop().create_future()
    stopping = 0.0

    async def admin() -> None:
        nonlocal stopping
        await asyncio.sleep(0.3)  # the sign-in is cached by now
        stopping = time.monotonic()
        async with sessionmaker() as session:
            await begin_write(session)
            await session.execute(update(User).where(User.id == nurse.id)
                                  .values(status=UserStatus.stopped))
            await session.commit()
        stopped.set_result(time.monotonic())

    worker = asyncio.create_task(admin())
    at = await burst.run_until(stopped)
    await worker
    before = [a for answers in burst.answers for a in answers if a.started < stopping]
    assert before and all(a.status == 200 for a in before)
    later = [a for answers in burst.after(at) for a in answers]
    assert later, "pulls went on after the stop"
    # One process: the change reaches its cache before the next request is read.
    assert {a.status for a in later} == {401}
    assert (await nurse_api.get("/api/me")).status_code == 401


@pytest.mark.postgres_only
async def test_two_processes_forget_a_stopped_sign_in_at_once(
    postgres_url: str, tmp_path: Path, sessionmaker: Any, settings: Settings
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with live_server_process(tmp_path / "a", postgres_url) as one, \
            live_server_process(tmp_path / "b", postgres_url, base_url=one.url) as other:
        now = datetime.now(UTC)
        user = await make_user(sessionmaker, settings, "two-burst", now=now)
        room = await open_room(sessionmaker, now, {user.id: Permission.write})
        http_a = httpx.AsyncClient(base_url=one.url, timeout=30)
        api_a = ApiClient(http_a, origin=one.url)
        assert user.totp_secret is not None
        signed = await api_a.sign_in_totp(user.login_id, user.password, user.totp_secret)
        assert signed.status_code == 200, signed.text
        await api_a.refresh_csrf()
        # The same signed-in tablet reaches the other process too (as behind a proxy).
        http_b = httpx.AsyncClient(base_url=other.url, timeout=30, cookies=http_a.cookies)
        api_b = ApiClient(http_b, device=api_a.device, origin=one.url)
        api_b.csrf = api_a.csrf
        api_b.unlock = api_a.unlock  # the same unlocked tablet: its unlock proof too
        try:
            burst = Burst([api_a, api_b] * (PULLERS // 2))
            done: asyncio.Future[float] = asyncio.get_running_loop().create_future()
            leaving = 0.0
            revoked_at = 0.0

            async def admin() -> None:
                nonlocal leaving, revoked_at
                await asyncio.sleep(0.5)
                leaving = time.monotonic()
                await leave(sessionmaker, room.room_id, user.id, now)
                revoked_at = time.monotonic()
                await asyncio.sleep(0.3)
                async with sessionmaker() as session:
                    await begin_write(session)
                    await session.execute(update(User).where(User.id == user.id)
                                          .values(status=UserStatus.stopped))
                    await session.commit()
                done.set_result(time.monotonic())

            worker = asyncio.create_task(admin())
            stopped_at = await burst.run_until(done)
            await worker
            for answers in burst.after(revoked_at):
                assert answers, "every client pulled after the revocation"
                for answer in answers:
                    assert answer.status in (200, 401)
                    served = answer.body["rooms"] if answer.status == 200 else {}
                    assert str(room.room_id) not in served
            for answers in burst.after(leaving):
                assert any(a.status == 200 and str(room.room_id) in a.body["revokedRooms"]
                           for a in answers)
            # After the stop, both processes refuse the sign-in: at once in their pulls
            # (their own snapshot) and, within moments, everywhere (the NOTIFY emptied their
            # caches long before an entry would age out).
            for answers in burst.after(stopped_at):
                assert answers, "every client pulled after the stop"
                assert all(a.status == 401 or a.body.get("wipe") is True for a in answers)
            deadline = time.monotonic() + 2.0
            while True:
                statuses = {(await api.get("/api/me")).status_code for api in (api_a, api_b)}
                if statuses == {401} or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.05)
            assert statuses == {401}
        finally:
            await http_a.aclose()
            await http_b.aclose()
