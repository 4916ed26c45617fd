"""The user ledger (管理簿): every user ever issued, with status and the dates of each change.

The city must know each user's name, job type and office and the counts per
office and job type (the manual's 「水戸市の責務」); it files the ledger as CSV,
UTF-8 with a BOM so that Excel opens the Japanese text correctly. Office
admins see the same rows for their own office only.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import (
    Application,
    ApplicationEvent,
    AuditEvent,
    Office,
    Pledge,
    RoomMember,
    ScheduledStop,
    TermsAcceptance,
    User,
)
from store.models.enums import JobType, Role, StopState, UserStatus
from store.writer import begin_write

from ..auth.context import AuthContext
from ..auth.roles import require_admin, require_office_admin
from ..mail.service import Mailer
from ..spreadsheet import excel_csv
from .common import JST, job_label, record, room_refs, user_not_found
from .help import load_help
from .history_labels import application_event_label, audit_action_label, audit_note
from .scheduled_stops import is_future, schedule_stop, stop_now
from .schemas import CountOut, HistoryOut, LedgerOut, LedgerRow, UserDetailOut

CSV_HEADERS = (
    "ログインID",
    "氏名",
    "フリガナ",
    "職種",
    "事業所名",
    "役割",
    "状態",
    "メールアドレス",
    "電話番号",
    "登録日",
    "利用開始日",
    "停止日",
    "停止予定日",
    "誓約日（様式4-2）",
    "参加中の部屋数",
    "利用規約（同意した版）",
    "利用規約への同意日",
)


@dataclass(frozen=True)
class LedgerFilter:
    q: str | None = None
    office_id: uuid.UUID | None = None
    job_type: JobType | None = None
    role: Role | None = None
    status: UserStatus | None = None
    user_id: uuid.UUID | None = None


async def ledger_rows(session: AsyncSession, f: LedgerFilter) -> list[LedgerRow]:
    pledged = (
        select(Pledge.user_id, func.max(Pledge.accepted_at).label("at"))
        .where(Pledge.form == "4-2", Pledge.user_id.is_not(None))
        .group_by(Pledge.user_id)
        .subquery()
    )
    rooms = (
        select(RoomMember.user_id, func.count().label("n"))
        .where(RoomMember.left_at.is_(None))
        .group_by(RoomMember.user_id)
        .subquery()
    )
    scheduled = (
        select(ScheduledStop.user_id, func.min(ScheduledStop.stop_on).label("on"))
        .where(ScheduledStop.state == StopState.scheduled)
        .group_by(ScheduledStop.user_id)
        .subquery()
    )
    stmt = (
        select(User, Office.name, pledged.c.at, rooms.c.n, scheduled.c.on)
        .outerjoin(Office, Office.id == User.office_id)
        .outerjoin(pledged, pledged.c.user_id == User.id)
        .outerjoin(rooms, rooms.c.user_id == User.id)
        .outerjoin(scheduled, scheduled.c.user_id == User.id)
        .order_by(Office.name_kana, User.name_kana, User.login_id)
    )
    if f.q and f.q.strip():
        q = f.q.strip()
        stmt = stmt.where(
            or_(
                User.name.contains(q, autoescape=True),
                User.name_kana.contains(q, autoescape=True),
                User.login_id.contains(q, autoescape=True),
            )
        )
    if f.office_id is not None:
        stmt = stmt.where(User.office_id == f.office_id)
    if f.job_type is not None:
        stmt = stmt.where(User.job_type == f.job_type)
    if f.role is not None:
        stmt = stmt.where(User.role == f.role)
    if f.status is not None:
        stmt = stmt.where(User.status == f.status)
    if f.user_id is not None:
        stmt = stmt.where(User.id == f.user_id)
    rows = (await session.execute(stmt)).unique().all()
    terms = await _latest_terms(session, [user.id for user, *_ in rows])
    return [
        LedgerRow(
            id=user.id,
            login_id=user.login_id,
            name=user.name,
            name_kana=user.name_kana,
            job_type=user.job_type,
            job_type_label=job_label(user.job_type),
            role=user.role,
            role_label=Role.label_of(user.role),
            status=user.status,
            status_label=UserStatus.label_of(user.status),
            office_id=user.office_id,
            office_name=office_name,
            email=user.email,
            phone=user.phone,
            created_at=user.created_at,
            activated_at=user.activated_at,
            stopped_at=user.stopped_at,
            pledged_at=pledged_at,
            room_count=int(room_count or 0),
            stop_scheduled_on=stop_on,
            visits_homes=user.visits_homes,
            terms_version=terms[user.id][0] if user.id in terms else None,
            terms_accepted_at=terms[user.id][1] if user.id in terms else None,
        )
        for user, office_name, pledged_at, room_count, stop_on in rows
    ]


async def _latest_terms(
    session: AsyncSession, user_ids: list[uuid.UUID]
) -> dict[uuid.UUID, tuple[str, datetime]]:
    """Each user's latest acceptance of the terms of use: (version, when)."""
    if not user_ids:
        return {}
    latest: dict[uuid.UUID, tuple[str, datetime]] = {}
    for user_id, version, at in await session.execute(
        select(TermsAcceptance.user_id, TermsAcceptance.version, TermsAcceptance.accepted_at)
        .where(TermsAcceptance.user_id.in_(user_ids))
        .order_by(TermsAcceptance.accepted_at)
    ):
        latest[user_id] = (version, at)
    return latest


def _counts(rows: list[LedgerRow]) -> tuple[list[CountOut], list[CountOut]]:
    offices = Counter((r.office_id, r.office_name) for r in rows)
    jobs = Counter(r.job_type for r in rows)
    by_office = [
        CountOut(key=str(key) if key else None, label=name or "（所属なし）", count=n)
        for (key, name), n in sorted(offices.items(), key=lambda item: (-item[1], item[0][1] or ""))
    ]
    by_job = [
        CountOut(key=job, label=job_label(job), count=n)
        for job, n in sorted(jobs.items(), key=lambda item: (-item[1], item[0]))
    ]
    return by_office, by_job


def _day(value: object) -> str:
    return value.astimezone(JST).date().isoformat() if isinstance(value, datetime) else ""


def ledger_csv(rows: list[LedgerRow]) -> bytes:
    return excel_csv(
        CSV_HEADERS,
        (
            (
                r.login_id,
                r.name,
                r.name_kana,
                r.job_type_label,
                r.office_name or "",
                r.role_label,
                r.status_label,
                r.email,
                r.phone,
                _day(r.created_at),
                _day(r.activated_at),
                _day(r.stopped_at),
                r.stop_scheduled_on.isoformat() if r.stop_scheduled_on else "",
                _day(r.pledged_at),
                str(r.room_count),
                r.terms_version or "",
                _day(r.terms_accepted_at),
            )
            for r in rows
        ),
    )


class Ledger:
    def __init__(self, session: AsyncSession, ctx: AuthContext, mailer: Mailer) -> None:
        require_admin(ctx)
        self.session = session
        self.ctx = ctx
        self.mailer = mailer

    async def json(self, f: LedgerFilter) -> LedgerOut:
        rows = await ledger_rows(self.session, f)
        by_office, by_job = _counts(rows)
        return LedgerOut(
            total=len(rows),
            users=rows,
            counts_by_office=by_office,
            counts_by_job_type=by_job,
            terms_version=(await load_help(self.session)).terms.version,
        )

    async def csv(self, f: LedgerFilter) -> bytes:
        rows = await ledger_rows(self.session, f)
        await self.session.rollback()
        await begin_write(self.session)
        await record(
            self.session,
            self.ctx,
            "admin.ledger_exported",
            target_type="ledger",
            target_id=None,
            rows=len(rows),
        )
        await self.session.commit()
        return ledger_csv(rows)

    async def user(self, user_id: uuid.UUID) -> UserDetailOut:
        rows = await ledger_rows(self.session, LedgerFilter(user_id=user_id))
        row = rows[0] if rows else None
        if row is None:
            raise user_not_found()
        history = [
            HistoryOut(
                at=e.at,
                action=e.action,
                actor_id=e.actor_id,
                actor_name=e.actor_login,
                note=audit_note(e.action, e.details),
                action_label=audit_action_label(e.action),
            )
            for e in await self.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.target_type == "user", AuditEvent.target_id == str(user_id))
                .order_by(AuditEvent.seq)
            )
        ]
        events = await self.session.execute(
            select(ApplicationEvent, Application.kind)
            .join(Application, Application.id == ApplicationEvent.application_id)
            .where(Application.subject_user_id == user_id)
        )
        history += [
            HistoryOut(
                at=e.at,
                action=f"application.{kind}.{e.action}",
                actor_id=e.actor_id,
                actor_name=None,
                note=e.note,
                action_label=application_event_label(kind, e.action),
            )
            for e, kind in events.all()
        ]
        history.sort(key=lambda h: h.at)
        room_ids = list(
            await self.session.scalars(
                select(RoomMember.room_id).where(
                    RoomMember.user_id == user_id, RoomMember.left_at.is_(None)
                )
            )
        )
        refs = await room_refs(self.session, room_ids)
        return UserDetailOut(user=row, history=history, rooms=list(refs.values()))

    async def stop(self, user_id: uuid.UUID, reason: str, on: date | None = None) -> UserDetailOut:
        """An admin stops an ID directly (e.g. a 様式3 that came on paper): now, or at 00:00
        JST of a 停止希望日 still to come."""
        await begin_write(self.session)
        if is_future(on, self.ctx.now):
            assert on is not None
            await schedule_stop(self.session, self.ctx, user_id, stop_on=on, reason=reason)
        else:
            await stop_now(self.session, self.ctx, user_id, reason=reason)
        await self.session.commit()
        return await self.user(user_id)


class OfficeStaff:
    """An office admin's view of the ledger: their own office's people."""

    def __init__(self, session: AsyncSession, ctx: AuthContext) -> None:
        _user, self.office_id = require_office_admin(ctx)
        self.session = session

    async def staff(self, f: LedgerFilter) -> LedgerOut:
        rows = await ledger_rows(
            self.session,
            LedgerFilter(q=f.q, office_id=self.office_id, job_type=f.job_type, status=f.status),
        )
        by_office, by_job = _counts(rows)
        return LedgerOut(
            total=len(rows),
            users=rows,
            counts_by_office=by_office,
            counts_by_job_type=by_job,
            terms_version=(await load_help(self.session)).terms.version,
        )
