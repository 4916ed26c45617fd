"""The one-time activation link (`/api/activation/{token}`): set a password, once."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get, post
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.context import AuthContext
from ..route_policy import policy
from .service import Activation


class ActivationIn(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]


class ActivationOut(msgspec.Struct, rename="camel"):
    purpose: str
    login_id: str
    name: str


class ActivationController(Controller):
    path = "/api/activation/{token:str}"
    tags = ["activation"]
    opt = policy(auth="public")

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
