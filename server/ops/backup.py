"""`carebook backup` and `carebook restore`: a consistent snapshot of the database, the
attachments and the keys, with a manifest of checksums; and the way back.

- SQLite: the online backup API copies the database in one step under a read lock,
  so writers may keep going. PostgreSQL: `pg_dump -Fc` inside an exported snapshot,
  and the table checksums are taken in that same snapshot.
- The attachments are content-addressed files that are never changed, copied after
  the database snapshot: every file the snapshot names is already on disk.
- The manifest holds a SHA-256 of every file and, per table, the row count and an
  order-independent hash of the rows (the sum of the rows' SHA-256 mod 2^256), so a
  restore proves that it put back exactly what was saved.
- A restore starts a new sync epoch: devices that synced after the backup hold room
  versions the restored database never reached, and must start those rooms over.

The backup holds the secret key and the VAPID private key: keep it like the keys.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from glob import glob
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from store.models import Base
from store.writer import begin_write

from .. import db
from ..settings import Settings
from .keys import key_from_file

FORMAT = "carebook-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
KEY_FILES = ("secret_key", "vapid_private.pem", "vapid_public.txt")
_MOD = 2**256


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why and what to do."""


# --- checksums -------------------------------------------------------------------------------


def _canonical(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float | Decimal):
        return repr(float(value))
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return str(value)


async def table_checksums(conn: AsyncConnection) -> dict[str, dict[str, Any]]:
    """Per table: row count and an order-independent hash of the rows' canonical JSON.

    The same rows give the same figures on SQLite and PostgreSQL, whatever their order.
    """
    sums: dict[str, dict[str, Any]] = {}
    for table in Base.metadata.sorted_tables:
        total = 0
        count = 0
        result = await conn.stream(select(table))
        async for row in result:
            canonical = json.dumps(
                {column: _canonical(value) for column, value in row._mapping.items()},
                sort_keys=True,
                ensure_ascii=False,
                separators=(",", ":"),
            )
            total = (total + int(hashlib.sha256(canonical.encode()).hexdigest(), 16)) % _MOD
            count += 1
        sums[table.name] = {"rows": count, "sha256": f"{total:064x}"}
    return sums


def checksum_of(sums: dict[str, dict[str, Any]]) -> str:
    """One figure for a whole database (for docs/reliability.md and quick comparison)."""
    return hashlib.sha256(json.dumps(sums, sort_keys=True).encode()).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files_under(root: Path) -> Iterator[Path]:
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file():
                yield path


# --- the tools -------------------------------------------------------------------------------


def _pg_tool(name: str, server_major: int) -> str:
    """`pg_dump`/`pg_restore` at least as new as the server (PATH or Debian's versioned dirs)."""
    candidates: list[tuple[int, str]] = []
    for path in glob(f"/usr/lib/postgresql/*/bin/{name}"):
        try:
            candidates.append((int(Path(path).parts[-3]), path))
        except ValueError:
            continue
    found = shutil.which(name)
    if found:
        candidates.append((0, found))  # version unknown from its path: tried last
    for major, path in sorted(candidates, reverse=True):
        if major == 0 or major >= server_major:
            return path
    raise BackupError(
        f"{name} for PostgreSQL {server_major} (or newer) was not found in PATH or "
        f"/usr/lib/postgresql/*/bin; install the postgresql-client package"
    )


def _pg_env(settings: Settings) -> tuple[list[str], dict[str, str]]:
    """libpq connection arguments without the password (it goes in PGPASSWORD)."""
    url = make_url(settings.database.url)
    args = ["--host", url.host or "localhost", "--port", str(url.port or 5432)]
    if url.username:
        args += ["--username", url.username]
    args += ["--dbname", url.database or "postgres"]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


async def _run(argv: list[str], env: dict[str, str]) -> None:
    process = await asyncio.create_subprocess_exec(
        *argv, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _out, err = await process.communicate()
    if process.returncode != 0:
        raise BackupError(
            f"{Path(argv[0]).name} failed ({process.returncode}): {err.decode(errors='replace')}"
        )


async def _server_major(conn: AsyncConnection) -> int:
    number = int((await conn.execute(text("SHOW server_version_num"))).scalar_one())
    return number // 10000


def _sqlite_path(settings: Settings) -> Path:
    database = make_url(settings.database.url).database
    if not database or database == ":memory:":
        raise BackupError("the SQLite database must be a file to back it up")
    return Path(database)


async def _alembic_revision(conn: AsyncConnection) -> str | None:
    try:
        return (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    except Exception:
        return None


# --- backup ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupReport:
    directory: Path
    tables: int
    rows: int
    files: int
    checksum: str


def _prepare_target(target: Path) -> None:
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: back up into a new directory")
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(target, 0o700)


async def backup(settings: Settings, target: Path, *, now: dt.datetime) -> BackupReport:
    _prepare_target(target)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "formatVersion": FORMAT_VERSION,
        "createdAt": now.isoformat(),
        "carebookVersion": settings.version,
        "dialect": settings.database.dialect,
    }
    if settings.database.dialect == "sqlite":
        sums, revision = await _backup_sqlite(settings, target / SQLITE_FILE)
        manifest["database"] = SQLITE_FILE
    else:
        sums, revision = await _backup_postgresql(settings, target / PG_FILE)
        manifest["database"] = PG_FILE
    manifest["alembicRevision"] = revision
    manifest["tables"] = sums
    manifest["checksum"] = checksum_of(sums)

    files: dict[str, str] = {manifest["database"]: file_sha256(target / manifest["database"])}
    for source in _files_under(settings.attachments_dir):
        relative = Path("attachments") / source.relative_to(settings.attachments_dir)
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
        files[str(relative)] = file_sha256(destination)
    keys: dict[str, str] = {}
    for name in KEY_FILES:
        source = settings.data_dir / name
        if source.is_file():
            destination = target / "keys" / name
            destination.parent.mkdir(exist_ok=True, mode=0o700)
            shutil.copy2(source, destination)
            os.chmod(destination, 0o600)
            files[f"keys/{name}"] = file_sha256(destination)
            keys[name] = "file"
    manifest["keys"] = keys
    # Which secret key the data needs (TOTP secrets are sealed with it), without the key.
    manifest["secretKeySha256"] = hashlib.sha256(settings.secret_key.encode()).hexdigest()
    manifest["files"] = files
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    os.chmod(target / MANIFEST, 0o600)
    return BackupReport(
        directory=target,
        tables=len(sums),
        rows=sum(int(s["rows"]) for s in sums.values()),
        files=len(files),
        checksum=manifest["checksum"],
    )


async def _backup_sqlite(
    settings: Settings, destination: Path
) -> tuple[dict[str, dict[str, Any]], str | None]:
    source = _sqlite_path(settings)
    if not source.is_file():
        raise BackupError(f"no database at {source}")

    def copy() -> None:
        with sqlite3.connect(source) as src, sqlite3.connect(destination) as dst:
            src.execute("PRAGMA busy_timeout=30000")
            src.backup(dst)  # all pages in one step: one consistent snapshot
        with sqlite3.connect(destination) as snap:
            snap.execute("PRAGMA journal_mode=DELETE")  # one self-contained file

    await asyncio.to_thread(copy)
    os.chmod(destination, 0o600)
    engine = db.create_engine(
        type(settings.database)(url=f"sqlite+aiosqlite:///{destination}", null_pool=True),
        for_migrations=True,
    )
    try:
        async with engine.connect() as conn:
            return await table_checksums(conn), await _alembic_revision(conn)
    finally:
        await engine.dispose()


async def _backup_postgresql(
    settings: Settings, destination: Path
) -> tuple[dict[str, dict[str, Any]], str | None]:
    engine = db.create_engine(settings.database)
    try:
        async with engine.connect() as conn:
            conn = await conn.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
            async with conn.begin():
                snapshot = (await conn.execute(text("SELECT pg_export_snapshot()"))).scalar_one()
                tool = _pg_tool("pg_dump", await _server_major(conn))
                args, env = _pg_env(settings)
                await _run(
                    [tool, "--format=custom", "--no-owner", "--no-privileges",
                     f"--snapshot={snapshot}", f"--file={destination}", *args],
                    env,
                )
                sums = await table_checksums(conn)
                revision = await _alembic_revision(conn)
    finally:
        await engine.dispose()
    os.chmod(destination, 0o600)
    return sums, revision


# --- restore ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreReport:
    tables: int
    rows: int
    files: int
    checksum: str
    manifest: dict[str, Any]
    warnings: list[str]


def read_manifest(source: Path) -> dict[str, Any]:
    """The manifest, after checking every file it lists against its checksum."""
    path = source / MANIFEST
    if not path.is_file():
        raise BackupError(f"{source} has no {MANIFEST}: not a carebook backup")
    manifest: dict[str, Any] = json.loads(path.read_text())
    if manifest.get("format") != FORMAT or manifest.get("formatVersion") != FORMAT_VERSION:
        raise BackupError(f"{path} is not a carebook backup of format {FORMAT_VERSION}")
    for relative, expected in manifest["files"].items():
        file = source / relative
        if ".." in Path(relative).parts or not file.is_file():
            raise BackupError(f"the backup is incomplete: {relative} is missing")
        if file_sha256(file) != expected:
            raise BackupError(f"the backup is damaged: {relative} does not match its checksum")
    return manifest


async def _target_has_data(settings: Settings) -> bool:
    if any(True for _ in _files_under(settings.attachments_dir)):
        return True
    engine = db.create_engine(settings.database)
    try:
        async with engine.connect() as conn:
            for table in Base.metadata.sorted_tables:
                try:
                    found = (await conn.execute(select(text("1")).select_from(table).limit(1)))
                    if found.first() is not None:
                        return True
                except Exception:  # no such table: an empty database
                    await conn.rollback()
    finally:
        await engine.dispose()
    return False


async def restore(settings: Settings, source: Path, *, force: bool) -> RestoreReport:
    """Put the backup's database, attachments and keys in place and prove the data matches.

    The caller then upgrades the schema and starts a new epoch (`start_new_epoch`).
    """
    manifest = read_manifest(source)
    if manifest["dialect"] != settings.database.dialect:
        raise BackupError(
            f"this backup is of a {manifest['dialect']} database; the target is "
            f"{settings.database.dialect} (set CAREBOOK_DATABASE_URL accordingly)"
        )
    if not force and await _target_has_data(settings):
        raise BackupError(
            "the target database or attachments directory is not empty; restore into a fresh "
            "one, or pass --force to replace what is there"
        )
    warnings: list[str] = []
    key_from_file_before = key_from_file(settings)
    if settings.database.dialect == "sqlite":
        _restore_sqlite(settings, source / manifest["database"])
    else:
        await _restore_postgresql(settings, source / manifest["database"])

    if settings.attachments_dir.exists():
        shutil.rmtree(settings.attachments_dir)
    files = 0
    for relative in manifest["files"]:
        parts = Path(relative).parts
        if parts[0] == "attachments":
            destination = settings.attachments_dir.joinpath(*parts[1:])
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / relative, destination)
            files += 1
        elif parts[0] == "keys":
            destination = settings.data_dir / parts[1]
            shutil.copy2(source / relative, destination)
            os.chmod(destination, 0o600)
            files += 1
    # The key the server will use: a configured CAREBOOK_SECRET_KEY wins over the file.
    restored_key = settings.data_dir / "secret_key"
    key_in_use = settings.secret_key
    if key_from_file_before and restored_key.is_file():
        key_in_use = restored_key.read_text().strip()
    if hashlib.sha256(key_in_use.encode()).hexdigest() != manifest.get("secretKeySha256"):
        warnings.append(
            "the secret key in use is not the one the backup was made with: TOTP second "
            "factors will not open and users must enrol again (set CAREBOOK_SECRET_KEY to the "
            "old key, or remove it to use the restored keys/secret_key)"
        )

    engine = db.create_engine(settings.database)
    try:
        async with engine.connect() as conn:
            sums = await table_checksums(conn)
    finally:
        await engine.dispose()
    if sums != manifest["tables"]:
        differing = sorted(t for t in sums if sums[t] != manifest["tables"].get(t))
        raise BackupError(f"restored data does not match the backup's checksums: {differing}")
    return RestoreReport(
        tables=len(sums),
        rows=sum(int(s["rows"]) for s in sums.values()),
        files=files,
        checksum=checksum_of(sums),
        manifest=manifest,
        warnings=warnings,
    )


def _restore_sqlite(settings: Settings, snapshot: Path) -> None:
    target = _sqlite_path(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".restoring")
    shutil.copyfile(snapshot, partial)
    os.chmod(partial, 0o600)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    os.replace(partial, target)


async def _restore_postgresql(settings: Settings, dump: Path) -> None:
    engine = db.create_engine(settings.database)
    try:
        async with engine.connect() as conn:
            major = await _server_major(conn)
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
            await conn.commit()
    finally:
        await engine.dispose()
    args, env = _pg_env(settings)
    tool = _pg_tool("pg_restore", major)
    await _run([tool, "--no-owner", "--no-privileges", "--exit-on-error", *args, str(dump)], env)


async def start_new_epoch(settings: Settings, *, now: dt.datetime, actor: Any,
                          manifest: dict[str, Any]) -> str:
    """After a restore: a new sync epoch, and the restore in the audit chain."""
    from sync.cursor import new_epoch

    from ..audit import service as audit

    engine = db.create_engine(settings.database)
    try:
        async with db.session_factory(engine)() as session:
            await begin_write(session)
            epoch = await new_epoch(session)
            await audit.record(
                session, at=now, actor=actor, action="backup.restored",
                target_type="database",
                details={"backupCreatedAt": manifest["createdAt"],
                         "checksum": manifest["checksum"]},
            )
            await session.commit()
            return epoch
    finally:
        await engine.dispose()
