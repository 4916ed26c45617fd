"""Account rules outside the sign-in steps: own sessions and devices, and one-time links.

Admin-led recovery (the help desk) lives in `administration.py`."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Device, OneTimeToken, User, UserSession
from store.models.enums import UserStatus
from store.writer import begin_write
from sync.notify import queue_user_event

from ..audit import service as audit
from ..auth import tokens
from ..auth.context import AuthContext
from ..auth.errors import WeakPassword
from ..auth.passwords import password_problems
from ..auth.service import hashing
from ..errors import NotFound
from ..push.outbox import enqueue_wipe


async def flag_devices_for_wipe(
    session: AsyncSession, ctx: AuthContext, device_ids: list[uuid.UUID], reason: str
) -> int:
    """Flag devices for wipe and end their sessions; the wipe reaches them at next contact."""
    if not device_ids:
        return 0
    await session.execute(
        update(Device)
        .where(Device.id.in_(device_ids), Device.wipe_requested_at.is_(None))
        .values(wipe_requested_at=ctx.now, wipe_reason=reason)
    )
    await session.execute(delete(UserSession).where(UserSession.device_id.in_(device_ids)))
    # A `wipe` push reaches the device even while the app is closed; the worker then
    # deletes its subscription. Open live streams of the owners end at commit.
    await enqueue_wipe(session, device_ids, at=ctx.now)
    owners = set(await session.scalars(select(Device.user_id).where(Device.id.in_(device_ids))))
    for owner in owners - {None}:
        assert owner is not None
        await queue_user_event(session, owner)
    for device_id in device_ids:
        await audit.record(
            session,
            at=ctx.now,
            actor=ctx.actor,
            action="device.wipe_flagged",
            target_type="device",
            target_id=device_id,
            details={"reason": reason},
        )
    return len(device_ids)


class MyAccount:
    """What a signed-in user may see and end of their own."""

    def __init__(self, session: AsyncSession, ctx: AuthContext) -> None:
        assert ctx.user is not None and ctx.session is not None
        self.session = session
        self.ctx = ctx
        self.user = ctx.user

    async def sessions(self) -> list[UserSession]:
        return list(
            await self.session.scalars(
                select(UserSession)
                .where(UserSession.user_id == self.user.id)
                .order_by(UserSession.last_seen_at.desc())
            )
        )

    async def end_session(self, session_id: uuid.UUID) -> None:
        await begin_write(self.session)
        result = await self.session.execute(
            delete(UserSession).where(
                UserSession.id == session_id, UserSession.user_id == self.user.id
            )
        )
        if not getattr(result, "rowcount", 0):
            raise NotFound()
        await audit.record(
            self.session,
            at=self.ctx.now,
            actor=self.ctx.actor,
            action="session.ended",
            target_type="session",
            target_id=session_id,
        )
        await self.session.commit()

    async def devices(self) -> list[Device]:
        return list(
            await self.session.scalars(
                select(Device)
                .where(Device.user_id == self.user.id)
                .order_by(Device.last_seen_at.desc())
            )
        )

    async def wipe_device(self, device_id: uuid.UUID) -> None:
        await begin_write(self.session)
        device = await self.session.scalar(
            select(Device).where(Device.id == device_id, Device.user_id == self.user.id)
        )
        if device is None:
            raise NotFound()
        await flag_devices_for_wipe(self.session, self.ctx, [device.id], "user")
        await self.session.commit()


class Activation:
    """Single-use links: set a password for a new ID (activation) or after an admin reset."""

    def __init__(self, session: AsyncSession, ctx: AuthContext) -> None:
        self.session = session
        self.ctx = ctx

    async def _token(self, token: str) -> tuple[OneTimeToken, User]:
        token = tokens.canonical_link_token(token)  # a code typed from a printed letter
        row = await self.session.scalar(
            select(OneTimeToken).where(OneTimeToken.token_hash == tokens.token_hash(token))
        )
        if row is None or row.used_at is not None or row.expires_at <= self.ctx.now:
            raise NotFound(
                "このリンクは無効か、期限が切れています。管理者に再発行を依頼してください。",
                "This link is invalid or has expired. Ask the administrator for a new one.",
                code="link_invalid",
            )
        user = await self.session.get(User, row.user_id)
        if user is None or user.status == UserStatus.stopped:
            raise NotFound(code="link_invalid")
        return row, user

    async def describe(self, token: str) -> tuple[str, User]:
        row, user = await self._token(token)
        return row.purpose, user

    async def set_password(self, token: str, password: str) -> User:
        await begin_write(self.session)
        row, user = await self._token(token)
        problems = password_problems(
            password,
            login_id=user.login_id,
            name=user.name,
            name_kana=user.name_kana,
            birth_date=user.birth_date,
        )
        if problems:
            raise WeakPassword(reasons=[{"code": p.code, "ja": p.ja, "en": p.en} for p in problems])
        row.used_at = self.ctx.now
        user.password_hash = await hashing(self.ctx.settings).hash_async(password)
        user.password_must_change = False
        user.password_expires_at = None
        user.password_changed_at = self.ctx.now
        user.failed_attempts = 0
        user.locked_until = None
        if user.status == UserStatus.pending:
            user.status = UserStatus.active
            user.activated_at = self.ctx.now
        await self.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
        await audit.record(
            self.session,
            at=self.ctx.now,
            actor=audit.Actor(user.id, user.login_id, self.ctx.ip, self.ctx.device_key),
            action=f"account.{row.purpose}",
            target_type="user",
            target_id=user.id,
        )
        await self.session.commit()
        return user
