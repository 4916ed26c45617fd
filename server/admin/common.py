"""What every part of the city's side shares: who may act, the audit trail, mail after commit,
and the small read-models (user, office, room references) the answers are built from."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Office, Patient, Room, User
from store.models.enums import Permission
from store.writer import begin_write

from ..accounts.refs import job_label as job_label
from ..accounts.refs import office_kind_label as office_kind_label
from ..accounts.refs import user_ref as user_ref
from ..audit import service as audit
from ..auth.context import AuthContext
from ..errors import NotFound
from ..japan import JST as JST  # re-exported: the admin modules take their dates from here
from ..japan import from_western
from ..japan import today_jst as today_jst
from ..mail.service import Mailer
from ..mail.templates import Letter
from .schemas import EraDateOut, OfficeRef, RoomRef

log = logging.getLogger("carebook.admin")

def user_not_found() -> NotFound:
    return NotFound(
        "システム利用者が見つかりません。", "User not found.", code="user_not_found"
    )


def start_of_day_jst(day: date) -> datetime:
    """00:00 Japan time of `day`, as the UTC moment it is (a 停止希望日 takes effect then)."""
    return datetime.combine(day, time(0), JST).astimezone(UTC)


def date_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def jst_text(moment: datetime) -> str:
    local = moment.astimezone(JST)
    return f"{local.year}年{local.month}月{local.day}日 {local.hour:02d}:{local.minute:02d}"


async def record(
    session: AsyncSession,
    ctx: AuthContext,
    action: str,
    *,
    target_type: str,
    target_id: uuid.UUID | str | None,
    room_id: uuid.UUID | None = None,
    patient_id: uuid.UUID | None = None,
    **details: Any,
) -> None:
    """One audit event for one admin action: who (ctx.actor), what, on what, from where."""
    await audit.record(
        session,
        at=ctx.now,
        actor=ctx.actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        room_id=room_id,
        patient_id=patient_id,
        details={k: v for k, v in details.items() if v is not None},
    )


async def record_read(
    session: AsyncSession,
    ctx: AuthContext,
    action: str,
    *,
    target_type: str,
    target_id: uuid.UUID | str | None,
    room_id: uuid.UUID | None = None,
    patient_id: uuid.UUID | None = None,
    **details: Any,
) -> None:
    """An admin's read of patient data, audited in a write of its own (the read's snapshot
    ends first)."""
    if session.in_transaction():
        await session.rollback()
    await begin_write(session)
    await record(
        session,
        ctx,
        action,
        target_type=target_type,
        target_id=target_id,
        room_id=room_id,
        patient_id=patient_id,
        **details,
    )
    await session.commit()


async def deliver(mailer: Mailer, letters: Iterable[Letter]) -> int:
    """Send after the commit; a mail failure is logged, never undoes the committed work.

    Admins can resend an activation link with the password-reset action.
    """
    sent = 0
    for letter in letters:
        if not letter.to:
            continue
        try:
            await mailer.send(letter.to, letter.subject, letter.body)
            sent += 1
        except Exception:
            log.exception("mail %r could not be sent", letter.subject)
    return sent


def permission_label(permission: str) -> str:
    return Permission.label_of(permission)


def office_ref(office: Office) -> OfficeRef:
    return OfficeRef(
        id=office.id, name=office.name, kind=office.kind, kind_label=office_kind_label(office.kind)
    )


def era_out(value: date) -> EraDateOut:
    era = from_western(value)
    return EraDateOut(
        era=era.era.value,
        era_label=era.label,
        year=era.year,
        month=era.month,
        day=era.day,
        text=era.text,
    )


async def users_by_id(session: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, User]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await session.scalars(select(User).where(User.id.in_(wanted)))
    return {user.id: user for user in rows.unique()}


async def room_refs(session: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, RoomRef]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await session.execute(
        select(Room, Patient)
        .join(Patient, Patient.id == Room.patient_id)
        .where(Room.id.in_(wanted))
    )
    return {
        room.id: RoomRef(
            id=room.id,
            label=room.label,
            status=room.status,
            patient_name=patient.name,
            patient_name_kana=patient.name_kana,
        )
        for room, patient in rows.all()
    }


def as_uuid(value: Any) -> uuid.UUID | None:
    if value is None:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
