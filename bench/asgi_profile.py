"""Server CPU of one request type, in process, without an HTTP server or a client in the way.

Builds the app on a fresh database with the demo loaded (SQLite in a temporary directory, or
`--pg`), signs in a demo user through the app, then calls the ASGI app directly with the
same request, back to back: the CPU time per request of the app alone (middleware, handler,
database driver; on SQLite the driver's thread too), and optionally a cProfile of it.

    .venv/bin/python bench/asgi_profile.py --requests 3000 [--pg] [--profile FILE]
        [--user demo-pharmacist] [--kind pull|push]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pyotp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "carebook-demo-2026"
TOTP = "CAREBOOKDEMOSECRETTOTPJBSWY3DPEH"


async def call(app: Any, method: str, path: str, headers: dict[str, str],
               body: bytes = b"") -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "state": {},
    }
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    status, chunks, response_headers = 0, [], []

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, response_headers
        if message["type"] == "http.response.start":
            status = message["status"]
            response_headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks), response_headers


@contextlib.asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """The app's start-up and shutdown in this event loop (a test client would run them in a
    loop of its own, and PostgreSQL connections cannot cross loops)."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    task = asyncio.create_task(app(scope, inbox.get, outbox.put))
    await inbox.put({"type": "lifespan.startup"})
    started = await outbox.get()
    assert started["type"] == "lifespan.startup.complete", started
    try:
        yield
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        await outbox.get()
        await task


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", action="store_true")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--profile")
    parser.add_argument("--user", default="demo-pharmacist")
    parser.add_argument("--kind", default="pull", choices=("pull", "push"))
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="carebook-asgiprof-"))
    os.environ.update({"CAREBOOK_DATA_DIR": str(data_dir), "CAREBOOK_ARGON2_FAST": "1",
                       "CAREBOOK_BASE_URL": "http://localhost:8000",
                       "CAREBOOK_SECRET_KEY": secrets.token_urlsafe(40),
                       "CAREBOOK_PUSH_WORKER": "0"})
    if args.pg:
        name = "asgiprof_" + secrets.token_hex(4)
        subprocess.run(["psql", "-h", "127.0.0.1", "-p", "55432", "-U", "postgres", "-qc",
                        f"CREATE DATABASE {name}"], check=True)
        os.environ["CAREBOOK_DATABASE_URL"] = (
            f"postgresql+asyncpg://postgres@127.0.0.1:55432/{name}")
    import logging

    from server import migrate
    from server.app import create_app
    from server.clock import Clock
    from server.db import create_engine, session_factory
    from server.demo.loader import load_demo
    from server.settings import load_settings

    settings = load_settings()
    await asyncio.to_thread(migrate.upgrade, settings)
    engine = create_engine(settings.database)
    async with session_factory(engine)() as session:
        await load_demo(session, settings, Clock())
    await engine.dispose()
    app = create_app(settings)
    from server.ops.logging import configure_logging

    # As `carebook serve` does (a JSON access line per request), written to nowhere.
    configure_logging(settings.ops.log_format)
    logging.getLogger().handlers[0].setStream(open(os.devnull, "w"))
    origin = "http://localhost:8000"
    device = secrets.token_urlsafe(16)
    cookies: dict[str, str] = {}
    csrf = ""
    unlock = ""  # the unlock proof of the sign-in's answer (docs/api/requests.md)

    def headers() -> dict[str, str]:
        h = {"origin": origin, "x-carebook-device": device, "content-type": "application/json",
             "host": "localhost:8000",
             "cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        if csrf:
            h["x-csrf-token"] = csrf
        if unlock:
            h["x-carebook-unlock"] = unlock
        return h

    async def request(method: str, path: str, payload: Any = None) -> Any:
        nonlocal csrf, unlock
        body = json.dumps(payload).encode() if payload is not None else b""
        status, raw, response_headers = await call(app, method, path, headers(), body)
        for key, value in response_headers:
            if key.lower() == b"set-cookie":
                name, _, rest = value.decode().partition("=")
                cookies[name] = rest.split(";", 1)[0]
        data = json.loads(raw) if raw else None
        if isinstance(data, dict) and data.get("csrfToken"):
            csrf = data["csrfToken"]
        if isinstance(data, dict) and data.get("unlockSecret"):
            unlock = data["unlockSecret"]
        assert status < 300, (status, raw[:300])
        return data

    async with lifespan(app):
        await request("GET", "/api/auth/csrf")
        await request("POST", "/api/auth/login", {"loginId": args.user, "password": PASSWORD})
        await request("POST", "/api/auth/totp", {"code": pyotp.TOTP(TOTP).now()})
        cursor = None
        while True:
            body = await request("POST", "/api/sync/pull", {"cursor": cursor, "limit": 500})
            cursor = body["cursor"]
            if not any(r["hasMore"] for r in body["rooms"].values()):
                break
        first = await request("POST", "/api/sync/pull", {"cursor": None, "limit": 500})
        room = next(iter(first["rooms"]))
        title = next(c["id"] for c in first["rooms"][room]["changes"]
                     if c["type"] == "reportTitle")
        client_id = "asgi-prof-" + secrets.token_hex(4)
        mid = 0

        async def one() -> None:
            nonlocal cursor, mid
            if args.kind == "pull":
                answer = await request("POST", "/api/sync/pull", {"cursor": cursor, "limit": 100})
                assert not answer["rooms"], answer
                cursor = answer["cursor"]
            else:
                mid += 1
                await request("POST", "/api/sync/push", {"clientId": client_id, "mutations": [
                    {"id": mid, "name": "post.create", "args": {
                        "id": str(uuid.uuid4()), "roomId": room, "reportTitleId": title,
                        "body": "計測"}}]})

        for _ in range(200):
            await one()
        profile = cProfile.Profile() if args.profile else None
        c0, w0 = time.process_time(), time.perf_counter()
        if profile:
            profile.enable()
        for _ in range(args.requests):
            await one()
        if profile:
            profile.disable()
            profile.dump_stats(args.profile)
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        print(json.dumps({"kind": args.kind, "db": "PostgreSQL" if args.pg else "SQLite",
                          "requests": args.requests,
                          "cpu_ms_per_request": round(1e3 * cpu / args.requests, 3),
                          "wall_ms_per_request": round(1e3 * wall / args.requests, 3),
                          "load": os.getloadavg()[0]}))


def _drop_scratch_database() -> None:
    url = os.environ.get("CAREBOOK_DATABASE_URL", "")
    if url.startswith("postgresql") and "/asgiprof_" in url:
        name = url.rsplit("/", 1)[1]
        subprocess.run(["psql", "-h", "127.0.0.1", "-p", "55432", "-U", "postgres", "-qc",
                        f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    finally:
        _drop_scratch_database()
