"""A room's record, as it leaves carebook: the patient, the care team, the posts with their
comments, vitals, photos and documents (listed by name: a PDF is never shown inline), for a
whole room or a date range of it.

One read model serves the printed record, the vitals CSV and the FHIR bundle, so the
three never disagree. Who may take it out is decided in `access.py`; every taking-out
is audited there.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import (
    Attachment,
    Comment,
    Consent,
    Office,
    Patient,
    Post,
    ReportTitle,
    Room,
    RoomMember,
    User,
)
from store.models.enums import AttachmentKind
from sync.attention import ranges_of_room
from sync.thresholds import Range

from ..admin.common import start_of_day_jst


@dataclass(frozen=True)
class Person:
    id: uuid.UUID
    name: str
    name_kana: str
    job_type: str
    office_id: uuid.UUID | None
    office_name: str
    office_kind: str


@dataclass(frozen=True)
class RecordComment:
    id: uuid.UUID
    author_id: uuid.UUID
    body: str
    created_at: datetime


@dataclass(frozen=True)
class RecordDocument:
    """A PDF a post carries, as the post described it: name, pages, size."""

    id: uuid.UUID
    name: str
    pages: int
    size: int


@dataclass(frozen=True)
class RecordPost:
    id: uuid.UUID
    author_id: uuid.UUID
    title: str
    kind: str
    body: str
    urgent: bool
    vitals: dict[str, Any] | None
    #: The flags kept with the post when it was written (the thresholds then), never
    #: recomputed: the printed chart marks what every member was shown.
    vitals_flags: dict[str, str] | None
    attachment_ids: list[uuid.UUID]
    created_at: datetime
    edited_at: datetime | None
    imported: bool
    comments: list[RecordComment] = field(default_factory=list)
    documents: list[RecordDocument] = field(default_factory=list)


@dataclass(frozen=True)
class RecordMember:
    user_id: uuid.UUID
    permission: str
    joined_at: datetime
    left_at: datetime | None


@dataclass
class RoomRecord:
    room: Room
    patient: Patient
    consent: Consent | None
    members: list[RecordMember]
    people: dict[uuid.UUID, Person]
    posts: list[RecordPost]
    photos: dict[uuid.UUID, Attachment]
    since: date | None
    until: date | None
    #: The normal ranges in force for the patient now, drawn as the chart's bands.
    ranges: dict[str, Range] = field(default_factory=dict)


async def load_record(session: AsyncSession, room_id: uuid.UUID, *, since: date | None = None,
                      until: date | None = None) -> RoomRecord | None:
    """The room's live posts (oldest first) between the two days (in Japan), inclusive."""
    found = (await session.execute(
        select(Room, Patient).join(Patient, Patient.id == Room.patient_id)
        .where(Room.id == room_id))).first()
    if found is None:
        return None
    room, patient = found
    consent = await session.scalar(
        select(Consent).where(Consent.patient_id == patient.id)
        .order_by(Consent.recorded_at.desc()).limit(1))
    stays = list(await session.scalars(
        select(RoomMember).where(RoomMember.room_id == room.id).order_by(RoomMember.joined_at)))
    titles: dict[uuid.UUID, str] = {
        row[0]: row[1] for row in (await session.execute(
            select(ReportTitle.id, ReportTitle.name).where(ReportTitle.room_id == room.id))).all()
    }
    stmt = select(Post).where(Post.room_id == room.id, Post.deleted_at.is_(None))
    if since is not None:
        stmt = stmt.where(Post.created_at >= start_of_day_jst(since))
    if until is not None:
        stmt = stmt.where(Post.created_at < start_of_day_jst(until + timedelta(days=1)))
    posts = list(await session.scalars(stmt.order_by(Post.created_at, Post.version)))
    post_ids = [p.id for p in posts]
    comments: dict[uuid.UUID, list[RecordComment]] = {}
    if post_ids:
        for c in await session.scalars(
            select(Comment).where(Comment.post_id.in_(post_ids), Comment.deleted_at.is_(None))
            .order_by(Comment.created_at, Comment.version)
        ):
            comments.setdefault(c.post_id, []).append(
                RecordComment(c.id, c.author_id, c.body, c.created_at))
    photo_ids = {uuid.UUID(str(a)) for p in posts for a in (p.attachment_ids or [])}
    photos = {a.id: a for a in await session.scalars(
        select(Attachment).where(Attachment.id.in_(photo_ids),
                                 Attachment.kind == AttachmentKind.photo))} if photo_ids else {}
    author_ids = {p.author_id for p in posts} | {c.author_id for cs in comments.values()
                                                 for c in cs} | {s.user_id for s in stays}
    people: dict[uuid.UUID, Person] = {}
    if author_ids:
        rows = await session.execute(
            select(User.id, User.name, User.name_kana, User.job_type, User.office_id,
                   Office.name, Office.kind)
            .outerjoin(Office, Office.id == User.office_id).where(User.id.in_(author_ids)))
        for row in rows.all():
            people[row[0]] = Person(row[0], row[1], row[2], row[3], row[4], row[5] or "",
                                    row[6] or "")
    return RoomRecord(
        room=room, patient=patient, consent=consent,
        members=[RecordMember(s.user_id, s.permission, s.joined_at, s.left_at) for s in stays],
        people=people,
        posts=[RecordPost(
            id=p.id, author_id=p.author_id, title=titles.get(p.report_title_id, "")
            if p.report_title_id else "", kind=p.kind, body=p.body, urgent=p.urgent,
            vitals=dict(p.vitals) if p.vitals else None,
            vitals_flags=dict(p.vitals_flags) if p.vitals_flags else None,
            attachment_ids=[uuid.UUID(str(a)) for a in p.attachment_ids or []],
            created_at=p.created_at, edited_at=p.edited_at, imported=p.import_key is not None,
            comments=comments.get(p.id, []),
            documents=[RecordDocument(uuid.UUID(str(d["id"])), str(d["name"]), int(d["pages"]),
                                      int(d["size"])) for d in p.documents or []],
        ) for p in posts],
        photos=photos, since=since, until=until,
        ranges=await ranges_of_room(session, room.id),
    )
