"""The restore drill: demo data backed up online, restored into a fresh data directory and
database, identical table checksums, keys back in place, a new epoch that makes a device
that synced before start its rooms over; damaged backups and non-empty targets refused."""

from __future__ import annotations

import json
import os
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from server import db
from server.app import create_app
from server.auth.totp import open_secret
from server.demo import data as demo
from server.ops.backup import table_checksums
from server.settings import Settings, load_settings
from store.models import AuditEvent, SystemSetting, TotpFactor, User
from tests.conftest import BASE_URL, PG_ADMIN_URL, _pg_exec, _pg_psycopg_url, server_env
from tests.ops.support import invoke, run
from tests.support.api import ApiClient
from tests.sync.world import uid


def _env_with_key_file(data_dir: Path, database_url: str) -> dict[str, str]:
    """The secret key in the data directory (as a default installation has it), not in env."""
    env = server_env(data_dir, database_url)
    env["CAREBOOK_SECRET_KEY"] = ""
    return env


@pytest.fixture()
def target_database(tmp_path: Path) -> Iterator[str]:
    """A second, empty database (never migrated) to restore into."""
    if PG_ADMIN_URL:
        name = f"carebook_restore_{uuid.uuid4().hex[:10]}"
        _pg_exec(f'CREATE DATABASE "{name}"')
        yield _pg_psycopg_url(PG_ADMIN_URL, name).replace("postgresql://", "postgresql+asyncpg://")
        _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        (tmp_path / "restored").mkdir()
        yield f"sqlite+aiosqlite:///{tmp_path / 'restored' / 'carebook.sqlite3'}"


async def _checksums(settings: Settings) -> dict[str, dict[str, Any]]:
    engine = db.create_engine(settings.database)
    try:
        async with engine.connect() as conn:
            return await table_checksums(conn)
    finally:
        await engine.dispose()


async def _scalar(settings: Settings, query: Any) -> Any:
    engine = db.create_engine(settings.database)
    try:
        async with db.session_factory(engine)() as session:
            return await session.scalar(query)
    finally:
        await engine.dispose()


async def _sync_as_demo_nurse(settings: Settings) -> tuple[ApiClient, dict[str, str], str, str]:
    """Sign in as demo-nurse, pull everything; return the client's cookies, device, cursor."""
    async with AsyncTestClient(create_app(settings), base_url=BASE_URL) as client:
        api = ApiClient(client)
        signed = await api.sign_in_totp("demo-nurse", demo.DEMO_PASSWORD, demo.DEMO_TOTP_SECRET)
        assert signed.status_code == 200, signed.text
        cursor = None
        while True:
            page = (await api.post("/api/sync/pull", {"cursor": cursor, "limit": 500})).json()
            cursor = page["cursor"]
            if not any(room["hasMore"] for room in page["rooms"].values()):
                break
        room_id = next(iter(page["rooms"]), None) or ""
        return api, dict(client.cookies), cursor, room_id


async def _post_after_backup(settings: Settings, cookies: dict[str, str], device: str,
                             unlock: str | None, room_id: str) -> str:
    async with AsyncTestClient(create_app(settings), base_url=BASE_URL) as client:
        client.cookies.update(cookies)
        api = ApiClient(client, device=device)
        api.unlock = unlock  # the same app, still unlocked
        full = (await api.post("/api/sync/pull", {"cursor": None, "limit": 500})).json()
        title = next(c["id"] for c in full["rooms"][room_id]["changes"]
                     if c["type"] == "reportTitle")
        post_id = uid()
        pushed = await api.post("/api/sync/push", {"clientId": "drill-client-1", "mutations": [
            {"id": 1, "name": "post.create", "args": {
                "id": post_id, "roomId": room_id, "reportTitleId": title,
                "body": "written after the backup"}}]})
        assert pushed.json()["results"][0]["status"] == "ok", pushed.text
        return post_id


async def _resync(settings: Settings, cookies: dict[str, str], device: str, unlock: str | None,
                  cursor: str) -> tuple[dict[str, Any], dict[str, Any]]:
    async with AsyncTestClient(create_app(settings), base_url=BASE_URL) as client:
        client.cookies.update(cookies)
        api = ApiClient(client, device=device)
        api.unlock = unlock  # the same app, still unlocked
        first = await api.post("/api/sync/pull", {"cursor": cursor, "limit": 500})
        assert first.status_code == 200, first.text
        body = first.json()
        while any(room["hasMore"] for room in body["rooms"].values()):
            body = (await api.post("/api/sync/pull", {"cursor": body["cursor"]})).json()
        again = (await api.post("/api/sync/pull", {"cursor": body["cursor"]})).json()
        return first.json(), again


def test_restore_drill(
    data_dir: Path, database_url: str, target_database: str, tmp_path: Path
) -> None:
    source_env = _env_with_key_file(data_dir, database_url)
    loaded = invoke(source_env, "demo")
    assert loaded.exit_code == 0, loaded.output
    source = load_settings(source_env)
    blob = source.attachments_dir / "ab" / "cd" / ("abcd" + "0" * 60)
    blob.parent.mkdir(parents=True)
    blob.write_bytes(b"\xff\xd8 a photo's bytes")

    api, cookies, cursor, room_id = run(_sync_as_demo_nurse(source))
    before = run(_checksums(source))
    old_epoch = run(_scalar(source, select(SystemSetting.value).where(
        SystemSetting.key == "sync_epoch")))

    backup_dir = tmp_path / "backup-2026-11-26"
    made = invoke(source_env, "backup", "--to", str(backup_dir))
    assert made.exit_code == 0, made.output
    assert "data checksum" in made.output
    assert stat.S_IMODE(os.stat(backup_dir).st_mode) == 0o700
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert manifest["tables"] == before  # the snapshot is the database as it was
    assert manifest["tables"]["post"]["rows"] >= 53
    assert "keys/secret_key" in manifest["files"]
    assert "attachments/ab/cd/abcd" + "0" * 60 in manifest["files"]

    lost = run(_post_after_backup(source, cookies, api.device, api.unlock, room_id))

    target_dir = tmp_path / "restored-data"
    target_env = _env_with_key_file(target_dir, target_database)
    restored = invoke(target_env, "restore", "--from", str(backup_dir))
    assert restored.exit_code == 0, restored.output
    assert "identical to the backup" in restored.output
    print(f"restore drill ({source.database.dialect}): {restored.output.strip()}")
    assert "warning" not in restored.output
    target = load_settings(target_env)

    after = run(_checksums(target))
    changed = {"audit_event", "system_setting"}  # the restore's own record, the new epoch
    assert {t: s for t, s in after.items() if t not in changed} == {
        t: s for t, s in before.items() if t not in changed}
    assert after["audit_event"]["rows"] == before["audit_event"]["rows"] + 1
    assert (target_dir / "attachments" / "ab" / "cd" / ("abcd" + "0" * 60)).read_bytes() == \
        blob.read_bytes()
    assert (target_dir / "secret_key").read_text() == (data_dir / "secret_key").read_text()
    sealed = run(_scalar(target, select(TotpFactor.secret_encrypted).join(
        User, User.id == TotpFactor.user_id).where(User.login_id == "demo-nurse")))
    assert open_secret(target.secret_key, sealed) == demo.DEMO_TOTP_SECRET
    new_epoch = run(_scalar(target, select(SystemSetting.value).where(
        SystemSetting.key == "sync_epoch")))
    assert new_epoch and new_epoch != old_epoch
    restore_event = run(_scalar(target, select(AuditEvent).where(
        AuditEvent.action == "backup.restored")))
    assert restore_event is not None
    assert invoke(target_env, "audit", "verify").exit_code == 0

    # The device that synced before the backup: its old cursor resets every room it knew,
    # the post written after the backup is gone, and the next pull is quiet.
    first, again = run(_resync(target, cookies, api.device, api.unlock, cursor))
    assert room_id in first["resetRooms"]
    assert lost not in json.dumps(first)
    assert again["rooms"] == {} and again["resetRooms"] == []

    # A target with data is refused unless --force.
    refused = invoke(target_env, "restore", "--from", str(backup_dir))
    assert refused.exit_code == 1
    assert "not empty" in refused.output
    forced = invoke(target_env, "restore", "--from", str(backup_dir), "--force")
    assert forced.exit_code == 0, forced.output

    # A damaged backup is refused before anything is touched.
    copy = backup_dir / "attachments" / "ab" / "cd" / ("abcd" + "0" * 60)
    copy.write_bytes(b"tampered")
    damaged = invoke(target_env, "restore", "--from", str(backup_dir), "--force")
    assert damaged.exit_code == 1
    assert "damaged" in damaged.output

    # Backing up into a directory that is not empty is refused.
    again_backup = invoke(source_env, "backup", "--to", str(backup_dir))
    assert again_backup.exit_code == 1
    assert "not empty" in again_backup.output


def test_restore_refuses_another_database_kind(data_dir: Path, database_url: str,
                                               tmp_path: Path) -> None:
    env = server_env(data_dir, database_url)
    assert invoke(env, "backup", "--to", str(tmp_path / "b")).exit_code == 0
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    other = "postgresql" if manifest["dialect"] == "sqlite" else "sqlite"
    manifest["dialect"] = other
    (tmp_path / "b" / "manifest.json").write_text(json.dumps(manifest))
    refused = invoke(server_env(tmp_path / "t", database_url), "restore", "--from",
                     str(tmp_path / "b"))
    assert refused.exit_code == 1
    assert f"backup is of a {other} database" in refused.output
