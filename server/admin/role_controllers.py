"""HTTP for roles and the access log: the city's clerks, each office's システム管理担当者,
and a patient's access log. Rules live in `roles.py` and `access_log.py`."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from litestar import Controller, Response, delete, get, patch, post
from litestar.params import Parameter, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.context import AuthContext
from ..auth.roles import admins_only
from ..mail.service import Mailer
from ..route_policy import policy
from ..settings import Settings
from .access_log import AccessLog
from .correction_schemas import OfficeCorrectionIn, OfficeDetailOut
from .office_corrections import OfficeCorrections
from .offices import OfficeAdministration
from .roles import ClerkAccounts, SystemManagers
from .schemas import AccessLogOut, ClerkIn, ClerkOut, ClerkRetireIn, OfficeOut, SystemManagerIn


class AdminClerkController(Controller):
    path = "/api/admin/clerks"
    guards = [admins_only]
    tags = ["admin"]

    @get("", summary="The city's clerks and the operators, with their last sign-in")
    async def list_all(
        self, auth: AuthContext, db_session: AsyncSession, settings: Settings
    ) -> list[ClerkOut]:
        return await ClerkAccounts(db_session, auth, Mailer(settings)).all()

    @post("", status_code=201, summary="Create a clerk account (mailed an activation link)")
    async def create(
        self, data: ClerkIn, auth: AuthContext, db_session: AsyncSession, settings: Settings
    ) -> ClerkOut:
        return await ClerkAccounts(db_session, auth, Mailer(settings)).create(data)

    @post("/{user_id:uuid}/retire", status_code=200, summary="Retire a clerk (an ID stop)")
    async def retire(
        self,
        user_id: uuid.UUID,
        auth: AuthContext,
        db_session: AsyncSession,
        settings: Settings,
        data: ClerkRetireIn | None = None,
    ) -> ClerkOut:
        reason = (data or ClerkRetireIn()).reason
        return await ClerkAccounts(db_session, auth, Mailer(settings)).retire(user_id, reason)


class AdminSystemManagerController(Controller):
    path = "/api/admin/offices/{office_id:uuid}"
    guards = [admins_only]
    tags = ["admin"]

    @get("", summary="One office with its system managers")
    async def detail(
        self, office_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession,
        settings: Settings,
    ) -> OfficeOut:
        return await OfficeAdministration(db_session, auth, Mailer(settings)).get(office_id)

    # The office's own path: its correction lives here (one controller per path).
    @patch("", summary="Correct name, kana, kind, address, phone or fax (with history)")
    async def correct(
        self,
        office_id: uuid.UUID,
        data: OfficeCorrectionIn,
        auth: AuthContext,
        db_session: AsyncSession,
    ) -> OfficeDetailOut:
        return await OfficeCorrections(db_session, auth).correct(office_id, data)

    @post(
        "/system-managers",
        status_code=200,
        summary="Name a system manager: a member of staff, or a new person (activation mail)",
        opt=policy(refuses={409}),
    )
    async def name(
        self, office_id: uuid.UUID, data: SystemManagerIn, auth: AuthContext,
        db_session: AsyncSession, settings: Settings,
    ) -> OfficeOut:
        mailer = Mailer(settings)
        await SystemManagers(db_session, auth, mailer).name(office_id, data)
        return await OfficeAdministration(db_session, auth, mailer).get(office_id)

    @delete(
        "/system-managers/{user_id:uuid}",
        status_code=200,
        summary="Unname a system manager (they stay staff and keep their rooms)",
    )
    async def unname(
        self, office_id: uuid.UUID, user_id: uuid.UUID, auth: AuthContext,
        db_session: AsyncSession, settings: Settings,
    ) -> OfficeOut:
        mailer = Mailer(settings)
        await SystemManagers(db_session, auth, mailer).unname(office_id, user_id)
        return await OfficeAdministration(db_session, auth, mailer).get(office_id)


@get(
    "/api/admin/rooms/{room_id:uuid}/access-log",
    tags=["admin"],
    guards=[admins_only],
    summary="Who read or wrote the patient's room, newest first (viewing it is audited)",
)
async def room_access_log(
    room_id: uuid.UUID,
    auth: AuthContext,
    db_session: AsyncSession,
    since: dt.date | None = None,
    until: dt.date | None = None,
    before: Annotated[int | None, Parameter(ge=1)] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 200,
) -> AccessLogOut:
    return await AccessLog(db_session, auth).for_room(
        room_id, since=since, until=until, before=before, limit=limit
    )


@get(
    "/api/admin/rooms/{room_id:uuid}/access-log.csv",
    tags=["admin"],
    guards=[admins_only],
    media_type="text/csv",
    summary="The patient's access log for a period as CSV (UTF-8 with BOM, Japanese headers, "
    "oldest first; the download is audited)",
)
async def room_access_log_csv(
    room_id: uuid.UUID,
    auth: AuthContext,
    db_session: AsyncSession,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> Response[bytes]:
    body, filename = await AccessLog(db_session, auth).csv(room_id, since=since, until=until)
    return Response(
        body,
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
