"""Admin account actions (`/api/admin/users/{id}/…`) and the public activation link."""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec
from litestar import Controller, get, post
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.context import AuthContext
from ..mail.service import Mailer
from ..settings import Settings
from .schemas import AdminActionOut
from .service import AccountAdministration, Activation


class AdminUserController(Controller):
    path = "/api/admin/users/{user_id:uuid}"
    tags = ["admin"]

    async def _admin(
        self, db_session: AsyncSession, auth: AuthContext, settings: Settings
    ) -> AccountAdministration:
        return AccountAdministration(db_session, auth, Mailer(settings))

    @post("/unlock", status_code=200, summary="Unlock a locked account")
    async def unlock(
        self, user_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession, settings: Settings
    ) -> AdminActionOut:
        await (await self._admin(db_session, auth, settings)).unlock(user_id)
        return AdminActionOut(user_id=user_id, action="unlock")

    @post("/reset-factors", status_code=200, summary="Reset second factors to enrolment")
    async def reset_factors(
        self, user_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession, settings: Settings
    ) -> AdminActionOut:
        await (await self._admin(db_session, auth, settings)).reset_factors(user_id)
        return AdminActionOut(user_id=user_id, action="reset-factors")

    @post(
        "/reset-password",
        status_code=200,
        summary="E-mail a one-time password reset link (never shows a password)",
    )
    async def reset_password(
        self, user_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession, settings: Settings
    ) -> AdminActionOut:
        await (await self._admin(db_session, auth, settings)).reset_password(user_id)
        return AdminActionOut(user_id=user_id, action="reset-password")

    @post("/wipe-devices", status_code=200, summary="Flag every device of the user for wipe")
    async def wipe_devices(
        self, user_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession, settings: Settings
    ) -> AdminActionOut:
        await (await self._admin(db_session, auth, settings)).wipe_devices(user_id)
        return AdminActionOut(user_id=user_id, action="wipe-devices")


class ActivationIn(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]


class ActivationOut(msgspec.Struct, rename="camel"):
    purpose: str
    login_id: str
    name: str


class ActivationController(Controller):
    path = "/api/activation/{token:str}"
    tags = ["activation"]
    opt = {"auth": "public"}

    @get("", summary="What a one-time link is for")
    async def describe(
        self, token: str, auth: AuthContext, db_session: AsyncSession
    ) -> ActivationOut:
        purpose, user = await Activation(db_session, auth).describe(token)
        return ActivationOut(purpose=purpose, login_id=user.login_id, name=user.name)

    @post("", status_code=200, summary="Set a password with a one-time link")
    async def set_password(
        self, token: str, data: ActivationIn, auth: AuthContext, db_session: AsyncSession
    ) -> ActivationOut:
        user = await Activation(db_session, auth).set_password(token, data.password)
        return ActivationOut(purpose="done", login_id=user.login_id, name=user.name)
