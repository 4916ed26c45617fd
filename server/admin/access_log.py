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

from store.models import AuditEvent, Device, Room
from store.writer import begin_write

from ..auth.context import AuthContext
from ..auth.roles import require_admin
from ..errors import InvalidInput, NotFound
from ..spreadsheet import excel_csv
from .common import JST, job_label, record, room_refs, users_by_id
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
    "admin.access_log_exported": "アクセスログのCSV出力（管理者）",
}
OUTCOME_LABELS = {"ok": "成功", "refused": "拒否", "failure": "失敗"}
KIND_LABELS = {"read": "閲覧", "write": "書込", "admin": "管理"}  # as on the screen
CSV_HEADERS = (
    "日時",
    "ログインID",
    "氏名",
    "事業所",
    "職種",
    "区分",
    "操作",
    "件数",
    "結果",
    "端末",
    "端末ID",
    "IPアドレス",
)
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


def _csv_row(e: AccessLogEntryOut) -> tuple[str, ...]:
    return (
        e.at.astimezone(JST).strftime("%Y-%m-%d %H:%M:%S"),
        e.actor_login or "",
        e.actor_name or "",
        e.actor_office_name or "",
        e.actor_job_type_label or "",
        KIND_LABELS[e.kind],
        e.action_label,
        str(e.count) if e.count is not None else "",
        OUTCOME_LABELS.get(e.outcome, e.outcome),
        e.device_label or "",
        str(e.device_id) if e.device_id else "",
        e.ip or "",
    )


class AccessLog:
    def __init__(self, session: AsyncSession, ctx: AuthContext) -> None:
        require_admin(ctx)
        self.session = session
        self.ctx = ctx

    async def _room(self, room_id: uuid.UUID, since: date | None, until: date | None) -> Room:
        room = await self.session.get(Room, room_id)
        if room is None:
            raise NotFound("部屋が見つかりません。", "Room not found.", code="room_not_found")
        if since is not None and until is not None and until < since:
            raise InvalidInput(
                "期間の終わりが始まりより前です。",
                "The end of the period is before its start.",
                code="period_reversed",
            )
        return room

    async def _events(
        self,
        room: Room,
        *,
        since: date | None,
        until: date | None,
        before: int | None = None,
        limit: int | None = None,
    ) -> list[AuditEvent]:
        """The room's and its patient's events in the period, newest first."""
        stmt = (
            select(AuditEvent)
            .where(
                or_(AuditEvent.room_id == room.id, AuditEvent.patient_id == room.patient_id)
            )
            .order_by(AuditEvent.seq.desc())
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        if since is not None:
            stmt = stmt.where(AuditEvent.at >= _day_start(since))
        if until is not None:
            stmt = stmt.where(AuditEvent.at < _day_start(until + timedelta(days=1)))
        if before is not None:
            stmt = stmt.where(AuditEvent.seq < before)
        return list(await self.session.scalars(stmt))

    async def _record_look(
        self, action: str, room: Room, count: int, since: date | None, until: date | None
    ) -> None:
        """The look at the log goes into the log, in its own transaction."""
        room_id, patient_id = room.id, room.patient_id
        await self.session.rollback()
        await begin_write(self.session)
        await record(
            self.session,
            self.ctx,
            action,
            target_type="room",
            target_id=room_id,
            room_id=room_id,
            patient_id=patient_id,
            count=count,
            since=since.isoformat() if since else None,
            until=until.isoformat() if until else None,
        )
        await self.session.commit()

    async def for_room(
        self,
        room_id: uuid.UUID,
        *,
        since: date | None,
        until: date | None,
        before: int | None,
        limit: int,
    ) -> AccessLogOut:
        room = await self._room(room_id, since, until)
        events = await self._events(room, since=since, until=until, before=before,
                                    limit=limit + 1)
        more = len(events) > limit
        events = events[:limit]
        entries = await self._entries(events)
        refs = await room_refs(self.session, [room.id])
        out = AccessLogOut(
            room=refs[room.id],
            entries=entries,
            next_before=events[-1].seq if more and events else None,
        )
        await self._record_look("admin.access_log_viewed", room, len(entries), since, until)
        return out

    async def csv(
        self, room_id: uuid.UUID, *, since: date | None, until: date | None
    ) -> tuple[bytes, str]:
        """The whole period as a spreadsheet for a disclosure request or an incident report,
        oldest first (as a report reads); returns the file and a name for it that does not
        name the patient. The download is itself an event of the log."""
        room = await self._room(room_id, since, until)
        entries = await self._entries(await self._events(room, since=since, until=until))
        entries.reverse()
        body = excel_csv(CSV_HEADERS, (_csv_row(e) for e in entries))
        day = self.ctx.now.astimezone(JST).strftime("%Y%m%d")
        filename = f"access-log-{room.id.hex[-6:].upper()}-{day}.csv"
        await self._record_look("admin.access_log_exported", room, len(entries), since, until)
        return body, filename

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
