"""One patient, one room: finding a patient already on record before a second room opens.

A patient back from hospital, or referred again by another office, is often
entered anew; a second room would split the history the team needs. The
same 被保険者番号, or the same name and date of birth, is taken as possibly the
same person; names compare as `patient_match` compares them (spaces and character
width ignored). The clerk decides (reopen the closed room, or open a new one
knowingly).
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Patient, Room

from ..errors import Conflict
from .common import room_refs
from .correction_schemas import DuplicateOut, MatchedOn
from .patient_match import squashed


async def find_duplicates(
    session: AsyncSession, *, name: str, birth_date: date | None, insured_number: str
) -> list[DuplicateOut]:
    conditions = []
    if insured_number:
        conditions.append(Patient.insured_number == insured_number)
    if birth_date is not None:
        conditions.append(Patient.birth_date == birth_date)
    if not conditions:
        return []
    rows = (
        await session.execute(
            select(Patient, Room.id)
            .outerjoin(Room, Room.patient_id == Patient.id)
            .where(or_(*conditions))
        )
    ).all()
    wanted = squashed(name)
    found: list[tuple[Patient, uuid.UUID | None, list[MatchedOn]]] = []
    for patient, room_id in rows:
        matched: list[MatchedOn] = []
        if insured_number and patient.insured_number == insured_number:
            matched.append("insuredNumber")
        if (
            wanted
            and birth_date is not None
            and patient.birth_date == birth_date
            and squashed(patient.name) == wanted
        ):
            matched.append("nameAndBirthDate")
        if matched:
            found.append((patient, room_id, matched))
    refs = await room_refs(session, [r for _, r, _ in found if r is not None])
    return [
        DuplicateOut(
            patient_id=p.id,
            name=p.name,
            name_kana=p.name_kana,
            birth_date=p.birth_date,
            insured_number=p.insured_number,
            matched_on=matched,
            room=refs.get(room_id) if room_id else None,
        )
        for p, room_id, matched in found
    ]


def raise_duplicates(duplicates: list[DuplicateOut]) -> None:
    """409 naming each possible duplicate and its room (open or closed, to reopen)."""
    if not duplicates:
        return
    raise Conflict(
        "同じ患者（利用者）の記録がすでにあります（被保険者番号、または氏名と生年月日が一致）。"
        "終了した部屋であれば再開できます。別人であることを確かめた場合のみ新しい部屋を開設してください。",
        "This patient may already be on record (same insured number, or same name and date of "
        "birth). Reopen their closed room, or open a new room only if they are another person.",
        code="possible_duplicate_patient",
        duplicates=[
            {
                "patientId": str(d.patient_id),
                "name": d.name,
                "birthDate": d.birth_date.isoformat(),
                "matchedOn": d.matched_on,
                "roomId": str(d.room.id) if d.room else None,
                "roomStatus": d.room.status if d.room else None,
                "roomLabel": d.room.label if d.room else None,
            }
            for d in duplicates
        ],
    )
