"""Correcting a patient's details: by the city, or by the room's care manager.

The care manager (介護支援専門員) keeps the care plan and is the first to
learn of a new care level, a move or a new 主治医, so a care manager who is a
writing member of the open room may correct the same fields as the city.

Why an online API call and not a sync mutation: a correction changes the
record every member relies on (the 被保険者番号 on forms, the address a nurse
drives to), so it must be checked and take effect at one moment on the
server, where the city may have corrected the same field minutes before; an
offline edit replayed hours later would silently undo that, and there is no
safe merge of two addresses. The change still reaches every member's device
through sync: it is recorded as a `patient` change in the room's stream.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Patient, Room
from store.models.enums import CARE_LEVEL_LABELS, CareLevel, JobType
from store.writer import begin_write
from sync.changes import EntityType, Op, record_change

from ..auth.context import AuthContext
from ..auth.roles import require_admin
from ..contact_book.room_access import require_writer
from ..errors import Forbidden, InvalidInput, NotFound
from .common import record
from .correction_schemas import PatientCorrectionIn
from .history import note_changes

# wire name → column
FIELDS: dict[str, str] = {
    "careLevel": "care_level",
    "insuredNumber": "insured_number",
    "postalCode": "postal_code",
    "address": "address",
    "phone": "phone",
    "attendingPhysician": "attending_physician",
    "emergencyContactName": "emergency_contact_name",
    "emergencyContactRelationship": "emergency_contact_relationship",
    "emergencyContactPhone": "emergency_contact_phone",
}


def _wanted(data: PatientCorrectionIn) -> dict[str, str]:
    values: dict[str, str | None] = {
        "careLevel": data.care_level.value if data.care_level else None,
        "insuredNumber": data.insured_number,
        "postalCode": data.postal_code,
        "address": data.address.strip() if data.address is not None else None,
        "phone": data.phone,
        "attendingPhysician": data.attending_physician.strip()
        if data.attending_physician is not None
        else None,
        "emergencyContactName": data.emergency_contact_name.strip()
        if data.emergency_contact_name is not None
        else None,
        "emergencyContactRelationship": data.emergency_contact_relationship.strip()
        if data.emergency_contact_relationship is not None
        else None,
        "emergencyContactPhone": data.emergency_contact_phone,
    }
    wanted = {k: v for k, v in values.items() if v is not None}
    if not wanted:
        raise InvalidInput(
            "訂正する項目を指定してください。",
            "Name at least one field to correct.",
            code="nothing_to_correct",
        )
    return wanted


def _shown(field: str, value: str) -> str:
    if field == "careLevel":
        try:
            return CARE_LEVEL_LABELS[CareLevel(value)]
        except ValueError:
            return value
    return value


async def correct_patient(
    session: AsyncSession, ctx: AuthContext, room: Room, data: PatientCorrectionIn
) -> list[str]:
    """Apply, record for sync, keep the history and audit; returns the changed fields.

    The caller has begun the write transaction and commits.
    """
    wanted = _wanted(data)
    patient = await session.get(Patient, room.patient_id, populate_existing=True)
    assert patient is not None
    before = {f: _shown(f, getattr(patient, FIELDS[f])) for f in wanted}
    after = {f: _shown(f, v) for f, v in wanted.items()}
    changed = await note_changes(
        session, ctx, "patient", patient.id, before, after, note=data.note
    )
    if not changed:
        return []
    for field in changed:
        setattr(patient, FIELDS[field], wanted[field])
    await session.flush()
    await record_change(
        session,
        room_id=room.id,
        entity_type=EntityType.patient,
        entity_id=patient.id,
        op=Op.put,
        at=ctx.now,
    )
    await record(
        session,
        ctx,
        "patient.corrected",
        target_type="patient",
        target_id=patient.id,
        room_id=room.id,
        patient_id=patient.id,
        fields=changed,
    )
    return changed


async def _room(session: AsyncSession, room_id: uuid.UUID) -> Room:
    room = await session.get(Room, room_id, populate_existing=True)
    if room is None:
        raise NotFound("部屋が見つかりません。", "Room not found.", code="room_not_found")
    return room


class CityPatientCorrections:
    def __init__(self, session: AsyncSession, ctx: AuthContext) -> None:
        require_admin(ctx)
        self.session = session
        self.ctx = ctx

    async def correct(self, room_id: uuid.UUID, data: PatientCorrectionIn) -> list[str]:
        _wanted(data)
        await begin_write(self.session)
        room = await _room(self.session, room_id)
        changed = await correct_patient(self.session, self.ctx, room, data)
        await self.session.commit()
        return changed


class CareManagerPatientCorrections:
    """The room's care manager, online, from the patient page of the PWA."""

    def __init__(self, session: AsyncSession, ctx: AuthContext) -> None:
        assert ctx.user is not None
        self.session = session
        self.ctx = ctx
        self.user = ctx.user

    async def correct(self, room_id: uuid.UUID, data: PatientCorrectionIn) -> list[str]:
        _wanted(data)
        await begin_write(self.session)
        # Not a member: 404, the same answer as a room that does not exist.
        await require_writer(self.session, self.user, room_id)
        if self.user.job_type != JobType.care_manager:
            raise Forbidden(
                "患者情報の訂正は部屋のケアマネジャー（介護支援専門員）と市が行えます。",
                "Only the room's care manager and the city can correct the patient's details.",
                code="care_manager_only",
            )
        room = await _room(self.session, room_id)
        changed = await correct_patient(self.session, self.ctx, room, data)
        await self.session.commit()
        return changed
