"""Contact-book history from the previous system: posts and comments, each under its original
author and time, checked as a member's post is checked (the author is a member of the room,
the title is one of the room's, the vitals within the bounds the app accepts).

Imported history is history, not news: it keeps its timestamps and authors, carries the
previous system's key (`import_key`, which also finds it again on a re-run), is never urgent,
sends no push and raises nothing for anyone's attention, and counts as already read by the
room's members. Every row goes through `record_change`, so members' devices receive it with
the normal sync, paged like any room's history.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Comment, Post, ReadReceipt, ReportTitle, Room, RoomMember, User, new_id
from store.models.enums import PostKind
from sync.changes import EntityType, Op, record_change, record_changes
from sync.mutations import MAX_BODY, Vitals

from ..admin.common import record
from .directory import Directory, person_refs
from .progress import Progress
from .rooms import Rooms, ref_key
from .rows import ImportContext, Problems, Row
from .values import CellError, nfkc, parse_moment

CHUNK = 1000  # rows per multi-row insert
VITAL_KEYS = ("systolic", "diastolic", "pulse", "temperature", "spo2", "respiration_rate",
              "weight", "blood_glucose")


@dataclass
class Entry:
    row: Row
    room: Room
    author: User
    at: datetime
    body: str
    key: str
    title_id: uuid.UUID | None = None
    vitals: dict[str, Any] | None = None
    parent_key: str | None = None


def _key(record_id: str, *parts: object) -> str:
    """The previous system's record id, or a digest of what makes the record itself."""
    if record_id and len(record_id) <= 62:
        return f"r:{record_id}"
    digest = hashlib.sha256("|".join(str(p) for p in (record_id, *parts)).encode()).hexdigest()
    return f"h:{digest[:60]}"


def _vitals(row: Row, problems: Problems) -> tuple[bool, dict[str, Any] | None]:
    values: dict[str, Any] = {}
    for key in VITAL_KEYS:
        text = nfkc(row.get(key)).replace(",", ".")
        if not text:
            continue
        try:
            number = float(text)
        except ValueError:
            problems.add(row, key, "invalid_value", "数値で入力してください。", "Not a number.")
            return False, None
        camel = "".join(p.capitalize() if i else p for i, p in enumerate(key.split("_")))
        values[camel] = number if key in ("temperature", "weight") else (
            int(number) if number.is_integer() else number)
    if not values:
        return True, None
    try:
        return True, msgspec.convert(values, Vitals).stored()
    except msgspec.ValidationError as exc:
        field = str(exc).rsplit("$.", 1)[-1].rstrip("`")
        snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in field)
        problems.add(row, snake if snake in VITAL_KEYS else None, "vitals_out_of_range",
                     "バイタルの値が入力できる範囲を外れています。", str(exc))
        return False, None


async def _room_people(session: AsyncSession, room_id: uuid.UUID) -> set[uuid.UUID]:
    """Everyone who ever was a member of the room: history is written by those who were."""
    return set(await session.scalars(select(RoomMember.user_id).where(
        RoomMember.room_id == room_id)))


async def _room_titles(session: AsyncSession, room_id: uuid.UUID) -> dict[str, uuid.UUID]:
    rows = await session.execute(select(ReportTitle.name, ReportTitle.id).where(
        ReportTitle.room_id == room_id))
    return {nfkc(name): title_id for name, title_id in rows.all()}


async def read_history(session: AsyncSession, ctx: ImportContext, rows: list[Row],
                       directory: Directory, rooms: Rooms,
                       problems: Problems) -> list[Entry]:
    people: dict[uuid.UUID, set[uuid.UUID]] = {}
    titles: dict[uuid.UUID, dict[str, uuid.UUID]] = {}
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    for row in rows:
        key = ref_key(row, problems)
        if key is None or key in problems.skipped_patients:
            continue
        room = rooms.by_patient.get(key)
        if room is None:
            problems.add(row, "insured_number" if row.get("insured_number") else "patient_name",
                         "unknown_patient",
                         "この患者の部屋が部屋のファイルにも登録済みの部屋にもありません。",
                         "The patient's room is neither in the room file nor registered.")
            continue
        author = directory.person(row.get("author_login_id"), row.get("author_name"),
                                  row.get("author_office"))
        column = "author_login_id" if row.get("author_login_id") else "author_name"
        if author is None and person_refs(row.get("author_login_id"), row.get("author_name")) \
                & problems.skipped_people:
            continue
        if author is None:
            who = row.get("author_login_id") or row.get("author_name")
            problems.add(row, column, "unknown_user", f"投稿者「{who}」が見つかりません。",
                         f"Unknown author {who!r}.")
            continue
        if room.id not in people:
            people[room.id] = await _room_people(session, room.id)
            titles[room.id] = await _room_titles(session, room.id)
        if author.id not in people[room.id]:
            problems.add(row, column, "author_not_member",
                         f"投稿者「{author.name}」はこの部屋の参加者ではありません。",
                         f"The author {author.name} is not a member of this room.")
            continue
        try:
            at = parse_moment(row.get("at"))
        except CellError as exc:
            problems.cell(row, "at", exc)
            continue
        if at > ctx.now:
            problems.add(row, "at", "future", "日時が未来です。", "The time lies in the future.")
            continue
        body = row.get("body")
        if len(body) > MAX_BODY:
            problems.add(row, "body", "invalid_value", f"本文は{MAX_BODY}文字以内です。",
                         f"At most {MAX_BODY} characters.")
            continue
        reply_to = nfkc(row.get("reply_to"))
        ok, vitals = _vitals(row, problems)
        if not ok:
            continue
        entry = Entry(row, room, author, at, body, "")
        if reply_to:
            entry.parent_key = _key(reply_to, room.id)
            entry.key = _key(nfkc(row.get("record_id")), room.id, entry.parent_key, author.id,
                             at.isoformat(), "comment")
        else:
            title = titles[room.id].get(nfkc(row.get("title")))
            if title is None:
                problems.add(row, "title", "unknown_title",
                             f"標題「{row.get('title')}」はこの部屋のケアレポート標題にありません。",
                             f"No report title {row.get('title')!r} in this room.")
                continue
            entry.title_id, entry.vitals = title, vitals
            entry.key = _key(nfkc(row.get("record_id")), room.id, author.id, at.isoformat(),
                             row.get("title"))
        scoped = f"{room.id}:{entry.key}"
        if scoped in seen:
            problems.add(row, "record_id", "duplicate_record",
                         f"同じ記録が{seen[scoped]}行目にもあります。",
                         f"The same record is on row {seen[scoped]} too.")
            continue
        seen[scoped] = row.number
        entries.append(entry)
    return entries


async def import_history(session: AsyncSession, ctx: ImportContext, entries: list[Entry],
                         problems: Problems, progress: Progress) -> None:
    by_room: dict[uuid.UUID, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_room[entry.room.id].append(entry)
    progress.begin("history", len(entries))
    for items in by_room.values():
        room = items[0].room
        if room.status != "open":
            for entry in items:
                problems.add(entry.row, None, "room_closed",
                             "この部屋は終了しています（履歴は開いている部屋にだけ取り込めます）。",
                             "This room has been closed.")
            continue
        await _import_room(session, ctx, room, items, problems, progress)


async def _import_room(session: AsyncSession, ctx: ImportContext, room: Room,
                       items: list[Entry], problems: Problems, progress: Progress) -> None:
    """Posts first (in time order), then comments: each new row has its room version in that
    order, taken in one bump, and goes in with one multi-row insert."""
    posts = {key: post for key, post in (await session.execute(
        select(Post.import_key, Post).where(Post.room_id == room.id,
                                            Post.import_key.is_not(None)))).all()}
    comments = {key: c for key, c in (await session.execute(
        select(Comment.import_key, Comment).where(Comment.room_id == room.id,
                                                  Comment.import_key.is_not(None)))).all()}
    items.sort(key=lambda e: (e.parent_key is not None, e.at, e.row.number))
    post_ids: dict[str, uuid.UUID] = {key: post.id for key, post in posts.items()}
    new_posts: list[dict[str, Any]] = []
    new_comments: list[dict[str, Any]] = []
    changed: list[Post | Comment] = []
    for entry in items:
        if entry.parent_key is None:
            post = posts.get(entry.key)
            if post is None:
                post_ids[entry.key] = new_id()
                new_posts.append({
                    "id": post_ids[entry.key], "room_id": room.id, "author_id": entry.author.id,
                    "report_title_id": entry.title_id, "kind": PostKind.normal,
                    "body": entry.body, "urgent": False, "vitals": entry.vitals,
                    "attachment_ids": [], "created_at": entry.at, "import_key": entry.key,
                })
                problems.report.created["posts"] += 1
            elif (post.body, post.report_title_id, post.vitals) != (
                    entry.body, entry.title_id, entry.vitals):
                post.body, post.report_title_id, post.vitals = (
                    entry.body, entry.title_id, entry.vitals)
                changed.append(post)
                problems.report.updated["posts"] += 1
            else:
                problems.report.unchanged["posts"] += 1
            continue
        parent = post_ids.get(entry.parent_key)
        if parent is None:
            problems.add(entry.row, "reply_to", "unknown_parent",
                         "返信先の記録がこの部屋にありません。",
                         "The record it replies to is not in this room.")
            continue
        comment = comments.get(entry.key)
        if comment is None:
            new_comments.append({
                "id": new_id(), "post_id": parent, "room_id": room.id,
                "author_id": entry.author.id, "body": entry.body, "created_at": entry.at,
                "import_key": entry.key,
            })
            problems.report.created["comments"] += 1
        elif comment.body != entry.body:
            comment.body = entry.body
            changed.append(comment)
            problems.report.updated["comments"] += 1
        else:
            problems.report.unchanged["comments"] += 1
    await _write(session, ctx, room, Post, EntityType.post, new_posts,
                 [c for c in changed if isinstance(c, Post)])
    await _write(session, ctx, room, Comment, EntityType.comment, new_comments,
                 [c for c in changed if isinstance(c, Comment)])
    progress.advance(len(items))
    if new_posts or new_comments or changed:
        await mark_read(session, ctx, room)
        await record(session, ctx, "import.history_loaded", target_type="room",
                     target_id=room.id, room_id=room.id, patient_id=room.patient_id,
                     created=len(new_posts) + len(new_comments), updated=len(changed))


async def _write(session: AsyncSession, ctx: ImportContext, room: Room,
                 model: type[Post] | type[Comment], entity: EntityType,
                 rows: list[dict[str, Any]], changed: list[Any]) -> None:
    """New rows (in order) and changed ones, each at a room version of its own."""
    versions = await record_changes(
        session, room_id=room.id, at=ctx.now,
        changes=[(entity, row["id"], Op.put) for row in rows]
        + [(entity, row.id, Op.put) for row in changed],
    )
    for row, version in zip(rows, versions, strict=False):
        row["version"] = version
    for row, version in zip(changed, versions[len(rows):], strict=True):
        row.version = version
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(model), rows[start : start + CHUNK])
    await session.flush()


async def mark_read(session: AsyncSession, ctx: ImportContext, room: Room) -> None:
    """Imported history counts as read: each current member's receipt moves up to it."""
    version = int(await session.scalar(select(Room.version).where(Room.id == room.id)) or 0)
    members = list(await session.scalars(select(RoomMember.user_id).where(
        RoomMember.room_id == room.id, RoomMember.left_at.is_(None))))
    postgres = session.get_bind().dialect.name == "postgresql"
    for user_id in members:
        values = {"room_id": room.id, "user_id": user_id, "up_to_version": 0, "version": 0,
                  "updated_at": ctx.now}
        stmt = (pg_insert if postgres else sqlite_insert)(ReadReceipt).values(values)
        await session.execute(stmt.on_conflict_do_nothing())
        receipt = await session.scalar(
            select(ReadReceipt).where(ReadReceipt.room_id == room.id,
                                      ReadReceipt.user_id == user_id)
            .execution_options(populate_existing=True))
        assert receipt is not None
        if receipt.up_to_version >= version:
            continue
        receipt.up_to_version = version
        receipt.updated_at = ctx.now
        receipt.version = await record_change(session, room_id=room.id,
                                              entity_type=EntityType.receipt,
                                              entity_id=user_id, op=Op.put, at=ctx.now)
    await session.flush()
