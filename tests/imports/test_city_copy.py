"""The city's own copy: `carebook export --to DIR` writes everything a city has (no secrets),
`carebook import DIR` loads it into an empty installation, and a second export has the same
checksums file by file (the load's own audit event aside). Damaged copies, broken references
and non-empty targets are refused with the file, row and column, and nothing is written."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from server.app import create_app
from server.city_data import format as fmt
from server.demo import data as demo
from server.settings import Settings, load_settings
from store.models import AuditEvent, Base, Post, Room, User
from tests.conftest import BASE_URL, PG_ADMIN_URL, _pg_exec, _pg_psycopg_url, server_env
from tests.contact_book import photos
from tests.factories import DEFAULT_PASSWORD
from tests.ops.support import invoke, run, with_session
from tests.support import pdfs
from tests.support.api import ApiClient
from tests.sync.world import uid


@pytest.fixture()
def target_database(tmp_path: Path) -> Iterator[str]:
    """A second database, upgraded by the import command itself."""
    if PG_ADMIN_URL:
        name = f"carebook_copy_{uuid.uuid4().hex[:10]}"
        _pg_exec(f'CREATE DATABASE "{name}"')
        yield _pg_psycopg_url(PG_ADMIN_URL, name).replace("postgresql://", "postgresql+asyncpg://")
        _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        (tmp_path / "target").mkdir()
        yield f"sqlite+aiosqlite:///{tmp_path / 'target' / 'carebook.sqlite3'}"


async def _signed_in(client: Any, login: str) -> ApiClient:
    api = ApiClient(client)
    done = await api.sign_in_totp(login, demo.DEMO_PASSWORD, demo.DEMO_TOTP_SECRET)
    assert done.status_code == 200, done.text
    return api


async def _full_pull(api: ApiClient) -> dict[str, list[dict[str, Any]]]:
    """Every change of every room of the user, paging to the end."""
    changes: dict[str, list[dict[str, Any]]] = {}
    cursor = None
    while True:
        page = (await api.post("/api/sync/pull", {"cursor": cursor, "limit": 200})).json()
        for room_id, room in page["rooms"].items():
            changes.setdefault(room_id, []).extend(room["changes"])
        cursor = page["cursor"]
        if not any(room["hasMore"] for room in page["rooms"].values()):
            return changes


async def _a_city_with_history(settings: Settings) -> None:
    """The demo city, and what a city accumulates: a photo and a PDF document on posts, a
    deleted post, a patient's own SpO2 range and a flagged reading, a post addressed to the
    doctor and answered, a post marked unread again and the 要対応 view cleared, a personal
    定型文, a member who left, a closed room, read receipts, sign-ins in the audit log."""
    async with AsyncTestClient(create_app(settings), base_url=BASE_URL) as client:
        nurse = await _signed_in(client, "demo-nurse")
        rooms = await _full_pull(nurse)
        doctors = {room: c["data"]["userId"] for room, cs in rooms.items() for c in cs
                   if c["type"] == "member" and c["data"]["name"] == "高橋 誠"}
        room_id = sorted(doctors)[0]
        doctor_id = doctors[room_id]
        title = next(c["id"] for c in rooms[room_id] if c["type"] == "reportTitle")
        upload = await nurse.http.post(
            f"/api/rooms/{room_id}/attachments",
            files={"file": ("wound.jpg", photos.jpeg_with_gps(), "image/jpeg")},
            headers=nurse.headers(),
        )
        assert upload.status_code == 201, upload.text
        letter = await nurse.http.post(
            f"/api/rooms/{room_id}/documents",
            files={"file": ("退院時サマリ.pdf", pdfs.document(pages=2), "application/pdf")},
            headers=nurse.headers(),
        )
        assert letter.status_code == 201, letter.text
        made = await nurse.post("/api/templates", {"title": "訪問記録", "body": "{日付} 訪問。"})
        assert made.status_code == 201, made.text
        kept, dropped, asked = uid(), uid(), uid()
        pushed = await nurse.post("/api/sync/push", {"clientId": "copy-client", "mutations": [
            {"id": 1, "name": "post.create", "args": {
                "id": kept, "roomId": room_id, "reportTitleId": title,
                "body": "仙骨部の写真を添付します。", "attachmentIds": [upload.json()["id"]],
                "vitals": {"temperature": 36.8, "systolic": 128, "diastolic": 76}}},
            {"id": 2, "name": "post.create", "args": {
                "id": dropped, "roomId": room_id, "reportTitleId": title,
                "body": "誤って投稿しました"}},
            {"id": 3, "name": "post.delete", "args": {"id": dropped}},
            {"id": 4, "name": "threshold.set", "args": {
                "roomId": room_id, "sign": "spo2", "low": 92, "high": None}},
            {"id": 5, "name": "post.create", "args": {
                "id": asked, "roomId": room_id, "reportTitleId": title,
                "body": "SpO2が低めです。退院時サマリを添付します。ご確認ください。",
                "vitals": {"spo2": 90}, "attachmentIds": [letter.json()["id"]],
                "addresseeIds": [doctor_id], "asksAnswer": True}},
            {"id": 6, "name": "receipt.mark", "args": {"roomId": room_id, "upToVersion": 10**6}},
        ]})
        assert [r["status"] for r in pushed.json()["results"]] == ["ok"] * 6, pushed.text
        async with AsyncTestClient(create_app(settings), base_url=BASE_URL) as other:
            doctor = await _signed_in(other, "demo-doctor")
            answered = await doctor.post("/api/sync/push", {
                "clientId": "copy-doctor", "mutations": [
                    {"id": 1, "name": "comment.create", "args": {
                        "id": uid(), "postId": asked, "body": "明日往診します。"}}]})
            assert answered.json()["results"][0]["status"] == "ok", answered.text
        marked = await nurse.post("/api/sync/push", {"clientId": "copy-client-2", "mutations": [
            {"id": 1, "name": "receipt.mark", "args": {"roomId": room_id, "upToVersion": 10**6}},
            {"id": 2, "name": "attention.clear", "args": {"roomId": room_id,
                                                          "upToVersion": 10**6}},
            {"id": 3, "name": "post.markUnread", "args": {"postId": kept}},
        ]})
        assert [r["status"] for r in marked.json()["results"]] == ["ok"] * 3, marked.text
    async with AsyncTestClient(create_app(settings), base_url=BASE_URL) as client:
        admin = await _signed_in(client, "demo-admin")
        listed = (await admin.get("/api/admin/rooms")).json()
        other = next(r["id"] for r in listed if r["id"] != room_id)
        detail = (await admin.get(f"/api/admin/rooms/{other}")).json()
        leaver = next(m["user"]["id"] for m in detail["members"]
                      if m["user"]["loginId"] == "demo-pharmacist") if any(
            m["user"]["loginId"] == "demo-pharmacist" for m in detail["members"]) else None
        if leaver is not None:
            removed = await admin.delete(f"/api/admin/rooms/{other}/members/{leaver}")
            assert removed.status_code == 200, removed.text
        closed = await admin.post(f"/api/admin/rooms/{other}/close", {"reason": "death"})
        assert closed.status_code == 200, closed.text


def _files(directory: Path) -> dict[str, str]:
    return json.loads((directory / fmt.MANIFEST).read_text())["files"]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_table_is_exported_or_left_out_for_a_reason() -> None:
    exported = {kind.table_name for kind in fmt.KINDS}
    assert exported.isdisjoint(fmt.EXCLUDED)
    assert set(Base.metadata.tables) == exported | set(fmt.EXCLUDED)


def test_export_then_import_into_an_empty_installation_keeps_every_checksum(
    data_dir: Path, database_url: str, target_database: str, tmp_path: Path
) -> None:
    source_env = server_env(data_dir, database_url)
    assert invoke(source_env, "demo").exit_code == 0
    source = load_settings(source_env)
    run(_a_city_with_history(source))

    first = tmp_path / "copy-1"
    exported = invoke(source_env, "export", "--to", str(first))
    assert exported.exit_code == 0, exported.output
    files = _files(first)
    for name, checksum in files.items():  # the manifest's checksums are those of the files
        assert _sha256(first / name) == checksum, name
    assert (first.stat().st_mode & 0o777) == 0o700
    users = [json.loads(line) for line in (first / "users.jsonl").read_text().splitlines()]
    assert {u["loginId"] for u in users} >= {"demo-nurse", "demo-admin"}
    assert not any(key.startswith("password") or key == "lockedUntil" for u in users for key in u)
    assert not (first / "totp_factors.jsonl").exists()
    assert "$argon2" not in "".join(p.read_text() for p in first.glob("*.jsonl"))
    posts = [json.loads(line) for line in (first / "posts.jsonl").read_text().splitlines()]
    photo_post = next(p for p in posts if p["body"] == "仙骨部の写真を添付します。")
    assert photo_post["vitals"] == {"temperature": 36.8, "systolic": 128, "diastolic": 76}
    assert any(p["deletedAt"] for p in posts)
    assert any(json.loads(line)["status"] == "closed"
               for line in (first / "rooms.jsonl").read_text().splitlines())
    assert any(name.startswith("attachments/") for name in files)

    # What needs a care team's attention comes along: the patient's own range with who set
    # it, the flag kept on the reading, the addressee and the answer, the nurse's own marks,
    # the nurse's 定型文, and the PDF document with its name and pages.
    def lines(name: str) -> list[dict[str, Any]]:
        return [json.loads(line) for line in (first / name).read_text().splitlines()]

    nurse_id = next(u["id"] for u in users if u["loginId"] == "demo-nurse")
    doctor_id = next(u["id"] for u in users if u["loginId"] == "demo-doctor")
    [spo2] = [t for t in lines("thresholds.jsonl") if t["sign"] == "spo2"]
    assert (spo2["low"], spo2["high"], spo2["setBy"]) == (92, None, nurse_id)
    asked = next(p for p in posts if p["body"].startswith("SpO2が低めです"))
    assert asked["vitalsFlags"] == {"spo2": "low"}
    assert (asked["addresseeIds"], asked["asksAnswer"]) == ([doctor_id], True)
    [document] = [a for a in lines("attachments.jsonl") if a["kind"] == "document"]
    assert (document["filename"], document["pageCount"]) == ("退院時サマリ.pdf", 2)
    assert asked["documents"] == [{"id": document["id"], "name": "退院時サマリ.pdf",
                                   "pages": 2, "size": document["size"]}]
    assert document["sha256"] in files.values()
    [addressed] = [a for a in lines("addressees.jsonl") if a["postId"] == asked["id"]]
    assert addressed["userId"] == doctor_id and addressed["answeredAt"] is not None
    answer = next(c for c in lines("comments.jsonl") if c["id"] == addressed["answerCommentId"])
    assert answer["body"] == "明日往診します。"
    [marks] = [m for m in lines("reading_marks.jsonl")
               if (m["roomId"], m["userId"]) == (asked["roomId"], nurse_id)]
    assert marks["unreadPostIds"] == [photo_post["id"]]
    assert marks["clearedThroughPostId"] == asked["id"]
    assert [(t["title"], t["ownerId"]) for t in lines("templates.jsonl")
            if t["body"] == "{日付} 訪問。"] == [("訪問記録", nurse_id)]
    written = with_session(source, lambda s: s.scalar(
        select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "export.city_written")))
    assert written == 1

    target_env = server_env(tmp_path / "target-data", target_database)
    (tmp_path / "target-data").mkdir()
    target = load_settings(target_env)
    dry = invoke(target_env, "import", "--dry-run", str(first))
    assert dry.exit_code == 0, dry.output
    assert "dry run" in dry.output
    assert with_session(target, lambda s: s.scalar(select(func.count()).select_from(User))) == 0

    loaded = invoke(target_env, "import", str(first))
    assert loaded.exit_code == 0, loaded.output
    assert invoke(target_env, "audit", "verify").exit_code == 0

    second = tmp_path / "copy-2"
    assert invoke(target_env, "export", "--to", str(second)).exit_code == 0
    again = _files(second)
    assert set(again) == set(files)
    differing = sorted(name for name in files if files[name] != again[name])
    assert differing == ["audit.jsonl"]
    before = (first / "audit.jsonl").read_text().splitlines()
    after = [line for line in (second / "audit.jsonl").read_text().splitlines()
             if json.loads(line)["action"] != "import.copy_loaded"]
    assert after == before
    assert len(before) > 0

    # The loaded rooms reach a member's device through the normal sync, and what the
    # member had read in the old installation counts as read here too.
    async def sign_in_nurse() -> tuple[dict[str, list[dict[str, Any]]], dict[str, int]]:
        from tests.factories import set_password_and_totp

        await set_password_and_totp(target, "demo-nurse", demo.DEMO_TOTP_SECRET)
        async with AsyncTestClient(create_app(target), base_url=BASE_URL) as client:
            api = ApiClient(client)
            done = await api.sign_in_totp("demo-nurse", DEFAULT_PASSWORD, demo.DEMO_TOTP_SECRET)
            assert done.status_code == 200, done.text
            changes = await _full_pull(api)
            unread = (await api.get("/api/rooms/unread")).json()
            return changes, unread

    changes, unread = run(sign_in_nurse())
    pulled = {c["id"] for room in changes.values() for c in room if c["type"] == "post"}
    live = {p["id"] for p in posts if not p["deletedAt"]}
    room_ids = {json.loads(line)["roomId"] for line in (first / "room_members.jsonl")
                .read_text().splitlines()
                if json.loads(line)["userId"] == next(u["id"] for u in users
                                                      if u["loginId"] == "demo-nurse")
                and json.loads(line)["leftAt"] is None}
    assert pulled == {p["id"] for p in posts if p["roomId"] in room_ids and p["id"] in live}
    assert unread[photo_post["roomId"]] == 0  # read up to the end before the export
    room = changes[asked["roomId"]]
    [personal] = [c["data"] for c in room if c["type"] == "personal"]
    asked_version = next(c["data"]["version"] for c in room if c["id"] == asked["id"])
    assert personal["clearedVersion"] == asked_version  # cleared up to the same post
    assert personal["unreadPostIds"] == [photo_post["id"]]
    assert any(c["type"] == "threshold" and c["data"]["sign"] == "spo2" for c in room)
    assert [c["data"]["answeredAt"] is not None for c in room
            if c["type"] == "addressee" and c["data"]["postId"] == asked["id"]] == [True]


def test_import_refuses_a_damaged_copy_and_names_the_bad_rows(
    data_dir: Path, database_url: str, target_database: str, tmp_path: Path
) -> None:
    source_env = server_env(data_dir, database_url)
    assert invoke(source_env, "demo").exit_code == 0
    copy = tmp_path / "copy"
    assert invoke(source_env, "export", "--to", str(copy)).exit_code == 0
    target_env = server_env(tmp_path / "target-data", target_database)
    (tmp_path / "target-data").mkdir()

    posts = copy / "posts.jsonl"
    posts.write_text(posts.read_text().replace("血圧", "血糖", 1))
    damaged = invoke(target_env, "import", str(copy))
    assert damaged.exit_code == 1
    assert "posts.jsonl\t-\t-\tファイルがチェックサムと一致しません" in damaged.output

    # A copy edited by hand and re-summed: the references are checked row by row.
    lines = posts.read_text().splitlines()
    record = json.loads(lines[2])
    record["authorId"] = str(uuid.uuid4())
    record["urgent"] = "yes"
    lines[2] = json.dumps(record, ensure_ascii=False)
    posts.write_text("\n".join(lines) + "\n")
    manifest = json.loads((copy / fmt.MANIFEST).read_text())
    manifest["files"]["posts.jsonl"] = _sha256(posts)
    (copy / fmt.MANIFEST).write_text(json.dumps(manifest))
    edited = invoke(target_env, "import", "--dry-run", str(copy))
    assert edited.exit_code == 1
    assert "posts.jsonl\t3\turgent\t値が正しくありません" in edited.output
    assert "posts.jsonl\t3\tauthorId\t参照先が users.jsonl にありません。" in edited.output
    target = load_settings(target_env)
    assert with_session(target, lambda s: s.scalar(select(func.count()).select_from(Post))) == 0


def test_import_refuses_an_installation_that_is_not_empty(
    data_dir: Path, database_url: str, tmp_path: Path
) -> None:
    env = server_env(data_dir, database_url)
    assert invoke(env, "demo").exit_code == 0
    copy = tmp_path / "copy"
    assert invoke(env, "export", "--to", str(copy)).exit_code == 0
    refused = invoke(env, "import", str(copy))
    assert refused.exit_code == 1
    assert "取り込み先が空ではありません" in refused.output
    settings = load_settings(env)
    assert with_session(settings, lambda s: s.scalar(select(func.count()).select_from(Room))) == 3
    again = invoke(env, "export", "--to", str(copy))
    assert again.exit_code == 1
    assert "not an empty directory" in again.output


def test_import_help_shows_the_dry_run() -> None:
    from click.testing import CliRunner

    from server.cli import carebook

    shown = CliRunner().invoke(carebook, ["import", "--help"])
    assert shown.exit_code == 0
    assert "--dry-run" in shown.output
    assert "carebook export --to" in shown.output



def test_docs_describe_every_file_and_field() -> None:
    """docs/export.md is what another system reads the copy by: it names every field."""
    docs = (Path(__file__).parents[2] / "docs" / "export.md").read_text()
    rows = {line.split("|")[1].strip(" `"): line for line in docs.splitlines()
            if line.startswith("| `") and ".jsonl" in line.split("|")[1]}
    for kind in fmt.KINDS:
        assert kind.file in rows, kind.file
        for field in [fmt.camel(c) for c in kind.columns()] + list(kind.derived):
            assert f"`{field}`" in rows[kind.file], (kind.file, field)
