"""Benchmark of `/api/sync/*` (issue 5) against a real `carebook serve` in a child process.

One asyncio + httpx load generator in this process; a bare Litestar handler
(`bench/bare_app.py` under uvicorn) is measured in the same run as the machine's yardstick.
The generator's own CPU (time.process_time over wall time, in % of one core) is written
beside each figure because it competes with the server for the same 2 cores.

    .venv/bin/python bench/sync_bench.py                       # SQLite in a temporary dir
    .venv/bin/python bench/sync_bench.py --pg                  # a scratch PostgreSQL database
        (CAREBOOK_BENCH_PG, default postgresql+asyncpg://postgres@127.0.0.1:55432/)
    --only bare,serial,pull,paced,push,poke,history   (phases; `serial`: one client, empty
        pulls back to back, with the server's CPU per pull)
    --profile FILE                                    (the server under cProfile)

Sessions: the demo users demo-nurse, demo-doctor and demo-caremanager (members of every
demo room) are signed in once each (one cookie jar per user); many simulated clients share
one of these sessions, each keeping its own cursor.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil
import pyotp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.api import ApiClient  # noqa: E402

PASSWORD = "carebook-demo-2026"
TOTP = "CAREBOOKDEMOSECRETTOTPJBSWY3DPEH"
USERS = ["demo-nurse", "demo-doctor", "demo-caremanager"]
# Readers for "nothing new": none of them is a member of the third demo room (山本), where
# the background pusher posts, so their pulls find nothing while posts keep arriving.
READERS = ["demo-pharmacist", "demo-clinic-doctor", "demo-pt", "demo-ot"]
RESULTS: list[dict[str, Any]] = []
SERVER: dict[str, Any] = {}  # the server's psutil.Process and its CPU time at the last figure


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Cpu:
    """Wall and own-CPU time of this process over a block."""

    def __enter__(self) -> Cpu:
        self.w0, self.c0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.w0
        self.cpu = time.process_time() - self.c0

    @property
    def share(self) -> float:
        return 100.0 * self.cpu / self.wall


def record(name: str, **fields: Any) -> None:
    """One figure, with the 1-minute load average and the server's CPU since the last one."""
    fields["load"] = os.getloadavg()[0]
    if SERVER:
        now = time.perf_counter(), sum(SERVER["proc"].cpu_times()[:2])
        wall, cpu = now[0] - SERVER["at"][0], now[1] - SERVER["at"][1]
        fields["server_cpu"] = round(100 * cpu / wall)
        SERVER["at"] = now
    RESULTS.append({"figure": name, **fields})
    print(json.dumps({"figure": name, **fields}, default=str), flush=True)


async def wait_up(url: str, timeout: float = 60) -> None:
    async with httpx.AsyncClient() as client:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                await client.get(url)
                return
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


async def sign_in(base: str, origin: str, login_id: str, conns: int) -> ApiClient:
    http = httpx.AsyncClient(
        base_url=base, timeout=30,
        limits=httpx.Limits(max_connections=conns, max_keepalive_connections=conns),
    )
    api = ApiClient(http, origin=origin)
    first = await api.login(login_id, PASSWORD)
    assert first.status_code == 200, first.text
    answer = await api.post("/api/auth/totp", {"code": pyotp.TOTP(TOTP).now()})
    assert answer.status_code == 200, answer.text
    return api


def clone(api: ApiClient) -> ApiClient:
    """Another simulated client on the same signed-in session (cookie jar, device, CSRF token),
    with an httpx client of its own: one shared httpx pool with 50+ connections makes the
    generator, not the server, the bottleneck (about 170 requests/s against a bare handler,
    against about 1,100/s with one client per connection on this machine)."""
    http = httpx.AsyncClient(base_url=api.http.base_url, cookies=api.http.cookies, timeout=30)
    twin = ApiClient(http, device=api.device, origin=api.origin)
    twin.csrf = api.csrf
    return twin


# --- workloads ------------------------------------------------------------------------------

async def closed_loop(call: Any, clients: int, seconds: float) -> tuple[list[float], int, Cpu]:
    """`clients` coroutines each calling `call(i)` back to back for `seconds`."""
    lat: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def one(i: int) -> None:
        nonlocal errors
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            ok = await call(i)
            lat.append(time.perf_counter() - t0)
            if not ok:
                errors += 1

    with Cpu() as cpu:
        await asyncio.gather(*(one(i) for i in range(clients)))
    return lat, errors, cpu


async def bare(base: str, clients: int, seconds: float) -> float:
    https = [httpx.AsyncClient(base_url=base) for _ in range(clients)]

    async def call(i: int) -> bool:
        return (await https[i].get("/ok")).status_code == 200

    await closed_loop(call, clients, 1.0)  # warm the connections
    lat, errors, cpu = await closed_loop(call, clients, seconds)
    for http in https:
        await http.aclose()
    rate = len(lat) / cpu.wall
    record("bare GET /ok", clients=clients, rate=round(rate), p50_ms=pct(lat, .5) * 1e3,
           p99_ms=pct(lat, .99) * 1e3, errors=errors, gen_cpu=round(cpu.share))
    return rate


class Pusher:
    """Posts at a steady rate from one client in the background (the "posts arrive" load)."""

    def __init__(self, api: ApiClient, room: str, title: str, rate: float) -> None:
        self.api, self.room, self.title, self.rate = api, room, title, rate
        self.client_id = "bench-bg-" + secrets.token_hex(6)
        self.next_id = 1
        self.sent = 0
        self.failed = 0

    async def run(self) -> None:
        period = 1.0 / self.rate
        t = time.perf_counter()
        while True:
            response = await push_one(self.api, self.client_id, self.next_id, self.room,
                                      self.title)
            self.next_id += 1
            self.sent += 1
            if not response:
                self.failed += 1
            t += period
            await asyncio.sleep(max(0.0, t - time.perf_counter()))


async def push_one(api: ApiClient, client_id: str, mid: int, room: str, title: str) -> bool:
    response = await api.post("/api/sync/push", {
        "clientId": client_id,
        "mutations": [{"id": mid, "name": "post.create", "args": {
            "id": str(uuid.uuid4()), "roomId": room, "reportTitleId": title,
            "body": "ベンチマークの投稿です。"}}],
    })
    return response.status_code == 200 and response.json()["results"][0]["status"] == "ok"


async def catch_up(api: ApiClient, cursor: str | None) -> str:
    while True:
        body = (await api.post("/api/sync/pull", {"cursor": cursor, "limit": 500})).json()
        cursor = body["cursor"]
        if not any(r.get("hasMore") for r in body["rooms"].values()):
            return cursor


async def pulls_closed(users: list[ApiClient], clients: int, seconds: float,
                       bare_rate: float, db: str) -> None:
    apis = [clone(users[i % len(users)]) for i in range(clients)]
    start = [await catch_up(user, None) for user in users]
    cursors = [start[i % len(users)] for i in range(clients)]
    with_changes = 0

    async def call(i: int) -> bool:
        nonlocal with_changes
        response = await apis[i % len(apis)].post(
            "/api/sync/pull", {"cursor": cursors[i], "limit": 100})
        if response.status_code != 200:
            return False
        body = response.json()
        cursors[i] = body["cursor"]
        if body["rooms"]:
            with_changes += 1
        return True

    lat, errors, cpu = await closed_loop(call, clients, seconds)
    rate = len(lat) / cpu.wall
    record(f"{db}: incremental pull, {clients} clients closed loop, posts at 20/s",
           rate=round(rate), p50_ms=pct(lat, .5) * 1e3, p99_ms=pct(lat, .99) * 1e3,
           errors=errors, with_changes=with_changes, gen_cpu=round(cpu.share),
           share_of_bare=round(100 * rate / bare_rate, 1))


async def pulls_serial(user: ApiClient, seconds: float, db: str) -> None:
    """One client pulling back to back with nothing new anywhere: the pull's own cost,
    latency and server CPU per pull, with no queueing and no other request in the way."""
    cursor = await catch_up(user, None)
    proc = SERVER["proc"]
    lat: list[float] = []
    cpu0 = sum(proc.cpu_times()[:2])
    t_end = time.perf_counter() + seconds
    while time.perf_counter() < t_end:
        t0 = time.perf_counter()
        response = await user.post("/api/sync/pull", {"cursor": cursor, "limit": 100})
        lat.append(time.perf_counter() - t0)
        assert response.status_code == 200 and not response.json()["rooms"], response.text
        cursor = response.json()["cursor"]
    cpu = sum(proc.cpu_times()[:2]) - cpu0
    record(f"{db}: empty pull, one client back to back, nothing posted",
           rate=round(len(lat) / seconds), p50_ms=pct(lat, .5) * 1e3,
           p99_ms=pct(lat, .99) * 1e3, server_cpu_ms_per_pull=round(1e3 * cpu / len(lat), 2))


async def pulls_paced(users: list[ApiClient], clients: int, seconds: float, db: str) -> None:
    apis = [clone(users[i % len(users)]) for i in range(clients)]
    start = [await catch_up(user, None) for user in users]
    cursors = [start[i % len(users)] for i in range(clients)]
    lat: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def one(i: int) -> None:
        nonlocal errors
        await asyncio.sleep(i / clients)  # spread over the second
        t = time.perf_counter()
        while t < stop:
            t0 = time.perf_counter()
            response = await apis[i % len(apis)].post(
                "/api/sync/pull", {"cursor": cursors[i], "limit": 100})
            lat.append(time.perf_counter() - t0)
            if response.status_code == 200:
                cursors[i] = response.json()["cursor"]
            else:
                errors += 1
            t += 1.0
            await asyncio.sleep(max(0.0, t - time.perf_counter()))

    with Cpu() as cpu:
        await asyncio.gather(*(one(i) for i in range(clients)))
    record(f"{db}: incremental pull, {clients} clients once a second, posts at 20/s",
           rate=round(len(lat) / cpu.wall), p50_ms=pct(lat, .5) * 1e3,
           p99_ms=pct(lat, .99) * 1e3, errors=errors, gen_cpu=round(cpu.share))


async def pushes(users: list[ApiClient], rooms: list[tuple[str, str]], clients: int,
                 seconds: float, bare_rate: float, db: str, same_room: bool) -> None:
    apis = [clone(users[i % len(users)]) for i in range(clients)]
    ids = ["bench-push-" + secrets.token_hex(6) for _ in range(clients)]
    next_ids = [1] * clients

    async def call(i: int) -> bool:
        room, title = rooms[0] if same_room else rooms[i % len(rooms)]
        ok = await push_one(apis[i % len(apis)], ids[i], next_ids[i], room, title)
        next_ids[i] += 1
        return ok

    lat, errors, cpu = await closed_loop(call, clients, seconds)
    rate = len(lat) / cpu.wall
    where = "one room" if same_room else f"{len(rooms)} rooms"
    record(f"{db}: post.create push, {clients} clients closed loop, {where}",
           rate=round(rate), p50_ms=pct(lat, .5) * 1e3, p99_ms=pct(lat, .99) * 1e3,
           errors=errors, gen_cpu=round(cpu.share),
           share_of_bare=round(100 * rate / bare_rate, 1))


async def poke_latency(writer: ApiClient, reader: ApiClient, room: str, title: str,
                       rounds: int, db: str) -> None:
    cursor = await catch_up(reader, None)
    client_id = "bench-poke-" + secrets.token_hex(6)
    lat: list[float] = []
    missed = 0
    async with reader.http.stream("GET", "/api/sync/events", headers=reader.headers(),
                                  timeout=httpx.Timeout(30, read=None)) as stream:
        assert stream.status_code == 200, stream.status_code
        lines = stream.aiter_lines()

        async def next_poke() -> None:
            async for line in lines:
                if line.startswith("event:") and "poke" in line:
                    return

        with Cpu() as cpu:
            for mid in range(1, rounds + 1):
                post_id = str(uuid.uuid4())
                t0 = time.perf_counter()
                poked = asyncio.create_task(next_poke())
                response = await writer.post("/api/sync/push", {
                    "clientId": client_id, "mutations": [{"id": mid, "name": "post.create",
                    "args": {"id": post_id, "roomId": room, "reportTitleId": title,
                             "body": "SSE の遅延の計測です。"}}]})
                assert response.status_code == 200, response.text
                try:
                    await asyncio.wait_for(poked, 5)
                except TimeoutError:
                    missed += 1
                    continue
                body = (await reader.post("/api/sync/pull",
                                          {"cursor": cursor, "limit": 100})).json()
                cursor = body["cursor"]
                got = [c["id"] for r in body["rooms"].values() for c in r["changes"]]
                if post_id not in got:
                    missed += 1
                    continue
                lat.append(time.perf_counter() - t0)
                await asyncio.sleep(0.05)
    record(f"{db}: post -> SSE poke -> pull at a second member ({rounds} rounds)",
           p50_ms=pct(lat, .5) * 1e3, p95_ms=pct(lat, .95) * 1e3,
           p99_ms=pct(lat, .99) * 1e3, missed=missed, gen_cpu=round(cpu.share))


async def history_ratio(api: ApiClient, writer: ApiClient, big: tuple[str, str],
                        small: tuple[str, str], rounds: int, db: str) -> None:
    client_id = "bench-hist-" + secrets.token_hex(6)
    mid = 1
    times: dict[str, list[float]] = {"big": [], "small": []}
    for _ in range(rounds):
        for key, (room, title) in (("big", big), ("small", small)):
            cursor = await catch_up(api, cursor_of.get("last"))
            for _ in range(10):
                assert await push_one(writer, client_id, mid, room, title)
                mid += 1
            t0 = time.perf_counter()
            response = await api.post("/api/sync/pull", {"cursor": cursor, "limit": 100})
            times[key].append(time.perf_counter() - t0)
            body = response.json()
            n = sum(len(r["changes"]) for r in body["rooms"].values())
            assert n == 10, n
            cursor_of["last"] = body["cursor"]
    big_ms = statistics.median(times["big"]) * 1e3
    small_ms = statistics.median(times["small"]) * 1e3
    record(f"{db}: pull of 10 new changes, 100k-post room vs small room ({rounds} rounds)",
           big_ms=big_ms, small_ms=small_ms, ratio=round(big_ms / small_ms, 2))


cursor_of: dict[str, str] = {}


# --- set-up -----------------------------------------------------------------------------------

async def insert_history(url: str, room: str, title: str, author: str, n: int) -> None:
    """100,000 posts of history in one room: the posts straight into `post`, their changes
    queued in the same transaction and logged at its stream position (`sync.stream`)."""
    from sqlalchemy import insert, select, update
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from store.models import Post, Room
    from sync.stream import PendingChange, queue_change

    engine = create_async_engine(url)
    room_id, title_id, author_id = uuid.UUID(room), uuid.UUID(title), uuid.UUID(author)
    now = datetime.now(UTC)
    async with async_sessionmaker(engine)() as session:
        base = int(await session.scalar(select(Room.version).where(Room.id == room_id)) or 0)
        chunk = 5000
        for start in range(0, n, chunk):
            posts = []
            for k in range(start, min(n, start + chunk)):
                pid = uuid.uuid4()
                version = base + k + 1
                posts.append({"id": pid, "room_id": room_id, "author_id": author_id,
                              "report_title_id": title_id, "kind": "normal",
                              "body": f"履歴の投稿 {k}", "urgent": False, "vitals": None,
                              "attachment_ids": [], "version": version, "created_at": now})
                queue_change(session, PendingChange(room_id, version, "post", str(pid), "put",
                                                    now))
            await session.execute(insert(Post), posts)
        await session.execute(update(Room).where(Room.id == room_id).values(version=base + n))
        await session.commit()
    await engine.dispose()


# `carebook serve` under cProfile. uvicorn re-raises SIGTERM after its graceful shutdown;
# turning that into SystemExit lets the profile be written (cProfile only sees the loop's
# thread, not aiosqlite's worker threads).
PROFILED_SERVE = """
import cProfile, signal, sys
from server.cli import carebook
def stop(*_):
    raise SystemExit(0)
signal.signal(signal.SIGTERM, stop)
profile = cProfile.Profile()
profile.enable()
try:
    carebook(sys.argv[2:], prog_name="carebook", standalone_mode=False)
finally:
    profile.disable()
    profile.dump_stats(sys.argv[1])
"""


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", action="store_true")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--history", type=int, default=100_000)
    parser.add_argument("--only", default="bare,serial,pull,paced,push,poke,history")
    parser.add_argument("--profile", metavar="FILE",
                        help="run the server under cProfile and write its stats to FILE")
    args = parser.parse_args()
    only = set(args.only.split(","))
    data_dir = Path(tempfile.mkdtemp(prefix="carebook-syncbench-"))
    port = free_port()
    origin = f"http://localhost:{port}"
    env = dict(os.environ)
    env.update({
        "CAREBOOK_DATA_DIR": str(data_dir), "CAREBOOK_BASE_URL": origin,
        "CAREBOOK_ARGON2_FAST": "1", "CAREBOOK_SECRET_KEY": secrets.token_urlsafe(40),
        "CAREBOOK_PUSH_WORKER": "0",
    })
    db = "SQLite"
    if args.pg:
        name = "syncbench_" + secrets.token_hex(4)
        subprocess.run(["psql", "-h", "127.0.0.1", "-p", "55432", "-U", "postgres", "-qc",
                        f"CREATE DATABASE {name}"], check=True)
        env["CAREBOOK_DATABASE_URL"] = f"postgresql+asyncpg://postgres@127.0.0.1:55432/{name}"
        db = "PostgreSQL"
    url = env.get("CAREBOOK_DATABASE_URL") or f"sqlite+aiosqlite:///{data_dir}/carebook.sqlite3"
    log = open(data_dir / "server.log", "w")
    serve = ["serve", "--host", "127.0.0.1", "--port", str(port), "--no-worker",
             "--demo-on-first-start"]
    command = [str(ROOT / ".venv/bin/carebook"), *serve]
    if args.profile:
        command = [str(ROOT / ".venv/bin/python"), "-c", PROFILED_SERVE,
                   str(Path(args.profile).resolve()), *serve]
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    bare_port = free_port()
    bare_proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/uvicorn"), "bench.bare_app:app", "--host", "127.0.0.1",
         "--port", str(bare_port), "--no-access-log", "--log-level", "warning"], cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_up(base + "/api/health", 120)
        await wait_up(f"http://127.0.0.1:{bare_port}/ok")
        apis = [await sign_in(base, origin, u, 220) for u in USERS]
        proc = psutil.Process(server.pid)
        print("server pid", server.pid, flush=True)
        full = (await apis[0].post("/api/sync/pull", {"cursor": None, "limit": 500})).json()
        rooms: list[tuple[str, str]] = []
        author = None
        for room_id, room in full["rooms"].items():
            titles = [c["id"] for c in room["changes"] if c["type"] == "reportTitle"]
            posts = [c for c in room["changes"] if c["type"] == "post"]
            rooms.append((room_id, titles[0]))
            if posts and author is None:
                author = posts[0]["data"]["authorId"]
        readers = [await sign_in(base, origin, u, 220) for u in READERS]
        theirs: set[str] = set()
        for reader in readers:
            body = (await reader.post("/api/sync/pull", {"cursor": None, "limit": 500})).json()
            theirs |= set(body["rooms"])
        quiet = next(r for r in rooms if r[0] not in theirs)
        print("rooms", rooms, "busy room (no reader is a member)", quiet[0], flush=True)
        def mark() -> None:
            SERVER.update(proc=proc, at=(time.perf_counter(), sum(proc.cpu_times()[:2])))

        bare_rate = await bare(f"http://127.0.0.1:{bare_port}", 50, args.seconds) \
            if "bare" in only else float("nan")
        if "history" in only:
            t0 = time.perf_counter()
            await insert_history(url, rooms[0][0], rooms[0][1], str(author), args.history)
            print(f"history inserted in {time.perf_counter() - t0:.1f} s", flush=True)
        if "serial" in only:
            mark()
            await pulls_serial(readers[0], args.seconds, db)
        pusher = Pusher(apis[2], quiet[0], quiet[1], 20)
        bg = asyncio.create_task(pusher.run())
        try:
            mark()
            if "pull" in only:
                await pulls_closed(readers, 50, args.seconds, bare_rate, db)
            mark()
            if "paced" in only:
                await pulls_paced(readers, 200, args.seconds, db)
        finally:
            bg.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await bg
        print(f"background pusher: {pusher.sent} sent, {pusher.failed} failed", flush=True)
        mark()
        if "push" in only:
            await pushes(apis, rooms, 8, args.seconds, bare_rate, db, same_room=False)
            mark()
            await pushes(apis, rooms, 8, args.seconds, bare_rate, db, same_room=True)
        mark()
        if "poke" in only:
            await poke_latency(apis[0], apis[1], rooms[2][0], rooms[2][1], 200, db)
        mark()
        if "history" in only:
            await history_ratio(apis[1], apis[0], rooms[0], rooms[2], 20, db)
        rss = proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(True))
        record(f"{db}: server RSS after the run", rss_mib=round(rss / 2**20, 1))
        for api in apis + readers:
            await api.http.aclose()
    finally:
        for p in (server, bare_proc):
            p.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.wait(10)
        print("results", json.dumps(RESULTS, default=str), flush=True)
        print("server log:", data_dir / "server.log", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
