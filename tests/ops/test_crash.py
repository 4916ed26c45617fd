"""Crash durability: `carebook serve` is SIGKILLed at random moments while several clients push
posts (retrying until acknowledged); after every restart nothing acknowledged is lost or
doubled, no post is half-written, cursors still work and the push outbox still delivers."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select, update

from server.clock import Clock
from server.settings import Settings, load_settings
from store.models import ChangeLog, ClientMutation, Outbox, Post
from store.models.enums import OutboxStatus, Permission
from store.writer import begin_write
from tests.browser.server import _wait_until_healthy, carebook_executable, free_port
from tests.conftest import server_env
from tests.support.api import ApiClient
from tests.support.push_receiver import PushReceiver
from tests.sync.support import signed_in
from tests.sync.world import RoomIds, open_room, uid

KILLS = int(os.environ.get("CAREBOOK_CRASH_KILLS", "5"))
WRITERS = 3
SEED = int(os.environ.get("CAREBOOK_CRASH_SEED", "20261126"))
FIGURES: dict[str, Any] = {}


@dataclass
class Server:
    data_dir: Path
    env: dict[str, str]
    port: int
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    logs: list[Path] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self.starts += 1
        log = self.data_dir / f"serve-{self.starts}.log"
        self.logs.append(log)
        self.process = await asyncio.to_thread(self._spawn, log)
        await asyncio.to_thread(_wait_until_healthy, self.url, self.process, log)

    def _spawn(self, log: Path) -> subprocess.Popen[bytes]:
        with log.open("wb") as out:
            return subprocess.Popen(
                [carebook_executable(), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env={**os.environ, **self.env}, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


@dataclass
class Writer:
    api: ApiClient
    client_id: str
    room: RoomIds
    acked: dict[str, str] = field(default_factory=dict)
    last_id: int = 0
    retries: int = 0

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.last_id += 1
            post_id = uid()
            body = f"crash test {self.client_id} #{self.last_id}"
            batch = {"clientId": self.client_id, "mutations": [{
                "id": self.last_id, "name": "post.create", "args": {
                    "id": post_id, "roomId": str(self.room.room_id),
                    "reportTitleId": str(self.room.titles[0]), "body": body,
                    # urgent: pushed even in the reader's quiet hours (it is night in Tokyo
                    # for half of the day)
                    "urgent": True}}]}
            while True:  # until acknowledged, as the PWA's outbox does
                try:
                    answer = await self.api.http.post(
                        "/api/sync/push", json=batch, headers=self.api.headers(), timeout=10)
                except httpx.TransportError:
                    self.retries += 1
                    await asyncio.sleep(0.05)
                    continue
                assert answer.status_code == 200, answer.text
                result = answer.json()["results"][0]
                assert result == {"id": self.last_id, "status": "ok"}, result
                self.acked[post_id] = body
                break
            await asyncio.sleep(random.uniform(0, 0.02))


async def _pull_all(api: ApiClient, cursor: str | None, room_id: str) -> tuple[set[str], str]:
    posts: set[str] = set()
    while True:
        page = (await api.post("/api/sync/pull", {"cursor": cursor, "limit": 200})).json()
        cursor = page["cursor"]
        room = page["rooms"].get(room_id)
        if room:
            posts |= {c["id"] for c in room["changes"] if c["type"] == "post" and c["op"] == "put"}
        if not room or not room["hasMore"]:
            return posts, cursor


async def test_acknowledged_posts_survive_sigkill(
    data_dir: Path, database_url: str, sessionmaker: Any, settings: Settings,
) -> None:
    rng = random.Random(SEED)
    clock = Clock()
    port = free_port()
    env = server_env(data_dir, database_url, CAREBOOK_BASE_URL=f"http://localhost:{port}",
                     PORT=str(port), CAREBOOK_PUSH_ALLOW_HTTP_LOOPBACK="1",
                     CAREBOOK_PUSH_WORKER="1", CAREBOOK_LOG_FORMAT="text")
    live_settings = load_settings(env)
    origin = f"http://localhost:{port}"
    server = Server(data_dir, env, port)
    clients: list[httpx.AsyncClient] = []
    with PushReceiver() as receiver:
        await server.start()
        try:
            writers: list[Writer] = []
            users = []
            for index in range(WRITERS):
                http = httpx.AsyncClient(base_url=server.url, timeout=10)
                clients.append(http)
                user, api = await signed_in(http, sessionmaker, live_settings, clock,
                                            f"writer-{index}", origin=origin)
                users.append((user, api))
            reader_http = httpx.AsyncClient(base_url=server.url, timeout=10)
            clients.append(reader_http)
            reader, reader_api = await signed_in(reader_http, sessionmaker, live_settings,
                                                 clock, "reader", origin=origin)
            members = {u.id: Permission.write for u, _ in users}
            members[reader.id] = Permission.read
            room = await open_room(sessionmaker, clock.now(), members)
            room_key = str(room.room_id)
            subscribed = await reader_api.post("/api/push/subscriptions",
                                               receiver.new_subscription("reader"))
            assert subscribed.status_code == 201, subscribed.text
            _, cursor = await _pull_all(reader_api, None, room_key)
            writers = [Writer(api, f"crash-client-{i}", room) for i, (_, api) in enumerate(users)]

            stop = asyncio.Event()
            tasks = [asyncio.create_task(w.run(stop)) for w in writers]
            kill_times = []
            for _ in range(KILLS):
                wait = rng.uniform(0.2, 1.5)
                kill_times.append(round(wait, 2))
                await asyncio.sleep(wait)
                server.kill()
                await asyncio.sleep(rng.uniform(0, 0.3))
                await server.start()
            await asyncio.sleep(0.5)
            stop.set()
            await asyncio.wait_for(asyncio.gather(*tasks), 60)

            acked = {pid: body for w in writers for pid, body in w.acked.items()}
            assert len(acked) >= KILLS, "too few posts to prove anything"

            # Every acknowledged post exactly once, whole, with its change-log entry.
            async with sessionmaker() as session:
                rows = list(await session.execute(
                    select(Post.id, Post.body, Post.version).where(Post.room_id == room.room_id)))
                logged = dict(list(await session.execute(
                    select(ChangeLog.entity_id, func.count())
                    .where(ChangeLog.room_id == room.room_id, ChangeLog.entity_type == "post")
                    .group_by(ChangeLog.entity_id))))
                last_ids = dict(list(await session.execute(
                    select(ClientMutation.client_id, ClientMutation.last_mutation_id))))
            stored = {str(r.id): r.body for r in rows}
            assert stored == acked  # nothing lost, nothing extra, bodies whole
            assert all(r.version > 0 for r in rows)
            assert {k: v for k, v in logged.items() if k in stored} == dict.fromkeys(stored, 1)
            assert set(logged) <= set(stored)
            for writer in writers:
                assert last_ids[writer.client_id] == writer.last_id

            # The reader's cursor from before the first kill still works, and sees every post.
            seen, _ = await _pull_all(reader_api, cursor, room_key)
            assert seen == set(acked)
            fresh, _ = await _pull_all(reader_api, None, room_key)
            assert fresh == set(acked)

            # The outbox still delivers: every row written for the reader's device (a burst of
            # posts to one room shares one row while it is unsent) is sent, and arrived. A row
            # a killed worker had claimed waits out its lease (2 min) before another worker
            # takes it: that wait is the clock's, so the test moves those leases to now.
            async with sessionmaker() as session:
                # Read then write: a writer from the start, or SQLite refuses the upgrade of a
                # read snapshot the running server has written past ("database is locked").
                await begin_write(session)
                states = dict(list(await session.execute(
                    select(Outbox.status, func.count()).group_by(Outbox.status))))
                assert set(states) <= {"pending", "sending", "sent"}, states
                await session.execute(
                    update(Outbox).where(Outbox.status == "sending")
                    .values(next_attempt_at=clock.now() - timedelta(seconds=1)))
                await session.commit()
            stranded = states.get("sending", 0)
            for _ in range(450):
                async with sessionmaker() as session:
                    pending = int(await session.scalar(
                        select(func.count()).select_from(Outbox)
                        .where(Outbox.status != OutboxStatus.sent)) or 0)
                    sent = int(await session.scalar(
                        select(func.count()).select_from(Outbox)
                        .where(Outbox.status == OutboxStatus.sent)) or 0)
                if pending == 0:
                    break
                await asyncio.sleep(0.2)
            assert pending == 0
            assert sent >= 1
            await asyncio.to_thread(receiver.wait_for, sent, timeout=30)
            FIGURES.update(
                database=settings.database.dialect, kills=KILLS, seed=SEED,
                kill_after_s=kill_times, posts=len(acked), outbox_rows=sent,
                leases_expired=stranded,
                pushes=len(receiver.received()),
                retries=sum(w.retries for w in writers),
            )
            print(f"crash figures: {FIGURES}")
        except BaseException:
            for log in server.logs[-2:]:
                print(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}")
            raise
        finally:
            for http in clients:
                await http.aclose()
            server.stop()
