"""`/api/me*`: the signed-in user, their sessions, devices and second factors."""

from __future__ import annotations

import uuid

from litestar import Controller, delete, get, post
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Device

from ..accounts.refs import user_ref
from ..accounts.schemas import (
    DeviceOut,
    FactorsOut,
    MeOut,
    MyTermsOut,
    PasskeyOut,
    SessionOut,
)
from ..accounts.service import MyAccount
from ..admin.schemas import TermsAcceptIn
from ..auth.context import AuthContext
from ..auth.service import SignInService, factors_of
from ..route_policy import policy
from .terms import accept_terms, terms_status


def device_out(device: Device, current: Device | None) -> DeviceOut:
    return DeviceOut(
        id=device.id,
        label=device.label,
        current=current is not None and current.id == device.id,
        created_at=device.created_at,
        last_seen_at=device.last_seen_at,
        wipe_requested=device.wipe_requested_at is not None,
    )


class MeController(Controller):
    path = "/api/me"
    tags = ["me"]

    @get("", summary="The signed-in user, enrolled factors and current device")
    async def me(self, auth: AuthContext, db_session: AsyncSession) -> MeOut:
        assert auth.user is not None and auth.session is not None
        factors = await factors_of(db_session, auth.user.id)
        return MeOut(
            user=user_ref(auth.user),
            factors=FactorsOut(
                totp=factors.totp,
                passkeys=[
                    PasskeyOut(
                        id=c.id,
                        label=c.label,
                        created_at=c.created_at,
                        last_used_at=c.last_used_at,
                        backup_eligible=c.backup_eligible,
                        backup_state=c.backup_state,
                    )
                    for c in factors.passkeys
                ],
            ),
            device=device_out(auth.device, auth.device) if auth.device else None,
            session_expires_at=auth.session.expires_at,
            terms=await terms_status(db_session, auth.user),
        )

    @post("/terms", status_code=200, summary="Accept the city's current terms of use",
          opt=policy(refuses={409}))
    async def accept_current_terms(
        self, data: TermsAcceptIn, auth: AuthContext, db_session: AsyncSession
    ) -> MyTermsOut:
        return await accept_terms(db_session, auth, data.version)

    @get("/sessions", summary="My sessions")
    async def sessions(self, auth: AuthContext, db_session: AsyncSession) -> list[SessionOut]:
        assert auth.session is not None
        return [
            SessionOut(
                id=s.id,
                current=s.id == auth.session.id,
                created_at=s.created_at,
                last_seen_at=s.last_seen_at,
                ip=s.ip,
                user_agent=s.user_agent,
                device_id=s.device_id,
                factor=s.factor,
            )
            for s in await MyAccount(db_session, auth).sessions()
        ]

    @delete("/sessions/{session_id:uuid}", status_code=204, summary="End one of my sessions")
    async def end_session(
        self, session_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession
    ) -> None:
        await MyAccount(db_session, auth).end_session(session_id)

    @get("/devices", summary="My devices")
    async def devices(self, auth: AuthContext, db_session: AsyncSession) -> list[DeviceOut]:
        return [device_out(d, auth.device) for d in await MyAccount(db_session, auth).devices()]

    @delete("/devices/{device_id:uuid}", status_code=204, summary="Wipe and sign out a device")
    async def wipe_device(
        self, device_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession
    ) -> None:
        await MyAccount(db_session, auth).wipe_device(device_id)

    @delete("/factors/totp", status_code=204, summary="Remove my TOTP factor (not the last)",
            opt=policy(refuses={409}))
    async def remove_totp(self, auth: AuthContext, db_session: AsyncSession) -> None:
        await SignInService(db_session, auth).remove_factor("totp")

    @delete(
        "/factors/passkeys/{passkey_id:uuid}",
        status_code=204,
        summary="Remove one of my passkeys (not the last factor)",
        opt=policy(refuses={409}),
    )
    async def remove_passkey(
        self, passkey_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession
    ) -> None:
        await SignInService(db_session, auth).remove_factor("webauthn", passkey_id)
