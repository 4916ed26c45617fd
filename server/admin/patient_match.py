"""Finding a patient's room from what an office knows: name, date of birth, 被保険者番号.

Names are compared as people write them: spaces (half or full width) and the width of
characters do not matter, and kana match whether typed in hiragana or katakana. A room
matches on the insured number alone, or on the date of birth together with the name or
the kana. Only the city sees the matches; the office that asked learns nothing of them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Patient, Room

_SPACES = re.compile(r"[\s\u3000]+")
_KATAKANA = re.compile(r"[\u30a1-\u30f6]")


def squashed(text: str) -> str:
    """NFKC, no spaces: 「青木　ハナ」 and 「青木 ﾊﾅ」 compare equal."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


def kana_key(text: str) -> str:
    """Katakana folded to hiragana, after `squashed`."""
    return _KATAKANA.sub(lambda m: chr(ord(m.group()) - 0x60), squashed(text))


@dataclass(frozen=True)
class PatientQuery:
    name: str
    birth_date: date
    insured_number: str = ""
    name_kana: str | None = None


@dataclass(frozen=True)
class Match:
    room: Room
    patient: Patient
    matched: list[str]


def how_it_matches(query: PatientQuery, patient: Patient) -> list[str]:
    matched = []
    if query.insured_number and patient.insured_number == query.insured_number:
        matched.append("insuredNumber")
    if patient.birth_date == query.birth_date:
        if squashed(patient.name) == squashed(query.name):
            matched.append("nameAndBirthDate")
        if query.name_kana and kana_key(patient.name_kana) == kana_key(query.name_kana):
            matched.append("kanaAndBirthDate")
    return matched


async def matching_rooms(session: AsyncSession, query: PatientQuery) -> list[Match]:
    """Rooms (open or closed) whose patient matches, the strongest matches first."""
    conditions = [Patient.birth_date == query.birth_date]
    if query.insured_number:
        conditions.append(Patient.insured_number == query.insured_number)
    rows = (
        await session.execute(
            select(Room, Patient).join(Patient, Patient.id == Room.patient_id).where(
                or_(*conditions)
            )
        )
    ).all()
    found = [Match(room, patient, how_it_matches(query, patient)) for room, patient in rows]
    found = [m for m in found if m.matched]
    found.sort(key=lambda m: (-len(m.matched), m.room.status != "open", m.patient.name_kana))
    return found
