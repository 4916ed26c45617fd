"""HTTP for the room's care manager correcting the patient's details from the PWA.

Online only, an API call rather than a sync mutation (the reasons are in
`server.admin.patient_corrections`); the members' devices get the change by sync.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import patch
from sqlalchemy.ext.asyncio import AsyncSession

from ..admin.correction_schemas import PatientCorrectionIn
from ..admin.patient_corrections import CareManagerPatientCorrections
from ..auth.context import AuthContext


class PatientCorrectedOut(msgspec.Struct, rename="camel"):
    """The fields that changed (none when the values were already these)."""

    changed: list[str]


@patch(
    "/api/rooms/{room_id:uuid}/patient",
    summary="The room's care manager corrects the patient's details",
    tags=["contact book"],
)
async def correct_patient(
    room_id: uuid.UUID, data: PatientCorrectionIn, auth: AuthContext, db_session: AsyncSession
) -> PatientCorrectedOut:
    changed = await CareManagerPatientCorrections(db_session, auth).correct(room_id, data)
    return PatientCorrectedOut(changed=changed)


ROUTE_HANDLERS: list[Any] = [correct_patient]
