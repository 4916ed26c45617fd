"""A patient's access log: who read or wrote their room, when, and from which device.

For disclosure requests (開示請求) and incidents the city must say who saw a patient's
record. The audit log already holds one event per read and write, tagged with the room
and the patient; this view lists them with the person's name, office and device — and
never what was written (the audit log carries ids and counts, never post text). Looking
at the log is itself an event of the log.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import db
from ..auth.context import AuthContext
from ..errors import InvalidInput, NotFound
from ..models import AuditEvent, Device, Room
from .common import JST, job_label, record, require_admin, room_refs, users_by_id
from .schemas import AccessLogEntryOut, AccessLogOut

ACTION_LABELS: dict[str, str] = {
    "sync.pull": "閲覧（端末への同期）",
    "post.create": "投稿",
    "post.edit": "投稿の編集",
    "post.delete": "投稿の削除",
    "comment.create": "コメント",
    "comment.delete": "コメントの削除",
    "receipt.mark": "既読",
    "post.search": "連絡帳の検索",
    "post.readers": "既読者の確認",
    "attachment.view": "写真・文書の閲覧",
    "attachment.upload": "写真・文書の追加",
    "admin.room_opened": "部屋の作成（管理者）",
    "admin.room_viewed": "部屋の設定の閲覧（管理者）",
    "admin.member_added": "参加者の追加（管理者）",
    "admin.member_removed": "参加者の削除（管理者）",
    "admin.member_permission_changed": "閲覧権限の変更（管理者）",
    "admin.report_titles_set": "ケアレポート標題の設定（管理者）",
    "admin.room_label_set": "部屋名の設定（管理者）",
    "admin.room_closed": "部屋の終了（管理者）",
    "admin.form_printed": "様式の印刷（管理者）",
    "admin.access_log_viewed": "アクセスログの閲覧（管理者）",
}
WRITES = {
    "post.create", "post.edit", "post.delete", "comment.create", "comment.delete",
    "attachment.upload",
}


def action_kind(action: str) -> str:
    """read | write | admin: how the log screen groups an event."""
    if action.startswith("admin."):
        return "admin"
    return "write" if action in WRITES else "read"


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), JST)


class AccessLog:
    def __init__(self, session: AsyncSession, ctx: AuthContext) -> None:
        require_admin(ctx)
        self.session = session
        self.ctx = ctx

    async def for_room(
        self,
        room_id: uuid.UUID,
        *,
        since: date | None,
        until: date | None,
        before: int | None,
        limit: int,
    ) -> AccessLogOut:
        room = await self.session.get(Room, room_id)
        if room is None:
            raise NotFound("部屋が見つかりません。", "Room not found.", code="room_not_found")
        if since is not None and until is not None and until < since:
            raise InvalidInput(
                "期間の終わりが始まりより前です。",
                "The end of the period is before its start.",
                code="period_reversed",
            )
        stmt = (
            select(AuditEvent)
            .where(
                or_(AuditEvent.room_id == room.id, AuditEvent.patient_id == room.patient_id)
            )
            .order_by(AuditEvent.seq.desc())
            .limit(limit + 1)
        )
        if since is not None:
            stmt = stmt.where(AuditEvent.at >= _day_start(since))
        if until is not None:
            stmt = stmt.where(AuditEvent.at < _day_start(until + timedelta(days=1)))
        if before is not None:
            stmt = stmt.where(AuditEvent.seq < before)
        events = list(await self.session.scalars(stmt))
        more = len(events) > limit
        events = events[:limit]
        entries = await self._entries(events)
        patient_id = room.patient_id
        refs = await room_refs(self.session, [room.id])
        out = AccessLogOut(
            room=refs[room.id],
            entries=entries,
            next_before=events[-1].seq if more and events else None,
        )
        # The look at the log goes into the log, in its own transaction.
        await self.session.rollback()
        await db.begin_write(self.session)
        await record(
            self.session,
            self.ctx,
            "admin.access_log_viewed",
            target_type="room",
            target_id=room_id,
            room_id=room_id,
            patient_id=patient_id,
            count=len(entries),
            since=since.isoformat() if since else None,
            until=until.isoformat() if until else None,
        )
        await self.session.commit()
        return out

    async def _entries(self, events: list[AuditEvent]) -> list[AccessLogEntryOut]:
        people = await users_by_id(self.session, {e.actor_id for e in events if e.actor_id})
        keys = {e.device_key for e in events if e.device_key}
        devices: dict[str, Device] = {}
        if keys:
            rows = await self.session.scalars(select(Device).where(Device.device_key.in_(keys)))
            devices = {d.device_key: d for d in rows}
        out = []
        for e in events:
            person = people.get(e.actor_id) if e.actor_id else None
            device = devices.get(e.device_key) if e.device_key else None
            details: dict[str, Any] = e.details or {}
            count = details.get("count")
            out.append(
                AccessLogEntryOut(
                    seq=e.seq,
                    at=e.at,
                    action=e.action,
                    action_label=ACTION_LABELS.get(e.action, e.action),
                    kind=action_kind(e.action),
                    outcome=e.outcome,
                    target_type=e.target_type,
                    count=count if isinstance(count, int) else None,
                    actor_id=e.actor_id,
                    actor_login=e.actor_login,
                    actor_name=person.name if person else None,
                    actor_job_type_label=job_label(person.job_type) if person else None,
                    actor_office_name=person.office.name if person and person.office else None,
                    ip=e.ip,
                    device_id=device.id if device else None,
                    device_label=device.label if device else None,
                )
            )
        return out
