"""Loading a city's own copy (`carebook export --to DIR`) into an empty installation.

The copy is carebook's own record, so it is loaded as it was — the same ids,
timestamps, authors, stays and statuses — rather than replayed through the
screens: a closed room stays closed, a stopped ID stays stopped, a member who
left keeps the stay. What is checked before anything is written:

- every file against the manifest's checksum (a damaged copy is refused);
- every record: known fields only, required ones present, values of the right
  type and length;
- every reference (each foreign key of the schema) to a record in the copy;
- the rules that guard patients' privacy whoever wrote the data: a room member is
  a professional (never a clerk, an operator or city staff), and a room's label
  does not name its patient.

Synced rows get their room versions in the order the copy lists them and a
change-log entry each, so members' devices receive the rooms through the normal
sync (paged like any room). The audit log is loaded as it was, hash chain and
all, which is why the installation must be empty — audit log included; the
load's own audit event follows the loaded chain. People have no password here:
the clerk sends them the activation (mail or letter) from the ledger.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import shutil
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Column, String, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import AuditEvent, Office, Patient, Room, User
from store.models.enums import UserStatus
from sync.changes import (
    EntityType,
    Op,
    bump_membership_version,
    record_change,
    record_changes,
)
from sync.stream import queue_stay

from ..admin.composition import PROBLEMS, member_problem
from ..audit import service as audit
from ..audit.service import Actor
from ..city_data import format as fmt
from ..contact_book.blob_store import BlobStore
from ..errors import InvalidInput
from ..settings import Settings
from .progress import Progress
from .report import Report, TooManyProblems

CHUNK = 1000


def is_carebook_copy(path: Path) -> bool:
    """Whether `path` is a directory written by `carebook export --to`."""
    manifest = path / fmt.MANIFEST
    if not manifest.is_file():
        return False
    try:
        return bool(json.loads(manifest.read_text(encoding="utf-8")).get("format") == fmt.FORMAT)
    except (ValueError, OSError):
        return False


@dataclass
class _Copy:
    """The copy's records, converted to column values, by file."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    extra: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # derived fields
    files: dict[str, str] = field(default_factory=dict)


def _python_type(column: Column[Any]) -> type | None:
    try:
        return column.type.python_type
    except NotImplementedError:
        return None


def _value(column: Column[Any], raw: Any) -> Any:
    """A JSON value as the column's Python value; ValueError when it cannot be one."""
    if raw is None:
        return None
    kind = _python_type(column)
    if kind is uuid.UUID:
        return uuid.UUID(str(raw))
    if kind is dt.datetime:
        moment = dt.datetime.fromisoformat(str(raw))
        if moment.tzinfo is None:
            raise ValueError("a timestamp needs its time zone")
        return moment.astimezone(dt.UTC)
    if kind is dt.date:
        return dt.date.fromisoformat(str(raw))
    if kind is dt.time:
        return dt.time.fromisoformat(str(raw))
    if kind is bool:
        if not isinstance(raw, bool):
            raise ValueError("not true or false")
        return raw
    if kind is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueError("not a whole number")
        return raw
    if kind is str:
        if not isinstance(raw, str):
            raise ValueError("not text")
        length = getattr(column.type, "length", None)
        if isinstance(column.type, String) and length is not None and len(raw) > length:
            raise ValueError(f"longer than {length} characters")
        return raw
    return raw  # JSON columns keep their structure


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    with path.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if text.strip():
                yield number, text


def _read(source: Path, report: Report, progress: Progress) -> _Copy:
    copy = _Copy()
    manifest_path = source / fmt.MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        report.add(fmt.MANIFEST, None, None, "manifest_unreadable",
                   "manifest.json を読み込めません。", "manifest.json cannot be read.")
        return copy
    if manifest.get("formatVersion") != fmt.FORMAT_VERSION:
        report.add(fmt.MANIFEST, None, "formatVersion", "format_version",
                   f"この版の carebook が読めるのは形式 {fmt.FORMAT_VERSION} です。",
                   f"This carebook reads format version {fmt.FORMAT_VERSION}.")
        return copy
    listed: dict[str, str] = manifest.get("files") or {}
    progress.begin("checking", len(listed))
    for relative, expected in sorted(listed.items()):
        path = source / relative
        if ".." in Path(relative).parts or not path.is_file():
            report.add(relative, None, None, "file_missing",
                       "ファイルがありません（コピーが不完全です）。",
                       "The file is missing: the copy is incomplete.")
        elif _file_sha256(path) != expected:
            report.add(relative, None, None, "file_damaged",
                       "ファイルがチェックサムと一致しません（コピーが壊れています）。",
                       "The file does not match its checksum: the copy is damaged.")
        progress.advance()
    copy.files = listed
    if not report.ok:
        return copy
    total = sum(int(n) for n in (manifest.get("counts") or {}).values())
    progress.begin("reading", total)
    for kind in fmt.KINDS:
        copy.rows[kind.file], copy.extra[kind.file] = _read_kind(source, kind, report, progress)
    return copy


def _read_kind(source: Path, kind: fmt.Kind, report: Report,
               progress: Progress) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    path = source / kind.file
    rows: list[dict[str, Any]] = []
    extras: list[dict[str, Any]] = []
    if not path.is_file():
        return rows, extras
    columns = {fmt.camel(name): kind.table.c[name] for name in kind.columns()}
    derived = set(kind.derived)
    for number, text in _lines(path):
        progress.advance()
        try:
            record = json.loads(text)
        except ValueError:
            report.add(kind.file, number, None, "not_json", "JSON として読めない行です。",
                       "The line is not JSON.")
            continue
        if not isinstance(record, dict):
            report.add(kind.file, number, None, "not_object", "1行に1つのオブジェクトが必要です。",
                       "Each line must hold one object.")
            continue
        values: dict[str, Any] = {}
        for key in sorted(set(record) - set(columns) - derived):
            report.add(kind.file, number, key, "unknown_field", "この項目はこの形式にありません。",
                       "This field is not part of the format.")
        for key, column in columns.items():
            raw = record.get(key)
            if raw is None and not column.nullable and column.default is None \
                    and column.server_default is None:
                report.add(kind.file, number, key, "required", "必須の項目が空です。",
                           "A required field is empty.")
                continue
            try:
                value = _value(column, raw)
            except (ValueError, TypeError) as exc:
                report.add(kind.file, number, key, "bad_value",
                           f"値が正しくありません（{exc}）。", f"The value is not valid ({exc}).")
                continue
            if value is not None or key in record:
                values[column.name] = value
        rows.append(values)
        extras.append({name: record.get(name) for name in derived} | {"_row": number})
    return rows, extras


def _check_references(copy: _Copy, report: Report) -> None:
    """Every foreign key names a record of the copy (the schema says which)."""
    keys: dict[str, set[Any]] = {}
    files = {kind.table_name: kind.file for kind in fmt.KINDS}
    for kind in fmt.KINDS:
        primary = [c.name for c in kind.table.primary_key.columns]
        if len(primary) == 1:
            keys[kind.table_name] = {row.get(primary[0]) for row in copy.rows.get(kind.file, [])}
    for kind in fmt.KINDS:
        foreign = [
            (column.name, next(iter(column.foreign_keys)).column.table.name)
            for column in kind.table.columns
            if column.foreign_keys and column.name not in kind.omit
        ]
        for index, row in enumerate(copy.rows.get(kind.file, [])):
            for name, target in foreign:
                value = row.get(name)
                if value is not None and value not in keys.get(target, set()):
                    report.add(kind.file, copy.extra[kind.file][index]["_row"], fmt.camel(name),
                               "unknown_reference",
                               f"参照先が {files.get(target, target)} にありません。",
                               f"The record it refers to is not in {files.get(target, target)}.")


def _check_rules(copy: _Copy, report: Report) -> None:
    from ..admin.patients import check_label

    users = {row["id"]: row for row in copy.rows.get("users.jsonl", [])}
    offices = {row["id"]: row for row in copy.rows.get("offices.jsonl", [])}
    for index, row in enumerate(copy.rows.get("room_members.jsonl", [])):
        person = users.get(row.get("user_id"))
        if person is None:
            continue
        probe = User(role=person.get("role"), job_type=person.get("job_type"),
                     status=UserStatus.active)
        probe.office = Office(kind=offices.get(person.get("office_id"), {}).get("kind", ""))
        problem = member_problem(probe, require_active=False)
        if problem is not None:
            ja, en = PROBLEMS[problem]
            report.add("room_members.jsonl", copy.extra["room_members.jsonl"][index]["_row"],
                       "userId", "member_not_eligible", ja + "。", en + ".")
    patients = {row["id"]: row for row in copy.rows.get("patients.jsonl", [])}
    for index, row in enumerate(copy.rows.get("rooms.jsonl", [])):
        patient = patients.get(row.get("patient_id"))
        if not row.get("label") or patient is None:
            continue
        try:
            check_label(row["label"], patient.get("name", ""), patient.get("name_kana", ""))
        except InvalidInput as exc:
            report.add("rooms.jsonl", copy.extra["rooms.jsonl"][index]["_row"], "label",
                       exc.code, exc.message_ja, exc.message_en)


async def installation_is_empty(session: AsyncSession) -> bool:
    for model in (Office, User, Patient, Room, AuditEvent):
        found = await session.scalar(select(func.count()).select_from(model))
        if found:
            return False
    return True


@dataclass(frozen=True)
class LoadResult:
    report: Report
    applied: bool
    files: int = 0


async def load_copy(
    session: AsyncSession,
    settings: Settings,
    source: Path,
    *,
    now: dt.datetime,
    actor: Actor,
    dry_run: bool,
    progress: Progress | None = None,
) -> LoadResult:
    """Check the copy; unless `dry_run` and when nothing is wrong, load it in one transaction.

    The caller has begun the write transaction (`begin_write`) and commits on success.
    """
    progress = progress or Progress()
    report = Report()
    try:
        if not await installation_is_empty(session):
            report.add(str(source), None, None, "not_empty",
                       "取り込み先が空ではありません。carebook の書き出しは、事業所・利用者・"
                       "患者・部屋・アクセスログのない新しい環境にだけ読み込めます。",
                       "The installation is not empty: a carebook export loads only into a "
                       "new installation without offices, users, patients, rooms or audit log.")
            return LoadResult(report, applied=False)
        copy = _read(source, report, progress)
        if copy.rows:  # the files were whole: check what they say, even past bad values
            _check_references(copy, report)
            _check_rules(copy, report)
    except TooManyProblems:
        return LoadResult(report, applied=False)
    for kind in fmt.KINDS:
        report.created[kind.file.removesuffix(".jsonl")] = len(copy.rows.get(kind.file, []))
    if dry_run or not report.ok:
        return LoadResult(report, applied=False)
    await _write(session, copy, progress, now)
    files = _copy_files(settings, source, copy.files)
    await audit.record(
        session, at=now, actor=actor, action="import.copy_loaded", target_type="installation",
        details={"counts": {k: v for k, v in report.created.items()}, "files": files},
    )
    return LoadResult(report, applied=True, files=files)


async def _insert(session: AsyncSession, kind: fmt.Kind, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(kind.table), rows[start : start + CHUNK])


async def _write(session: AsyncSession, copy: _Copy, progress: Progress,
                 now: dt.datetime) -> None:
    progress.begin("writing", sum(len(rows) for rows in copy.rows.values()))
    rows = copy.rows
    post_links: list[tuple[uuid.UUID, uuid.UUID]] = []
    merged: list[tuple[uuid.UUID, uuid.UUID]] = []
    versions: dict[str, int] = {}
    members: set[uuid.UUID] = set()
    for kind in fmt.KINDS:
        batch = rows.get(kind.file, [])
        if kind.table_name == "invitation":
            # The old links stay behind: a fresh random hash that no link will ever match.
            batch = [r | {"token_hash": secrets.token_hex(32)} for r in batch]
        if kind.table_name == "office":
            # An office merged into another names it: linked once every office exists.
            merged = [(r["id"], r["merged_into_id"]) for r in batch if r.get("merged_into_id")]
            batch = [r | {"merged_into_id": None} for r in batch]
        if kind.table_name == "attachment":
            # Linked to their posts once the posts exist (a post names its attachments too).
            post_links = [(r["id"], r["post_id"]) for r in batch if r.get("post_id")]
            batch = [r | {"post_id": None} for r in batch]
        if kind.entity is None or kind.entity == EntityType.patient:
            await _insert(session, kind, batch)
        elif kind.entity == EntityType.room:
            await _insert(session, kind, [r | {"version": 0} for r in batch])
            for room in batch:
                for entity, entity_id in ((EntityType.room, room["id"]),
                                          (EntityType.patient, room["patient_id"])):
                    await record_change(session, room_id=room["id"], entity_type=entity,
                                        entity_id=entity_id, op=Op.put, at=now)
        else:
            await _insert(session, kind, await _versioned(session, copy, kind, batch, versions,
                                                          members, now))
        if kind.table_name == "post":
            await _link_attachments(session, post_links)
        if kind.table_name == "office":
            table = kind.table
            for office_id, target in merged:
                await session.execute(update(table).where(table.c.id == office_id)
                                      .values(merged_into_id=target))
        progress.advance(len(batch))
    for user_id in sorted(members):
        await bump_membership_version(session, user_id)


async def _versioned(session: AsyncSession, copy: _Copy, kind: fmt.Kind,
                     batch: list[dict[str, Any]], versions: dict[str, int],
                     members: set[uuid.UUID], now: dt.datetime) -> list[dict[str, Any]]:
    """The rows with their room versions: per room, in the copy's order, one bump each room."""
    assert kind.entity is not None
    by_room: dict[Any, list[int]] = defaultdict(list)
    for index, row in enumerate(batch):
        by_room[row["room_id"]].append(index)
    out: list[dict[str, Any]] = [dict(row) for row in batch]
    for room_id, indexes in by_room.items():
        changes = []
        for index in indexes:
            row = batch[index]
            entity_id = row[kind.entity_key]
            deleted = row.get("deleted_at") is not None
            changes.append((kind.entity, entity_id, Op.delete if deleted else Op.put))
        numbers = await record_changes(session, room_id=room_id, changes=changes, at=now)
        for index, version in zip(indexes, numbers, strict=True):
            values = out[index]
            values["version"] = version
            if kind.position is not None:
                column, name = kind.position
                through = copy.extra[kind.file][index].get(name)
                values[column] = versions.get(str(through), 0) if through else 0
            if kind.entity == EntityType.post:
                versions[str(values["id"])] = version
            if kind.entity == EntityType.member:
                members.add(values["user_id"])
                queue_stay(session, values["id"])  # stamped with the stream position at commit
    return out


async def _link_attachments(session: AsyncSession,
                            links: list[tuple[uuid.UUID, uuid.UUID]]) -> None:
    table = fmt.kind_of("attachments.jsonl").table
    by_post: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for attachment_id, post_id in links:
        by_post[post_id].append(attachment_id)
    for post_id, ids in by_post.items():
        await session.execute(update(table).where(table.c.id.in_(ids)).values(post_id=post_id))


def _copy_files(settings: Settings, source: Path, files: dict[str, str]) -> int:
    """Put the attachment bytes in the store (content-addressed: an existing file is the same)."""
    store = BlobStore(settings.attachments_dir)
    count = 0
    for relative, sha256 in files.items():
        if not relative.startswith(fmt.ATTACHMENTS_DIR + "/"):
            continue
        target = store.path_for(sha256)
        if not target.exists():
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            shutil.copyfile(source / relative, target)
            target.chmod(0o600)
        count += 1
    return count
