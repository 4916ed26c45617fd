"""What a first pull costs the server in Python: building the answer and encoding it as JSON.

The sync engine serves a first pull of a long room as one page of up to `limit` changes;
that page is built (rows → wire shapes) and then encoded by Litestar's serializer, both
on the event loop. This measures the two apart, on the demo city plus `--posts` posts in
one room, in one process (no HTTP, no other load), so the figures compare code, not the
shared machine: times are CPU time of this process (all its threads, SQLite's included),
not wall time, so other work on the machine moves them little. With `--write FILE` the encoded answer is kept, to compare two versions
byte for byte (same database file: `--db PATH` reuses one).

    .venv/bin/python bench/pull_encode.py [--posts 2000] [--limit 1000] [--rounds 30]
        [--db /tmp/pull.sqlite3] [--write /tmp/pull.json]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from store.writer import begin_write

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from litestar.serialization import encode_json  # noqa: E402
from sqlalchemy import select  # noqa: E402

from server import db, migrate  # noqa: E402
from server.clock import FrozenClock  # noqa: E402
from server.demo.loader import load_demo  # noqa: E402
from server.settings import load_settings  # noqa: E402
from store.models import Post, ReportTitle, RoomMember, User  # noqa: E402
from sync.changes import EntityType, Op, record_change  # noqa: E402
from sync.pull import pull  # noqa: E402

SECRET = "bench-secret-" + "x" * 40


async def prepare(settings: Any, posts: int) -> uuid.UUID:
    engine = db.create_engine(settings.database)
    sessionmaker = db.session_factory(engine)
    clock = FrozenClock()
    async with sessionmaker() as session:
        nurse = await session.scalar(select(User).where(User.login_id == "demo-nurse"))
        if nurse is None:
            await load_demo(session, settings, clock)
            await session.commit()
            nurse = await session.scalar(select(User).where(User.login_id == "demo-nurse"))
            assert nurse is not None
            member = await session.scalar(
                select(RoomMember).where(RoomMember.user_id == nurse.id)
            )
            assert member is not None
            title = await session.scalar(
                select(ReportTitle).where(ReportTitle.room_id == member.room_id)
            )
            assert title is not None
            for index in range(posts):
                await begin_write(session)
                post_id = uuid.UUID(int=(7 << 76) | (2 << 62) | index)
                version = await record_change(
                    session, room_id=member.room_id, entity_type=EntityType.post,
                    entity_id=post_id, op=Op.put, at=clock.now(),
                )
                session.add(Post(
                    id=post_id, room_id=member.room_id, author_id=nurse.id,
                    report_title_id=title.id, kind="normal",
                    body=f"訪問時の様子 {index}: 食事量は普段どおり、夜間の睡眠も良好。" * 3,
                    urgent=index % 17 == 0,
                    vitals={"systolic": 120 + index % 20, "pulse": 70, "temperature": 36.6},
                    attachment_ids=[], version=version,
                    created_at=clock.now() + timedelta(minutes=index),
                ))
                await session.commit()
        user_id = nurse.id
    await engine.dispose()
    return user_id


async def measure(settings: Any, user_id: uuid.UUID, limit: int, rounds: int,
                  write: Path | None) -> None:
    engine = db.create_engine(settings.database)
    sessionmaker = db.session_factory(engine)
    build: list[float] = []
    encode: list[float] = []
    size = 0
    for index in range(rounds + 3):
        async with sessionmaker() as session:
            started = time.process_time()
            result = await pull(session, user_id, None, limit, secret=SECRET)
            built = time.process_time()
        payload = encode_json(result.body)
        done = time.process_time()
        if index >= 3:  # warm-up: statement caches, first connections
            build.append(built - started)
            encode.append(done - built)
        size = len(payload)
        if write is not None and index == 0:
            write.write_bytes(payload)
    await engine.dispose()
    changes = payload.count(b'"op":')
    print(f"first pull, limit {limit}: {changes} changes, {size / 1024:.0f} KiB")
    print(f"  build (queries + rows → wire): median {statistics.median(build) * 1000:.1f} ms CPU")
    print(f"  encode (Litestar's encode_json): median {statistics.median(encode) * 1000:.2f} ms CPU"
          f"  ({statistics.median(encode) / max(changes, 1) * 1e6:.2f} µs per change)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--write", type=Path, default=None)
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="carebook-pull-"))
    path = args.db or directory / "carebook.sqlite3"
    settings = load_settings({
        "CAREBOOK_DATA_DIR": str(directory),
        "CAREBOOK_DATABASE_URL": f"sqlite+aiosqlite:///{path}",
        "CAREBOOK_SECRET_KEY": SECRET,
        "CAREBOOK_ARGON2_FAST": "1",
        "CAREBOOK_BASE_URL": "http://localhost:8000",
    })
    migrate.upgrade(settings)
    user_id = asyncio.run(prepare(settings, args.posts))
    asyncio.run(measure(settings, user_id, args.limit, args.rounds, args.write))


if __name__ == "__main__":
    main()
