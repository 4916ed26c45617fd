"""`/api/device-keys/*`: key material the server keeps for one device (auth/device_keys.py)."""

from __future__ import annotations

from litestar import Controller, post
from sqlalchemy.ext.asyncio import AsyncSession

from .context import AuthContext
from .device_keys import DeviceKeyService
from .schemas import RecoveryKeyOut


class DeviceKeyController(Controller):
    path = "/api/device-keys"
    tags = ["auth"]

    @post(
        "/recovery",
        status_code=200,
        summary="This device's recovery secret: made once, released after a full sign-in",
    )
    async def recovery(self, auth: AuthContext, db_session: AsyncSession) -> RecoveryKeyOut:
        released = await DeviceKeyService(db_session, auth).recovery_secret()
        return RecoveryKeyOut(secret=released.secret, created=released.created)
