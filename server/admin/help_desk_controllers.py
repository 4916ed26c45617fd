"""The help desk (`/api/admin/help-desk`, `/api/admin/users/{id}/…`): find a person, see
their account (lock, sign-ins, factors, devices, sessions) and act on it, for the city's user
administrators and the operator. Thin: each hands over to `HelpDesk` or `AccountAdministration`."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, get, post
from litestar.params import Parameter, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.context import AuthContext
from ..auth.roles import admins_only
from ..mail.service import Mailer
from ..route_policy import policy
from ..settings import Settings
from .account_actions import AccountAdministration, Done
from .help_desk import HelpDesk
from .help_desk_schemas import (
    AdminActionOut,
    DeskAccountOut,
    DeskActionIn,
    DeskPersonOut,
    ResetLetterOut,
)


class AdminUserController(Controller):
    """The help desk on one person's account (municipal admins and operators)."""

    path = "/api/admin/users/{user_id:uuid}"
    tags = ["admin"]
    guards = [admins_only]

    @staticmethod
    def _admin(
        db_session: AsyncSession, auth: AuthContext, settings: Settings
    ) -> AccountAdministration:
        return AccountAdministration(db_session, auth, Mailer(settings))

    @staticmethod
    def _out(user_id: uuid.UUID, action: str, done: Done) -> AdminActionOut:
        return AdminActionOut(user_id=user_id, action=action, mailed=done.mailed, count=done.count)

    @get("/account", summary="Lock state, sign-ins, factors, devices and sessions (audited)")
    async def account(
        self, user_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession
    ) -> DeskAccountOut:
        return await HelpDesk(db_session, auth).account(user_id)

    @post("/unlock", status_code=200, summary="Unlock a locked account")
    async def unlock(
        self, user_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession,
        settings: Settings, data: DeskActionIn | None = None,
    ) -> AdminActionOut:
        done = await self._admin(db_session, auth, settings).unlock(user_id, _note(data))
        return self._out(user_id, "unlock", done)

    @post("/reset-factors", status_code=200, summary="Reset second factors to enrolment (mailed)")
    async def reset_factors(
        self, user_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession,
        settings: Settings, data: DeskActionIn | None = None,
    ) -> AdminActionOut:
        done = await self._admin(db_session, auth, settings).reset_factors(user_id, _note(data))
        return self._out(user_id, "reset-factors", done)

    @post(
        "/reset-password",
        status_code=200,
        summary="E-mail a one-time password reset link (never shows a password)",
        opt=policy(refuses={409}),
    )
    async def reset_password(
        self, user_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession,
        settings: Settings, data: DeskActionIn | None = None,
    ) -> AdminActionOut:
        done = await self._admin(db_session, auth, settings).reset_password(user_id, _note(data))
        return self._out(user_id, "reset-password", done)

    @post(
        "/reset-letter",
        status_code=200,
        summary="A printable reset letter with a single-use code, for staff without e-mail",
    )
    async def reset_letter(
        self, user_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession,
        settings: Settings, data: DeskActionIn | None = None,
    ) -> ResetLetterOut:
        return await self._admin(db_session, auth, settings).reset_letter(user_id, _note(data))

    @post("/wipe-devices", status_code=200, summary="Wipe every device and end every session")
    async def wipe_devices(
        self, user_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession,
        settings: Settings, data: DeskActionIn | None = None,
    ) -> AdminActionOut:
        done = await self._admin(db_session, auth, settings).wipe_devices(user_id, _note(data))
        return self._out(user_id, "wipe-devices", done)

    @post("/devices/{device_id:uuid}/wipe", status_code=200, summary="Wipe one device")
    async def wipe_device(
        self, user_id: uuid.UUID, device_id: uuid.UUID, auth: AuthContext,
        db_session: AsyncSession, settings: Settings, data: DeskActionIn | None = None,
    ) -> AdminActionOut:
        admin = self._admin(db_session, auth, settings)
        done = await admin.wipe_device(user_id, device_id, _note(data))
        return self._out(user_id, "wipe-device", done)

    @post("/end-sessions", status_code=200, summary="Sign the person out everywhere")
    async def end_sessions(
        self, user_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession,
        settings: Settings, data: DeskActionIn | None = None,
    ) -> AdminActionOut:
        done = await self._admin(db_session, auth, settings).end_sessions(user_id, _note(data))
        return self._out(user_id, "end-sessions", done)

    @post("/sessions/{session_id:uuid}/end", status_code=200, summary="End one session")
    async def end_session(
        self, user_id: uuid.UUID, session_id: uuid.UUID, auth: AuthContext,
        db_session: AsyncSession, settings: Settings, data: DeskActionIn | None = None,
    ) -> AdminActionOut:
        admin = self._admin(db_session, auth, settings)
        done = await admin.end_session(user_id, session_id, _note(data))
        return self._out(user_id, "end-session", done)


def _note(data: DeskActionIn | None) -> str:
    return data.note.strip() if data else ""


OfficeQuery = Annotated[uuid.UUID | None, QueryParameter(name="officeId")]


@get(
    "/api/admin/help-desk",
    tags=["admin"],
    guards=[admins_only],
    summary="Find a person by name, kana, login ID or office (50 at most)",
)
async def help_desk_search(
    auth: AuthContext,
    db_session: AsyncSession,
    q: Annotated[str | None, Parameter(max_length=100)] = None,
    office_id: OfficeQuery = None,
    locked: bool = False,
) -> list[DeskPersonOut]:
    return await HelpDesk(db_session, auth).search(q, office_id, locked)
