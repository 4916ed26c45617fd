"""Benchmark: one post to a room whose 500 member devices are subscribed.

Measures the time from the post's commit until a loopback push service (the test suite's
`PushReceiver`: it checks every VAPID JWT and decrypts every aes128gcm body, as a browser
would) has accepted all 500 pushes, and the memory of the worker (the default in-process
worker, woken by the commit). Run on demand, not in `make test`:

    .venv/bin/python bench/push_fanout.py                 # SQLite in a temporary directory
    CAREBOOK_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:55432/postgres \\
        .venv/bin/python bench/push_fanout.py             # a scratch PostgreSQL database

The receiver runs in a process of its own (it stands for the browsers' push services); on a
2-core machine it still competes with the worker for the CPU. The RSS figures are those of
the benchmark process, i.e. of the worker with its database engine.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing
import os
import platform
import secrets
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psutil

from store.writer import begin_write

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server import db, migrate
from server.clock import Clock
from server.push.keys import load_vapid_keys
from server.push.outbox import enqueue_post_notifications
from server.push.worker import PushWorker
from server.settings import Settings, load_settings
from store.models import (
    Device,
    Office,
    Outbox,
    Patient,
    Post,
    PushSubscription,
    Room,
    RoomMember,
    User,
)
from tests.support.push_receiver import PushReceiver


def _serve_receiver(conn: Any, vapid_public_key: str, nodelay: bool) -> None:
    """The push service in a process of its own, driven over a pipe (it stands for Google's,
    Mozilla's and Apple's servers, not for anything carebook runs).

    `nodelay`: the loopback receiver writes a response's head and body in two small writes;
    with Nagle's algorithm on, the body waits for the client's delayed ACK (40 ms on Linux)
    on every kept-alive connection. Real push services do not stall like that, so the
    benchmark turns Nagle off on the receiver's sockets unless `--receiver-nagle` is given.
    """
    from tests.support import push_receiver

    push_receiver._Handler.disable_nagle_algorithm = nodelay
    with PushReceiver(vapid_public_key=vapid_public_key) as receiver:
        while True:
            command, arg = conn.recv()
            if command == "subscribe":
                conn.send([receiver.new_subscription(f"device-{i:04d}") for i in range(arg)])
            elif command == "clear":
                receiver.clear()
                conn.send(None)
            elif command == "wait":
                count, timeout = arg
                got = receiver.wait_for(count, timeout)
                refused = [(a.status, a.reason) for a in receiver.attempts() if a.status != 201]
                conn.send((len(got), max(m.received_at for m in got), refused[:3]))
            else:
                conn.send(None)
                return


class RemoteReceiver:
    def __init__(self, vapid_public_key: str, nodelay: bool) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_serve_receiver, args=(child, vapid_public_key, nodelay)
        )
        self.process.start()

    def call(self, command: str, arg: Any = None) -> Any:
        self.conn.send((command, arg))
        return self.conn.recv()

    def close(self) -> None:
        self.call("stop")
        self.process.join(5)


class PeakRss:
    """Samples this process's RSS every 5 ms while a fan-out runs."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def _pg_database(admin_url: str) -> tuple[str, Any]:
    import psycopg

    name = f"carebook_bench_{uuid.uuid4().hex[:8]}"
    plain = admin_url.replace("postgresql+asyncpg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    head, _, _ = plain.rpartition("/")
    return f"{head}/{name}", drop


async def _arrange(
    sessionmaker: Any, subscriptions: list[dict[str, Any]]
) -> tuple[Any, Any]:
    members = len(subscriptions)
    now = datetime.now(UTC)
    async with sessionmaker() as session:
        office = Office(name="ベンチ訪問看護ステーション", kind="visiting_nurse_station")
        session.add(office)
        await session.flush()
        users = [
            User(login_id=f"bench-{i:04d}", name=f"ベンチ {i}", job_type="nurse",
                 status="active", office_id=office.id, created_at=now)
            for i in range(members + 1)
        ]
        session.add_all(users)
        await session.flush()
        patient = Patient(name="架空 太郎", name_kana="かくう たろう", sex="male",
                          birth_date=date(1940, 1, 1), care_level="要介護2")
        session.add(patient)
        await session.flush()
        room = Room(patient_id=patient.id, opened_at=now)
        session.add(room)
        await session.flush()
        for user in users:
            session.add(RoomMember(room_id=room.id, user_id=user.id, joined_at=now))
        for user, sub in zip(users[1:], subscriptions, strict=True):
            device = Device(device_key=secrets.token_urlsafe(16), user_id=user.id,
                            signed_in_before=True)
            session.add(device)
            await session.flush()
            session.add(PushSubscription(
                user_id=user.id, device_id=device.id, endpoint=sub["endpoint"],
                p256dh=sub["keys"]["p256dh"], auth=sub["keys"]["auth"]))
        await session.commit()
        return room.id, users[0].id


async def _post(sessionmaker: Any, room_id: Any, author_id: Any) -> int:
    async with sessionmaker() as session:
        await begin_write(session)
        post = Post(room_id=room_id, author_id=author_id, body="bench", created_at=Clock().now())
        session.add(post)
        await session.flush()
        count = await enqueue_post_notifications(
            session, room_id=room_id, post_id=post.id, author_id=author_id, urgent=False,
            at=Clock().now(),
        )
        await session.commit()
        return count


async def _all_sent(sessionmaker: Any, expected: int) -> None:
    from sqlalchemy import func, select

    while True:
        async with sessionmaker() as session:
            sent = await session.scalar(
                select(func.count()).select_from(Outbox).where(Outbox.status == "sent")
            )
        if sent is not None and sent >= expected:
            return
        await asyncio.sleep(0.01)


async def run(
    settings: Settings, members: int, rounds: int, nodelay: bool
) -> dict[str, Any]:
    engine = db.create_engine(settings.database)
    sessionmaker = db.session_factory(engine)
    keys = load_vapid_keys(settings.data_dir, settings.push.vapid_private_key)
    results: list[dict[str, float]] = []
    receiver = RemoteReceiver(keys.public_key, nodelay)
    try:
        subscriptions = await asyncio.to_thread(receiver.call, "subscribe", members)
        room_id, author_id = await _arrange(sessionmaker, subscriptions)
        worker = PushWorker(settings, sessionmaker, Clock())
        worker.start()
        await asyncio.sleep(0.2)
        for round_no in range(rounds):
            gc.collect()
            await asyncio.to_thread(receiver.call, "clear")
            baseline = psutil.Process().memory_info().rss
            with PeakRss() as rss:
                start = time.perf_counter()
                start_cpu = time.process_time()
                start_wall = time.time()
                queued = await _post(sessionmaker, room_id, author_id)
                committed = time.perf_counter()
                count, last_at, refused = await asyncio.to_thread(
                    receiver.call, "wait", (members, 60.0)
                )
                await _all_sent(sessionmaker, members * (round_no + 1))
                marked = time.perf_counter()
                cpu = time.process_time() - start_cpu
            assert queued == members == count, (queued, count)
            assert not refused, refused
            results.append({
                "enqueue_s": committed - start,
                "all_received_s": last_at - start_wall,
                "all_marked_sent_s": marked - start,
                "worker_cpu_s": cpu,
                "rss_baseline_mib": baseline / 2**20,
                "rss_peak_mib": rss.peak / 2**20,
                "rss_growth_mib": (rss.peak - baseline) / 2**20,
            })
        await worker.stop()
    finally:
        await asyncio.to_thread(receiver.close)
        await engine.dispose()
    return {
        "members": members,
        "database": settings.database.dialect,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "concurrency": settings.push.concurrency,
        "batch_size": settings.push.batch_size,
        "receiver_nagle": not nodelay,
        "rounds": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--receiver-nagle", action="store_true",
                        help="keep the loopback receiver's 40 ms delayed-ACK stall")
    args = parser.parse_args()
    env = {
        "CAREBOOK_DATA_DIR": tempfile.mkdtemp(prefix="carebook-bench-"),
        "CAREBOOK_SECRET_KEY": "bench-secret-key-" + "x" * 32,
        "CAREBOOK_PUSH_ALLOW_HTTP_LOOPBACK": "1",
    }
    drop = None
    admin_url = os.environ.get("CAREBOOK_BENCH_DATABASE_URL")
    if admin_url:
        env["CAREBOOK_DATABASE_URL"], drop = _pg_database(admin_url)
    try:
        settings = load_settings(env)
        migrate.upgrade(settings)
        report = asyncio.run(run(settings, args.members, args.rounds, not args.receiver_nagle))
    finally:
        if drop is not None:
            drop()
    print(f"push fan-out: {report['members']} devices, {report['database']}, "
          f"{report['cpus']} CPUs, Python {report['python']}, "
          f"concurrency {report['concurrency']}, batch {report['batch_size']}, "
          f"receiver Nagle {'on' if report['receiver_nagle'] else 'off'}, "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    for i, r in enumerate(report["rounds"], 1):
        print(f"  round {i}: enqueue {r['enqueue_s'] * 1000:.0f} ms, "
              f"all received {r['all_received_s']:.2f} s, "
              f"all marked sent {r['all_marked_sent_s']:.2f} s, "
              f"CPU {r['worker_cpu_s']:.2f} s, "
              f"RSS {r['rss_baseline_mib']:.0f} → peak {r['rss_peak_mib']:.0f} MiB "
              f"(+{r['rss_growth_mib']:.1f})")


if __name__ == "__main__":
    main()
