"""HTTP for corrections: people, offices, patients; and a room's later life (consent
withdrawn, reopened, the signed 様式5's scan, the duplicate-patient check).

Who may call what is decided in the services.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, get, patch, post
from litestar.enums import RequestEncodingType
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.params import Body, Parameter, QueryParameter
from litestar.response import File
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.context import AuthContext
from ..auth.roles import admins_only
from ..contact_book.attachments_schemas import UploadIn
from ..contact_book.blob_store import BlobStore
from ..contact_book.images import ImageTooLarge
from ..errors import answer_as
from ..mail.service import Mailer
from ..route_policy import policy
from ..settings import Settings
from .correction_schemas import (
    ConsentWithdrawIn,
    DuplicateOut,
    OfficeClosedOut,
    OfficeCloseIn,
    OfficeDetailOut,
    OfficePledgeRecordIn,
    PatientCorrectionIn,
    RoomHistoryOut,
    RoomReopenIn,
    TransferIn,
    TransferOut,
    UserHistoryOut,
)
from .office_corrections import OfficeCorrections
from .patient_corrections import CareManagerPatientCorrections, CityPatientCorrections
from .room_lifecycle import RoomLifecycle
from .rooms import RoomAdministration
from .scan_documents import MAX_SCAN_BYTES
from .schemas import RoomOut
from .user_corrections import UserCorrections

_MULTIPART_ALLOWANCE = 64 * 1024


def _lifecycle(db_session: AsyncSession, auth: AuthContext, settings: Settings) -> RoomLifecycle:
    return RoomLifecycle(
        db_session, auth, Mailer(settings), BlobStore(settings.attachments_dir)
    )


class AdminUserCorrectionController(Controller):
    path = "/api/admin/users/{user_id:uuid}"
    guards = [admins_only]
    tags = ["admin"]

    @get("/history", summary="A person's corrections and office periods (the ledger's history)")
    async def history(
        self, user_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession
    ) -> UserHistoryOut:
        return await UserCorrections(db_session, auth).history(user_id)

    @post("/transfer", status_code=200, summary="Transfer to another office, room by room",
          opt=policy(refuses={409}))
    async def transfer(
        self,
        user_id: uuid.UUID,
        data: TransferIn,
        auth: AuthContext,
        db_session: AsyncSession,
        settings: Settings,
    ) -> TransferOut:
        return await UserCorrections(db_session, auth, Mailer(settings)).transfer(user_id, data)


class AdminOfficeCorrectionController(Controller):
    path = "/api/admin/offices/{office_id:uuid}"
    guards = [admins_only]
    tags = ["admin"]

    @get("/history", summary="An office's staff, former staff and corrections")
    async def history(
        self, office_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession
    ) -> OfficeDetailOut:
        return await OfficeCorrections(db_session, auth).detail(office_id)

    @post("/pledges", status_code=201, summary="Record a paper 様式4-1 (a new representative)",
          opt=policy(refuses={409}))
    async def pledge(
        self,
        office_id: uuid.UUID,
        data: OfficePledgeRecordIn,
        auth: AuthContext,
        db_session: AsyncSession,
    ) -> OfficeDetailOut:
        return await OfficeCorrections(db_session, auth).record_pledge(office_id, data)

    @post("/close", status_code=200, summary="Close or merge the office; stop or move its staff",
          opt=policy(refuses={409}))
    async def close(
        self,
        office_id: uuid.UUID,
        data: OfficeCloseIn,
        auth: AuthContext,
        db_session: AsyncSession,
        settings: Settings,
    ) -> OfficeClosedOut:
        return await OfficeCorrections(db_session, auth, Mailer(settings)).close(office_id, data)


class AdminPatientController(Controller):
    path = "/api/admin"
    guards = [admins_only]
    tags = ["admin"]

    @get("/patients/duplicates", summary="Patients on record who may be this one")
    async def duplicates(
        self,
        auth: AuthContext,
        db_session: AsyncSession,
        settings: Settings,
        name: Annotated[str, Parameter(max_length=100)] = "",
        birth_date: Annotated[dt.date | None, QueryParameter(name="birthDate")] = None,
        insured_number: Annotated[
            str, QueryParameter(name="insuredNumber", pattern=r"^([0-9]{10})?$")
        ] = "",
    ) -> list[DuplicateOut]:
        return await _lifecycle(db_session, auth, settings).duplicates(
            name, birth_date, insured_number
        )

    @patch("/rooms/{room_id:uuid}/patient", summary="Correct the patient's details (city)")
    async def correct_patient(
        self,
        room_id: uuid.UUID,
        data: PatientCorrectionIn,
        auth: AuthContext,
        db_session: AsyncSession,
        settings: Settings,
    ) -> RoomOut:
        await CityPatientCorrections(db_session, auth).correct(room_id, data)
        return await RoomAdministration(db_session, auth, Mailer(settings)).get(room_id)

    @get("/rooms/{room_id:uuid}/history", summary="The patient's and room's corrections")
    async def history(
        self, room_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession, settings: Settings
    ) -> RoomHistoryOut:
        return await _lifecycle(db_session, auth, settings).history(room_id)

    @post(
        "/rooms/{room_id:uuid}/consent/withdraw",
        status_code=200,
        summary="The consent was withdrawn: the room closes for writing",
        opt=policy(refuses={409}),
    )
    async def withdraw(
        self,
        room_id: uuid.UUID,
        data: ConsentWithdrawIn,
        auth: AuthContext,
        db_session: AsyncSession,
        settings: Settings,
    ) -> RoomOut:
        return await _lifecycle(db_session, auth, settings).withdraw_consent(room_id, data)

    @post("/rooms/{room_id:uuid}/reopen", status_code=200, summary="Reopen a closed room",
          opt=policy(refuses={409}))
    async def reopen(
        self,
        room_id: uuid.UUID,
        auth: AuthContext,
        db_session: AsyncSession,
        settings: Settings,
        data: RoomReopenIn | None = None,
    ) -> RoomOut:
        return await _lifecycle(db_session, auth, settings).reopen(room_id, data or RoomReopenIn())

    @post(
        "/rooms/{room_id:uuid}/consent/scan",
        status_code=201,
        summary="Record the scan of the signed 様式5 (PDF, JPEG, PNG, WebP; 10 MB)",
        request_max_body_size=MAX_SCAN_BYTES + _MULTIPART_ALLOWANCE,
        exception_handlers={RequestEntityTooLarge: answer_as(ImageTooLarge)},
        opt=policy(rate="upload"),
    )
    async def upload_scan(
        self,
        room_id: uuid.UUID,
        data: Annotated[
            UploadIn, Body(media_type=RequestEncodingType.MULTI_PART, multipart_form_part_limit=4)
        ],
        auth: AuthContext,
        db_session: AsyncSession,
        settings: Settings,
    ) -> RoomOut:
        lifecycle = _lifecycle(db_session, auth, settings)
        try:
            raw = await data.file.read(MAX_SCAN_BYTES + 1)
        finally:
            await data.file.close()
        return await lifecycle.upload_scan(room_id, raw)

    @get("/rooms/{room_id:uuid}/consent/scan", summary="The signed 様式5's scan (admins only)")
    async def scan(
        self, room_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession, settings: Settings
    ) -> File:
        found = await _lifecycle(db_session, auth, settings).scan(room_id)
        return File(
            path=found.path,
            media_type=found.content_type,
            filename=found.filename,
            content_disposition_type="attachment",
            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
        )


class PatientCorrectedOut(msgspec.Struct, rename="camel"):
    """The fields that changed (none when the values were already these)."""

    changed: list[str]


@patch(
    "/api/rooms/{room_id:uuid}/patient",
    summary="The room's care manager corrects the patient's details",
    tags=["contact book"],
)
async def care_manager_corrects_patient(
    room_id: uuid.UUID, data: PatientCorrectionIn, auth: AuthContext, db_session: AsyncSession
) -> PatientCorrectedOut:
    """From the PWA's room, online only (the reasons are in `patient_corrections`); the
    members' devices get the change by sync. A room route, but the rules are the city's
    corrections', so it lives beside them."""
    changed = await CareManagerPatientCorrections(db_session, auth).correct(room_id, data)
    return PatientCorrectedOut(changed=changed)


ROUTE_HANDLERS: list[Any] = [
    AdminUserCorrectionController,
    AdminOfficeCorrectionController,
    AdminPatientController,
    care_manager_corrects_patient,
]
