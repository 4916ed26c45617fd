"""Who may take a room's record out of carebook, and the audit trail of every taking-out.

- The room's current members: the printed record, the vitals CSV, the FHIR bundle, for the
  whole room or a date range, audited per export (`record.printed`, `record.vitals_csv`,
  `record.fhir`), with the room, the patient and how many posts went out.
- The city's clerks do not read contact books (SECURITY.md 18). When a closed room's record
  must be kept or handed over (a disclosure request, a court, the end of the programme), a
  clerk takes it through a break-glass step: a written reason, for a closed room only,
  audited (`record.break_glass`, with the reason), and shown to the room's members — in
  the room itself (`breakGlassLog`) and by mail.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import AuditEvent, RoomMember, User
from store.models.enums import RoomStatus
from store.writer import begin_write

from ..admin.common import deliver, jst_text
from ..admin.rooms import room_name
from ..audit import service as audit
from ..auth.context import AuthContext
from ..auth.roles import require_admin
from ..contact_book.blob_store import BlobStore
from ..contact_book.room_access import require_reader
from ..errors import Conflict, InvalidInput, NotFound
from ..mail import templates
from ..mail.service import Mailer
from .record import RoomRecord, load_record

PURPOSES = {"print": ("record.printed", "印刷用の記録"),
            "csv": ("record.vitals_csv", "バイタルのCSV"),
            "fhir": ("record.fhir", "FHIR（JP-Core）")}
BREAK_GLASS = "record.break_glass"
MIN_REASON = 10


@dataclass(frozen=True)
class BreakGlassEntry:
    at: Any
    admin_name: str
    reason: str
    purpose: str


def _check_range(since: date | None, until: date | None) -> None:
    if since is not None and until is not None and until < since:
        raise InvalidInput("期間の終わりが始まりより前です。", "The range ends before it starts.",
                           code="invalid_range")


async def _audit(session: AsyncSession, ctx: AuthContext, action: str, record_: RoomRecord,
                 **details: Any) -> None:
    await audit.record(
        session, at=ctx.now, actor=ctx.actor, action=action, target_type="room",
        target_id=record_.room.id, room_id=record_.room.id, patient_id=record_.patient.id,
        details={"posts": len(record_.posts),
                 "from": record_.since.isoformat() if record_.since else None,
                 "to": record_.until.isoformat() if record_.until else None, **details},
    )


class RecordAccess:
    def __init__(self, session: AsyncSession, ctx: AuthContext, settings_mailer: Mailer) -> None:
        self.session = session
        self.ctx = ctx
        self.mailer = settings_mailer

    async def for_member(self, room_id: uuid.UUID, purpose: str, since: date | None,
                         until: date | None) -> RoomRecord:
        """A current member's export of the room (read and audited in one transaction)."""
        assert self.ctx.user is not None
        _check_range(since, until)
        await begin_write(self.session)
        await require_reader(self.session, self.ctx.user, room_id)
        found = await load_record(self.session, room_id, since=since, until=until)
        assert found is not None  # require_reader found the room
        await _audit(self.session, self.ctx, PURPOSES[purpose][0], found)
        await self.session.commit()
        return found

    async def break_glass(self, room_id: uuid.UUID, purpose: str, reason: str,
                          since: date | None, until: date | None) -> RoomRecord:
        """A clerk's export of a closed room, with a written reason the members will see."""
        admin = require_admin(self.ctx)
        _check_range(since, until)
        reason = reason.strip()
        if len(reason) < MIN_REASON:
            raise InvalidInput(
                f"出力の理由を{MIN_REASON}文字以上で具体的に書いてください（部屋の参加者に"
                "表示されます）。",
                f"Write the reason in at least {MIN_REASON} characters (the room's members "
                "will see it).", code="reason_required")
        await begin_write(self.session)
        found = await load_record(self.session, room_id, since=since, until=until)
        if found is None:
            raise NotFound("部屋が見つかりません。", "Room not found.", code="room_not_found")
        if found.room.status != RoomStatus.closed:
            raise Conflict(
                "開いている部屋の記録は、部屋の参加者が出力します。",
                "An open room's record is taken out by its members.", code="room_open")
        await _audit(self.session, self.ctx, BREAK_GLASS, found, reason=reason[:500],
                     purpose=purpose)
        members = list(await self.session.scalars(
            select(User).join(RoomMember, RoomMember.user_id == User.id)
            .where(RoomMember.room_id == room_id, RoomMember.left_at.is_(None))))
        await self.session.commit()
        letters = [templates.record_taken_out(
            m.email, name=m.name, room_name=room_name(found.room), admin_name=admin.name,
            when=jst_text(self.ctx.now), purpose_label=PURPOSES[purpose][1],
        ) for m in members if m.email]
        await deliver(self.mailer, letters)
        return found

    async def break_glass_log(self, room_id: uuid.UUID) -> list[BreakGlassEntry]:
        """For the room's members: every time the city took the record out, and why."""
        assert self.ctx.user is not None
        await require_reader(self.session, self.ctx.user, room_id)
        events = list(await self.session.scalars(
            select(AuditEvent).where(AuditEvent.room_id == room_id,
                                     AuditEvent.action == BREAK_GLASS)
            .order_by(AuditEvent.seq)))
        names: dict[uuid.UUID | None, str] = {}
        if events:
            rows = await self.session.execute(select(User.id, User.name).where(
                User.id.in_({e.actor_id for e in events if e.actor_id})))
            names = {row[0]: row[1] for row in rows.all()}
        entries = [BreakGlassEntry(e.at, names.get(e.actor_id, e.actor_login or ""),
                                   str(e.details.get("reason", "")),
                                   PURPOSES.get(str(e.details.get("purpose")), ("", ""))[1])
                   for e in events]
        await self.session.rollback()
        return entries


def thumbnails(record_: RoomRecord, store: BlobStore) -> dict[uuid.UUID, str]:
    """The photos' thumbnails as data: URIs, so the printed record needs nothing else."""
    out = {}
    for attachment in record_.photos.values():
        sha = attachment.thumb_sha256 or attachment.sha256
        path = store.path_for(sha)
        if path.is_file():
            kind = "image/jpeg" if attachment.thumb_sha256 else attachment.content_type
            out[attachment.id] = f"data:{kind};base64," + base64.b64encode(
                path.read_bytes()).decode()
    return out

