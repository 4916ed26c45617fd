"""What an empty pull costs as a user's rooms grow (issue 15): 3, 100, 1,000 rooms per user.

Starts `carebook serve --demo-on-first-start` in a child process (SQLite in a temporary
directory, or `--pg`: a fresh database on the dev PostgreSQL), signs in demo-doctor (a member
of the three demo rooms), and for each room count asked for adds rooms to the doctor the way
the admin side opens them (`tests/sync/world.open_room`: patient, room, report titles and
membership, each recorded in the change log), catches up, then measures, one client back to
back with nothing posted anywhere:

- the server's CPU per empty pull (user + system time of the server process from
  /proc/<pid>/stat over all the pulls of the window: the figure least disturbed by the load of
  a shared machine), the pull's latency (p50, p95) and the cursor's size in bytes;
- a pull that finds one new post in one of the rooms (a post is pushed by demo-nurse into a
  demo room between pulls), its latency (p50) and the server CPU of push + pull per round.

    .venv/bin/python bench/rooms_bench.py --rooms 3,100,1000 --seconds 10
    .venv/bin/python bench/rooms_bench.py --pg --rooms 3,100,1000
    --source DIR   run the server from another source tree (e.g. `git archive main` unpacked),
                   to measure "before" with the same driver
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pyotp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.api import ApiClient  # noqa: E402

PASSWORD = "carebook-demo-2026"
TOTP = "CAREBOOKDEMOSECRETTOTPJBSWY3DPEH"
PG = "postgresql+asyncpg://postgres@127.0.0.1:55432/"
TICK = os.sysconf("SC_CLK_TCK")

# Run in a child process with the server's source tree first on the path: opens `count` rooms
# for the user the way the admin side does (tests/sync/world.py), in one process.
ADD_ROOMS = """
import asyncio, sys
from datetime import UTC, datetime
from sqlalchemy import select
from server import db
from store.models import User
from store.models.enums import Permission
from server.settings import load_settings
from tests.sync.world import open_room

async def main(login_id, count):
    settings = load_settings()
    engine = db.create_engine(settings.database)
    sm = db.session_factory(engine)
    async with sm() as session:
        user = await session.scalar(select(User.id).where(User.login_id == login_id))
    for i in range(count):
        await open_room(sm, datetime.now(UTC), {user: Permission.write},
                        patient_name=f"ベンチ 患者{i}")
    await engine.dispose()

asyncio.run(main(sys.argv[1], int(sys.argv[2])))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (and its reaped children), from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / TICK


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def sign_in(base: str, origin: str, login_id: str) -> ApiClient:
    api = ApiClient(httpx.AsyncClient(base_url=base, timeout=120), origin=origin)
    first = await api.login(login_id, PASSWORD)
    assert first.status_code == 200, first.text
    answer = await api.post("/api/auth/totp", {"code": pyotp.TOTP(TOTP).now()})
    assert answer.status_code == 200, answer.text
    return api


async def catch_up(api: ApiClient, cursor: str | None) -> tuple[str, dict[str, list[Any]]]:
    rooms: dict[str, list[Any]] = {}
    while True:
        response = await api.post("/api/sync/pull", {"cursor": cursor, "limit": 500})
        assert response.status_code == 200, response.text
        body = response.json()
        cursor = body["cursor"]
        for room_id, part in body["rooms"].items():
            rooms.setdefault(room_id, []).extend(part["changes"])
        if not any(r["hasMore"] for r in body["rooms"].values()):
            assert cursor is not None
            return cursor, rooms


async def wait_up(url: str, timeout: float = 120) -> None:
    async with httpx.AsyncClient() as client:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                await client.get(url)
                return
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


async def empty_pulls(api: ApiClient, cursor: str, pid: int, seconds: float) -> dict[str, Any]:
    lat: list[float] = []
    cpu0 = cpu_seconds(pid)
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        response = await api.post("/api/sync/pull", {"cursor": cursor, "limit": 100})
        lat.append(time.perf_counter() - t0)
        body = response.json()
        assert response.status_code == 200 and not body["rooms"], response.text[:300]
        cursor = body["cursor"]
    cpu = cpu_seconds(pid) - cpu0
    return {"pulls": len(lat), "server_cpu_ms_per_pull": round(1e3 * cpu / len(lat), 2),
            "p50_ms": round(pct(lat, .5) * 1e3, 2), "p95_ms": round(pct(lat, .95) * 1e3, 2),
            "cursor_bytes": len(cursor.encode())}


async def pulls_with_one_post(writer: ApiClient, api: ApiClient, cursor: str, room: str,
                              title: str, pid: int, rounds: int) -> dict[str, Any]:
    client_id = "rooms-bench-" + secrets.token_hex(6)
    lat: list[float] = []
    cpu0 = cpu_seconds(pid)
    for mid in range(1, rounds + 1):
        pushed = await writer.post("/api/sync/push", {"clientId": client_id, "mutations": [
            {"id": mid, "name": "post.create", "args": {
                "id": str(uuid.uuid4()), "roomId": room, "reportTitleId": title,
                "body": "部屋数の計測です。"}}]})
        assert pushed.status_code == 200, pushed.text
        t0 = time.perf_counter()
        response = await api.post("/api/sync/pull", {"cursor": cursor, "limit": 100})
        lat.append(time.perf_counter() - t0)
        body = response.json()
        assert [len(r["changes"]) for r in body["rooms"].values()] == [1], body
        cursor = body["cursor"]
    cpu = cpu_seconds(pid) - cpu0
    return {"rounds": rounds, "pull_p50_ms": round(pct(lat, .5) * 1e3, 2),
            "server_cpu_ms_per_push_and_pull": round(1e3 * cpu / rounds, 2)}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", action="store_true")
    parser.add_argument("--rooms", default="3,100,1000")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--source", default=str(ROOT))
    args = parser.parse_args()
    source = Path(args.source).resolve()
    data_dir = Path(tempfile.mkdtemp(prefix="carebook-roomsbench-"))
    port = free_port()
    origin = f"http://localhost:{port}"
    env = dict(os.environ)
    env.update({"CAREBOOK_DATA_DIR": str(data_dir), "CAREBOOK_BASE_URL": origin,
                "CAREBOOK_ARGON2_FAST": "1", "CAREBOOK_SECRET_KEY": secrets.token_urlsafe(40),
                "CAREBOOK_PUSH_WORKER": "0", "CAREBOOK_LOG_FORMAT": "text",
                "PYTHONPATH": str(source)})
    db_name = "SQLite"
    scratch = None
    if args.pg:
        name = "roomsbench_" + secrets.token_hex(4)
        subprocess.run(["psql", "-h", "127.0.0.1", "-p", "55432", "-U", "postgres", "-qc",
                        f"CREATE DATABASE {name}"], check=True)
        env["CAREBOOK_DATABASE_URL"] = PG + name
        db_name = "PostgreSQL"
        scratch = name
    python = str(ROOT / ".venv/bin/python")
    log = open(data_dir / "server.log", "w")
    server = subprocess.Popen(
        [python, "-c", "from server.cli import carebook; carebook()", "serve", "--host",
         "127.0.0.1", "--port", str(port), "--no-worker", "--demo-on-first-start"],
        env=env, cwd=source, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    results: list[dict[str, Any]] = []
    try:
        await wait_up(base + "/api/health")
        doctor = await sign_in(base, origin, "demo-doctor")
        nurse = await sign_in(base, origin, "demo-nurse")
        cursor, rooms = await catch_up(doctor, None)
        demo_room = next(iter(sorted(rooms)))
        title = next(c["id"] for c in rooms[demo_room] if c["type"] == "reportTitle")
        have = len(rooms)
        for target in sorted(int(n) for n in args.rooms.split(",")):
            if target > have:
                t0 = time.perf_counter()
                subprocess.run([python, "-c", ADD_ROOMS, "demo-doctor", str(target - have)],
                               env=env, cwd=source, check=True)
                print(f"added {target - have} rooms in {time.perf_counter() - t0:.0f} s",
                      flush=True)
                have = target
            t0 = time.perf_counter()
            cursor, _ = await catch_up(doctor, cursor)
            caught = time.perf_counter() - t0
            figure: dict[str, Any] = {"db": db_name, "rooms": have, "load": os.getloadavg()[0],
                                      "catch_up_s": round(caught, 2)}
            figure |= await empty_pulls(doctor, cursor, server.pid, args.seconds)
            figure |= await pulls_with_one_post(nurse, doctor, cursor, demo_room, title,
                                                server.pid, args.rounds)
            cursor, _ = await catch_up(doctor, cursor)
            figure["load_after"] = os.getloadavg()[0]
            results.append(figure)
            print(json.dumps(figure), flush=True)
        with open(f"/proc/{server.pid}/status") as f:
            status = dict(line.split(":", 1) for line in f.read().splitlines() if ":" in line)
        print(json.dumps({"VmRSS": status["VmRSS"].strip(), "VmHWM": status["VmHWM"].strip()}))
        for api in (doctor, nurse):
            await api.http.aclose()
    finally:
        server.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(10)
        if scratch is not None:  # the shared server keeps no scratch database of ours
            subprocess.run(["psql", "-h", "127.0.0.1", "-p", "55432", "-U", "postgres", "-qc",
                            f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)"], check=False)
        print("results", json.dumps(results), flush=True)
        print("server log:", data_dir / "server.log", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
