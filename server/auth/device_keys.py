"""The recovery secret of a device: the server's share of the PWA's data key.

The PWA wraps its data key under several secrets (pwa/src/crypto/keys.ts); one is a random
32-byte secret that only the server keeps, per device. It lets a nurse who forgot the device
passcode sign in again (password and second factor) and set a new one without losing the
records the outbox has not sent yet. So the server hands it out only:

- to the device it was made for (the request names the registered device, and the session
  is bound to that same device and belongs to the device's user);
- only to an unlocked app: the route keeps the default auth mode, so the request contract
  asks for the unlock proof (docs/api/requests.md). The sign-in that resets a forgotten
  passcode hands out a fresh proof, so that flow needs no old, sealed one; a locked tablet's
  session, however fresh, gets nothing;
- never to a device flagged for wipe (the auth middleware answers those with the wipe, and
  this module checks again), nor to a stopped account (no session survives an ID stop);
- when it exists already, only within FRESH_SIGNIN of a full sign-in: a session that has been
  idle on a tablet for hours does not qualify, the sign-in the nurse just made does.

Making one (the first request from a device, typically right after its first sign-in)
reveals nothing that protects data yet, so any full session of that device may. Every
creation, release and refusal is audited. The secret is sealed at rest under the server
secret key (secretbox), like TOTP seeds, and re-sealed with them by `rotate-secret-key`.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Device, DeviceKeyShare
from store.models.enums import SessionStage
from store.writer import begin_write

from ..audit import service as audit
from ..errors import Forbidden
from . import secretbox
from .context import AuthContext
from .errors import ReauthRequired
from .service import FRESH_SIGNIN

PURPOSE = "device-recovery-key"


def seal_share(secret_key: str, secret: str) -> str:
    return secretbox.seal(secret_key, PURPOSE, secret)


def open_share(secret_key: str, sealed: str) -> str:
    return secretbox.open_sealed(secret_key, PURPOSE, sealed)


class DeviceNotBound(Forbidden):
    code = "device_not_bound"
    message_ja = "この端末の登録を確認できませんでした。この端末でもう一度ログインしてください。"
    message_en = "This device's registration could not be confirmed. Please sign in again on it."


@dataclass(frozen=True)
class Released:
    secret: str
    """base64url, 32 random bytes."""
    created: bool


class DeviceKeyService:
    def __init__(self, session: AsyncSession, ctx: AuthContext) -> None:
        self.session = session
        self.ctx = ctx

    async def _audit(self, action: str, device: Device | None, outcome: str = "ok",
                     **details: str) -> None:
        await audit.record(
            self.session, at=self.ctx.now, actor=self.ctx.actor, action=action, outcome=outcome,
            target_type="device", target_id=device.id if device else None, details=details,
        )

    async def _refuse(self, device: Device | None, reason: str, error: Exception) -> None:
        await self._audit("device.recovery_key_refused", device, "failure", reason=reason)
        await self.session.commit()
        raise error

    async def recovery_secret(self) -> Released:
        ctx = self.ctx
        assert ctx.session is not None and ctx.user is not None  # a full session (middleware)
        await begin_write(self.session)
        device = (
            await self.session.get(Device, ctx.device.id) if ctx.device is not None else None
        )
        if device is None or ctx.session.device_id != device.id or device.user_id != ctx.user.id:
            await self._refuse(device, "device_not_bound", DeviceNotBound())
            raise AssertionError("unreachable")
        if device.wipe_requested_at is not None:
            await self._refuse(device, "device_wiped", DeviceNotBound())
        share = await self.session.scalar(
            select(DeviceKeyShare).where(DeviceKeyShare.device_id == device.id)
        )
        if share is not None and share.user_id != ctx.user.id:
            # Another user's data left this device when this user signed in on it.
            await self.session.execute(delete(DeviceKeyShare).where(DeviceKeyShare.id == share.id))
            share = None
        if share is None:
            raw = secrets.token_bytes(32)
            encoded = base64.urlsafe_b64encode(raw).decode().rstrip("=")
            self.session.add(
                DeviceKeyShare(
                    device_id=device.id,
                    user_id=ctx.user.id,
                    secret_sealed=seal_share(ctx.settings.secret_key, encoded),
                    created_at=ctx.now,
                )
            )
            await self._audit("device.recovery_key_created", device)
            await self.session.commit()
            return Released(secret=encoded, created=True)
        authenticated = ctx.session.authenticated_at
        fresh = (
            ctx.session.stage == SessionStage.full
            and authenticated is not None
            and ctx.now - authenticated <= FRESH_SIGNIN
        )
        if not fresh:
            await self._refuse(device, "not_fresh", ReauthRequired())
        share.released_at = ctx.now
        await self._audit("device.recovery_key_released", device)
        await self.session.commit()
        return Released(
            secret=open_share(ctx.settings.secret_key, share.secret_sealed),
            created=False,
        )
