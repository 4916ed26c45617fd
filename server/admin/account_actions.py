"""Admin-led account recovery: the help desk's actions on another person's account.

Unlock, a password-reset link by mail or a printed reset letter, a second-factor reset,
wiping one device or all, ending sessions. Each is one transaction with its audit event;
the mail to the person goes after the commit and never carries a password or a code
(SECURITY.md 4, 10, 14). Two limits keep the desk from being a way around the rules:
nobody works on their own account here (Settings is for that, with a fresh sign-in), and
a municipal admin does not touch an operator's account.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Device, OneTimeToken, TotpFactor, User, UserSession, WebAuthnCredential
from store.models.enums import Role, TokenPurpose, UserStatus
from store.writer import begin_write

from ..accounts.service import flag_devices_for_wipe
from ..auth import tokens
from ..auth.context import AuthContext
from ..auth.roles import require_admin
from ..errors import Conflict, Forbidden, NotFound
from ..mail import templates
from ..mail.service import Mailer
from ..mail.templates import Letter
from ..qr_codes import svg_data_uri
from .common import deliver, jst_text, record, user_not_found
from .help import load_help
from .help_desk_schemas import ResetLetterOut

RESET_LINK_TTL = timedelta(hours=24)
# A letter is handed over at the counter or sent to the office; it may spend a weekend in
# the post. The code sets a password only: the second factor is still asked at sign-in.
RESET_LETTER_TTL = timedelta(days=7)


def desk_refusal(ctx: AuthContext, user: User) -> tuple[str, str, str] | None:
    """Why the caller may not work on this account (code, ja, en), or None."""
    if ctx.user is not None and ctx.user.id == user.id:
        return (
            "own_account",
            "ご自身のアカウントは「設定」から操作してください。",
            "Manage your own account in Settings.",
        )
    if user.role == Role.operator and not ctx.has_role(Role.operator):
        return (
            "operator_account",
            "システム管理者のアカウントは、システム管理者のみが操作できます。",
            "Only an operator can work on an operator's account.",
        )
    return None


@dataclass(frozen=True)
class Done:
    count: int | None = None
    mailed: bool = False


class AccountAdministration:
    """The help desk's actions; every one answers `Done` and leaves an audit event."""

    def __init__(self, session: AsyncSession, ctx: AuthContext, mailer: Mailer) -> None:
        require_admin(ctx)  # the same refusal (403 admin_only) as the rest of /api/admin
        self.session = session
        self.ctx = ctx
        self.mailer = mailer

    async def _target(self, user_id: uuid.UUID, *, active: bool = False) -> User:
        await begin_write(self.session)
        user = await self.session.get(User, user_id)
        if user is None:
            raise user_not_found()
        refusal = desk_refusal(self.ctx, user)
        if refusal is not None:
            code, ja, en = refusal
            if code == "own_account":
                raise Conflict(ja, en, code=code)
            raise Forbidden(ja, en, code=code)
        if active and user.status == UserStatus.stopped:
            raise Conflict(
                "このIDは停止されています。再開は新しいID発行で行ってください。",
                "This ID has been stopped; issue a new ID instead.",
                code="user_stopped",
            )
        return user

    async def _audit(self, action: str, user: User, note: str, **details: Any) -> None:
        await record(
            self.session,
            self.ctx,
            action,
            target_type="user",
            target_id=user.id,
            note=note or None,
            **details,
        )

    async def _mail(self, letter: Letter) -> bool:
        return bool(await deliver(self.mailer, [letter]))

    async def _end_sessions(self, user: User) -> int:
        result = await self.session.execute(
            delete(UserSession).where(UserSession.user_id == user.id)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def unlock(self, user_id: uuid.UUID, note: str = "") -> Done:
        """The person called and is who they say: the lock and the failure count go."""
        user = await self._target(user_id)
        user.failed_attempts = 0
        user.lock_count = 0
        user.locked_until = None
        await self._audit("admin.user_unlocked", user, note)
        await self.session.commit()
        return Done()

    async def reset_factors(self, user_id: uuid.UUID, note: str = "") -> Done:
        """Back to enrolment: the next sign-in asks for a new second factor."""
        user = await self._target(user_id, active=True)
        await self.session.execute(delete(TotpFactor).where(TotpFactor.user_id == user.id))
        await self.session.execute(
            delete(WebAuthnCredential).where(WebAuthnCredential.user_id == user.id)
        )
        ended = await self._end_sessions(user)
        await self._audit("admin.factors_reset", user, note, sessions=ended)
        await self.session.commit()
        return Done(mailed=await self._mail(templates.factors_reset(user.email, name=user.name)))

    async def _new_reset_token(self, user: User, token: str, ttl: timedelta) -> datetime:
        """One outstanding reset at a time: earlier links and letters stop working."""
        await self.session.execute(
            update(OneTimeToken)
            .where(
                OneTimeToken.user_id == user.id,
                OneTimeToken.purpose == TokenPurpose.password_reset,
                OneTimeToken.used_at.is_(None),
            )
            .values(used_at=self.ctx.now)
        )
        expires = self.ctx.now + ttl
        self.session.add(
            OneTimeToken(
                purpose=TokenPurpose.password_reset,
                token_hash=tokens.token_hash(token),
                user_id=user.id,
                expires_at=expires,
                created_at=self.ctx.now,
            )
        )
        await self._end_sessions(user)
        return expires

    async def reset_password(self, user_id: uuid.UUID, note: str = "") -> Done:
        """E-mail the person a single-use link to set a new password; nobody else sees it."""
        user = await self._target(user_id, active=True)
        if not user.email:
            raise Conflict(
                "このシステム利用者にはメールアドレスが登録されていません。再設定の通知書を印刷してください。",
                "This user has no e-mail address on record. Print a reset letter instead.",
                code="no_email",
            )
        token = tokens.new_token()
        expires = await self._new_reset_token(user, token, RESET_LINK_TTL)
        await self._audit("admin.password_reset_sent", user, note)
        await self.session.commit()
        letter = templates.password_reset(
            user.email,
            name=user.name,
            link=f"{self.ctx.settings.base_url}/activate/{token}",
            expires=jst_text(expires),
        )
        return Done(mailed=await self._mail(letter))

    async def reset_letter(self, user_id: uuid.UUID, note: str = "") -> ResetLetterOut:
        """A printed reset letter for staff without mail: the code is shown this once only."""
        user = await self._target(user_id, active=True)
        code = tokens.new_letter_code()
        expires = await self._new_reset_token(user, code, RESET_LETTER_TTL)
        await self._audit("admin.password_reset_letter", user, note)
        await self.session.commit()
        if user.email:
            notice = templates.reset_letter_printed(
                user.email, name=user.name, expires=jst_text(expires)
            )
            await self._mail(notice)
        help_page = await load_help(self.session)
        desk = help_page.contacts[0] if help_page.contacts else None
        link = f"{self.ctx.settings.base_url}/activate/{code}"
        assert self.ctx.user is not None
        return ResetLetterOut(
            user_id=user.id,
            login_id=user.login_id,
            name=user.name,
            office_name=user.office.name if user.office else None,
            link=link,
            code=code,
            qr_image=svg_data_uri(link, scale=4),
            issued_at=self.ctx.now,
            expires_at=expires,
            issued_by=self.ctx.user.name,
            city_name=help_page.city_name,
            contact_name=desk.name if desk else "",
            contact_phone=desk.phone if desk else "",
        )

    async def _wipe(
        self, user: User, device_ids: list[uuid.UUID], note: str, *, everywhere: bool
    ) -> Done:
        labels = list(
            await self.session.scalars(
                select(Device.label).where(Device.id.in_(device_ids)).order_by(Device.created_at)
            )
        )
        count = await flag_devices_for_wipe(self.session, self.ctx, device_ids, "admin")
        # The wiped devices' sessions end with the flag; `everywhere` ends the rest too.
        ended = await self._end_sessions(user) if everywhere else 0
        await self._audit("admin.devices_wiped", user, note, devices=count, sessions=ended)
        await self.session.commit()
        if not count:
            return Done(count=0)
        letter = templates.devices_wiped(user.email, name=user.name, devices=labels)
        return Done(count=count, mailed=await self._mail(letter))

    async def wipe_devices(self, user_id: uuid.UUID, note: str = "") -> Done:
        """A lost bag with phone and tablet: every device of the person, every session."""
        user = await self._target(user_id)
        ids = list(await self.session.scalars(select(Device.id).where(Device.user_id == user.id)))
        return await self._wipe(user, ids, note, everywhere=True)

    async def wipe_device(self, user_id: uuid.UUID, device_id: uuid.UUID, note: str = "") -> Done:
        """One lost phone: that device is wiped at its next contact, the others keep working."""
        user = await self._target(user_id)
        device = await self.session.scalar(
            select(Device).where(Device.id == device_id, Device.user_id == user.id)
        )
        if device is None:
            raise NotFound(
                "このシステム利用者の端末が見つかりません。", "No such device of this user.",
                code="device_not_found",
            )
        return await self._wipe(user, [device.id], note, everywhere=False)

    async def end_sessions(self, user_id: uuid.UUID, note: str = "") -> Done:
        """Sign the person out everywhere (a shared PC left signed in)."""
        user = await self._target(user_id)
        ended = await self._end_sessions(user)
        await self._audit("admin.sessions_ended", user, note, sessions=ended)
        await self.session.commit()
        return Done(count=ended)

    async def end_session(self, user_id: uuid.UUID, session_id: uuid.UUID, note: str = "") -> Done:
        user = await self._target(user_id)
        result = await self.session.execute(
            delete(UserSession).where(
                UserSession.id == session_id, UserSession.user_id == user.id
            )
        )
        if not getattr(result, "rowcount", 0):
            raise NotFound(
                "このセッションはすでに終了しています。", "This session has already ended.",
                code="session_not_found",
            )
        await self._audit("admin.sessions_ended", user, note, sessions=1)
        await self.session.commit()
        return Done(count=1)
