"""Writing the city's own copy: every kind of `format.KINDS` from one snapshot, with checksums.

The whole copy describes one moment: every table is read in one read
transaction (REPEATABLE READ on PostgreSQL, one WAL snapshot on SQLite), and the
attachment files, which never change under their name, are copied after it.
The manifest carries a SHA-256 of every file, so whoever receives the copy can
check it, and `carebook import` refuses a damaged one.

The copy holds the city's patients and contact books in the clear: the directory
is made readable by its owner only, and writing it is an audited operator action.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import shutil
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from store.writer import begin_write

from .. import db
from ..audit import service as audit
from ..audit.service import Actor
from ..contact_book.blob_store import BlobStore
from ..settings import Settings
from . import format as fmt


class ExportError(Exception):
    """The copy cannot be written; the message says why."""


@dataclass(frozen=True)
class ExportReport:
    directory: Path
    counts: dict[str, int]
    files: int
    missing_files: list[str]
    checksum: str


def _prepare(target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ExportError(f"{target} is not an empty directory: export into a new one")
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(target, 0o700)


async def _begin_snapshot(conn: AsyncConnection) -> AsyncConnection:
    """One read transaction for every table: REPEATABLE READ, or SQLite's WAL snapshot."""
    if conn.dialect.name == "postgresql":
        conn = await conn.execution_options(isolation_level="REPEATABLE READ",
                                            postgresql_readonly=True)
    await conn.begin()
    await conn.execute(text("SELECT count(*) FROM room"))  # the snapshot starts here
    return conn


class _Sha256Writer:
    """A file written line by line, its SHA-256 taken on the way."""

    def __init__(self, path: Path) -> None:
        self.handle = path.open("w", encoding="utf-8", newline="\n")
        os.chmod(path, 0o600)
        self.digest = hashlib.sha256()
        self.count = 0

    def write(self, record: dict[str, Any]) -> None:
        data = fmt.line(record)
        self.handle.write(data)
        self.digest.update(data.encode("utf-8"))
        self.count += 1

    def close(self) -> str:
        self.handle.close()
        return self.digest.hexdigest()


async def _post_order(conn: AsyncConnection) -> dict[uuid.UUID, tuple[list[int], list[str]]]:
    """Per room, the posts' versions (ascending) and ids, to name the post a position reached."""
    table = fmt.kind_of("posts.jsonl").table
    rows = await conn.stream(
        select(table.c.room_id, table.c.version, table.c.id).order_by(
            table.c.room_id, table.c.version
        )
    )
    order: dict[uuid.UUID, tuple[list[int], list[str]]] = defaultdict(lambda: ([], []))
    async for room_id, version, post_id in rows:
        versions, ids = order[room_id]
        versions.append(int(version))
        ids.append(str(post_id))
    return order


def _read_through(order: dict[uuid.UUID, tuple[list[int], list[str]]],
                  room_id: uuid.UUID, up_to: int) -> str | None:
    versions, ids = order.get(room_id, ([], []))
    at = bisect.bisect_right(versions, up_to)
    return ids[at - 1] if at else None


async def _write_kind(conn: AsyncConnection, kind: fmt.Kind, target: Path,
                      post_order: dict[uuid.UUID, tuple[list[int], list[str]]]) -> tuple[int, str]:
    table = kind.table
    columns = kind.columns()
    wanted = [table.c[name] for name in columns]
    if kind.position is not None:
        wanted.append(table.c[kind.position[0]])
    stmt = select(*wanted).order_by(*(table.c[name] for name in kind.order_by))
    if kind.table_name == "system_setting":
        stmt = stmt.where(table.c.key.not_in(fmt.EXCLUDED_SETTINGS))
    writer = _Sha256Writer(target / kind.file)
    try:
        result = await conn.stream(stmt)
        async for row in result:
            values = row._mapping
            record = {fmt.camel(name): fmt.to_json(values[name]) for name in columns}
            if kind.position is not None:
                column, name = kind.position
                record[name] = _read_through(post_order, values["room_id"], int(values[column]))
            writer.write(record)
    finally:
        checksum = writer.close()
    return writer.count, checksum


async def _attachment_hashes(conn: AsyncConnection) -> list[str]:
    table = fmt.kind_of("attachments.jsonl").table
    rows = await conn.execute(select(table.c.sha256, table.c.thumb_sha256))
    hashes = set()
    for sha256, thumb in rows:
        hashes.add(sha256)
        if thumb:
            hashes.add(thumb)
    return sorted(hashes)


def copy_files(settings: Settings, hashes: list[str], target: Path) -> tuple[dict[str, str],
                                                                             list[str]]:
    """Copy the attachment bytes by content hash; name the ones missing on disk."""
    store = BlobStore(settings.attachments_dir)
    files: dict[str, str] = {}
    missing: list[str] = []
    for sha256 in hashes:
        source = store.path_for(sha256)
        if not source.is_file():
            missing.append(sha256)
            continue
        relative = Path(fmt.ATTACHMENTS_DIR, sha256[:2], sha256[2:4], sha256)
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.copyfile(source, destination)
        os.chmod(destination, 0o600)
        files[relative.as_posix()] = sha256  # content-addressed: the name is the checksum
    return files, missing


def content_checksum(files: dict[str, str]) -> str:
    """One figure for the whole copy: the SHA-256 of the sorted file checksums."""
    return hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()


async def export_city(settings: Settings, target: Path, *, now: datetime,
                      actor: Actor) -> ExportReport:
    """Write the copy into `target` (new or empty) and record the export in the audit log."""
    _prepare(target)
    engine = db.create_engine(settings.database)
    counts: dict[str, int] = {}
    files: dict[str, str] = {}
    try:
        async with engine.connect() as conn:
            conn = await _begin_snapshot(conn)
            post_order = await _post_order(conn)
            for kind in fmt.KINDS:
                counts[kind.file], files[kind.file] = await _write_kind(
                    conn, kind, target, post_order
                )
            hashes = await _attachment_hashes(conn)
            await conn.rollback()
        copied, missing = copy_files(settings, hashes, target)
        files.update(copied)
        checksum = content_checksum(files)
        manifest = {
            "format": fmt.FORMAT,
            "formatVersion": fmt.FORMAT_VERSION,
            "createdAt": fmt.to_json(now),
            "carebookVersion": settings.version,
            "counts": counts,
            "files": files,
            "missingAttachments": missing,
            "contentSha256": checksum,
        }
        manifest_path = target / fmt.MANIFEST
        manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                 encoding="utf-8")
        os.chmod(manifest_path, 0o600)
        async with db.session_factory(engine)() as session:
            await begin_write(session)
            await audit.record(
                session, at=now, actor=actor, action="export.city_written",
                target_type="installation",
                details={"counts": counts, "files": len(files), "checksum": checksum,
                         "missingAttachments": len(missing)},
            )
            await session.commit()
    finally:
        await engine.dispose()
    return ExportReport(target, counts, len(files), missing, checksum)
