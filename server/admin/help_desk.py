"""What the help desk sees of a person's account: lock state, sign-ins, factors, devices, sessions.

A caller says "田中です、訪問看護ステーションの" or reads out a login ID: the search takes a
name, its kana (hiragana or katakana, with or without the space), a login ID or an office
name. Looking at one account is itself audited — it shows IP addresses and devices.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Device, Office, OneTimeToken, User, UserSession
from store.models.enums import Role, TokenPurpose, UserStatus
from store.writer import begin_write

from ..accounts.refs import job_label
from ..accounts.schemas import FactorsOut, PasskeyOut
from ..audit.sign_ins import last_sign_ins
from ..auth.context import AuthContext
from ..auth.roles import require_admin
from ..auth.service import factors_of
from .account_actions import desk_refusal
from .common import record, user_not_found
from .help_desk_schemas import (
    DeskAccountOut,
    DeskDeviceOut,
    DeskPersonOut,
    DeskSessionOut,
    LockOut,
)

SEARCH_LIMIT = 50
_HIRAGANA = range(0x3041, 0x3097)
_KATAKANA_OFFSET = 0x60


def kana_variants(text: str) -> set[str]:
    """The text as typed, in hiragana and in katakana (ふりがな is stored either way)."""
    hira = "".join(chr(ord(c) - _KATAKANA_OFFSET) if 0x30A1 <= ord(c) <= 0x30F6 else c
                   for c in text)
    kata = "".join(chr(ord(c) + _KATAKANA_OFFSET) if ord(c) in _HIRAGANA else c for c in hira)
    return {text, hira, kata}


def _squeezed(column: Any) -> Any:
    """The column without ASCII or ideographic spaces: 「田中恵子」 finds 「田中 恵子」."""
    return func.replace(func.replace(column, " ", ""), "\u3000", "")


def _matches(q: str) -> ColumnElement[bool]:
    terms = []
    for variant in kana_variants("".join(q.split())):
        terms += [
            _squeezed(User.name).contains(variant, autoescape=True),
            _squeezed(User.name_kana).contains(variant, autoescape=True),
            _squeezed(Office.name).contains(variant, autoescape=True),
        ]
    terms.append(User.login_id.contains(q.strip(), autoescape=True))
    return or_(*terms)


def _locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


class HelpDesk:
    def __init__(self, session: AsyncSession, ctx: AuthContext) -> None:
        require_admin(ctx)
        self.session = session
        self.ctx = ctx

    async def _people(self, users: list[User]) -> list[DeskPersonOut]:
        ids = [u.id for u in users]
        signed = await last_sign_ins(self.session, ids, "ok")
        devices: dict[uuid.UUID, int] = {}
        if ids:
            rows = await self.session.execute(
                select(Device.user_id, func.count())
                .where(Device.user_id.in_(ids), Device.wipe_requested_at.is_(None))
                .group_by(Device.user_id)
            )
            devices = {owner: int(n) for owner, n in rows.all() if owner is not None}
        return [
            DeskPersonOut(
                id=u.id,
                login_id=u.login_id,
                name=u.name,
                name_kana=u.name_kana,
                job_type=u.job_type,
                job_type_label=job_label(u.job_type),
                role=u.role,
                role_label=Role.label_of(u.role),
                status=u.status,
                status_label=UserStatus.label_of(u.status),
                office_id=u.office_id,
                office_name=u.office.name if u.office else None,
                has_email=bool(u.email),
                locked=_locked(u, self.ctx.now),
                last_sign_in_at=signed.get(u.id),
                devices=devices.get(u.id, 0),
            )
            for u in users
        ]

    async def search(
        self, q: str | None, office_id: uuid.UUID | None, locked: bool
    ) -> list[DeskPersonOut]:
        stmt = (
            select(User)
            .outerjoin(Office, Office.id == User.office_id)
            .order_by(User.name_kana, User.login_id)
            .limit(SEARCH_LIMIT)
        )
        if q and q.strip():
            stmt = stmt.where(_matches(q))
        if office_id is not None:
            stmt = stmt.where(User.office_id == office_id)
        if locked:
            stmt = stmt.where(
                and_(User.locked_until.is_not(None), User.locked_until > self.ctx.now)
            )
        users = list((await self.session.scalars(stmt)).unique())
        return await self._people(users)

    async def account(self, user_id: uuid.UUID) -> DeskAccountOut:
        user = await self.session.get(User, user_id)
        if user is None:
            raise user_not_found()
        (person,) = await self._people([user])
        failed = await last_sign_ins(self.session, [user.id], "failure")
        factors = await factors_of(self.session, user.id)
        idle = timedelta(seconds=self.ctx.settings.auth.idle_timeout_s)
        sessions = list(
            await self.session.scalars(
                select(UserSession)
                .where(
                    UserSession.user_id == user.id,
                    UserSession.expires_at > self.ctx.now,
                    UserSession.last_seen_at > self.ctx.now - idle,
                )
                .order_by(UserSession.last_seen_at.desc())
            )
        )
        devices = list(
            await self.session.scalars(
                select(Device)
                .where(Device.user_id == user.id)
                .order_by(Device.wipe_requested_at.is_not(None), Device.last_seen_at.desc())
            )
        )
        reset_expires = await self.session.scalar(
            select(func.max(OneTimeToken.expires_at)).where(
                OneTimeToken.user_id == user.id,
                OneTimeToken.purpose == TokenPurpose.password_reset,
                OneTimeToken.used_at.is_(None),
                OneTimeToken.expires_at > self.ctx.now,
            )
        )
        refusal = desk_refusal(self.ctx, user)
        out = DeskAccountOut(
            person=person,
            email=user.email,
            phone=user.phone,
            lock=LockOut(
                locked=person.locked,
                locked_until=user.locked_until if person.locked else None,
                failed_attempts=user.failed_attempts,
                lock_count=user.lock_count,
                threshold=self.ctx.settings.auth.lockout_threshold,
            ),
            last_failed_sign_in_at=failed.get(user.id),
            activated_at=user.activated_at,
            stopped_at=user.stopped_at,
            password_changed_at=user.password_changed_at,
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
            devices=[
                DeskDeviceOut(
                    id=d.id,
                    label=d.label,
                    created_at=d.created_at,
                    last_seen_at=d.last_seen_at,
                    sessions=sum(1 for s in sessions if s.device_id == d.id),
                    wipe_requested_at=d.wipe_requested_at,
                    wipe_reason=d.wipe_reason,
                    wipe_delivered_at=d.wipe_delivered_at,
                )
                for d in devices
            ],
            sessions=[
                DeskSessionOut(
                    id=s.id,
                    stage=s.stage,
                    factor=s.factor,
                    created_at=s.created_at,
                    last_seen_at=s.last_seen_at,
                    expires_at=s.expires_at,
                    ip=s.ip,
                    user_agent=s.user_agent,
                    device_id=s.device_id,
                )
                for s in sessions
            ],
            reset_link_expires_at=reset_expires,
            may_act=refusal is None,
            may_act_reason=refusal[0] if refusal else None,
        )
        # It shows addresses and devices of a person: the look is on the record.
        await self.session.rollback()
        await begin_write(self.session)
        await record(
            self.session, self.ctx, "admin.account_viewed", target_type="user", target_id=user_id
        )
        await self.session.commit()
        return out
