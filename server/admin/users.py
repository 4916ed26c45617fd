"""Issuing IDs and stopping them (様式3): the two ends of a user's life in the ledger.

Nothing is ever deleted: a stopped user keeps their row, pledges and history;
what ends is every way in — sessions, devices (flagged for wipe), memberships,
push subscriptions and outstanding one-time links.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import (
    Device,
    Office,
    OneTimeToken,
    Pledge,
    PushSubscription,
    RoomMember,
    User,
    UserSession,
)
from store.models.enums import Role, TokenPurpose, UserStatus
from sync.changes import bump_membership_version
from sync.membership import membership_changed

from ..accounts.service import flag_devices_for_wipe
from ..auth import tokens
from ..auth.context import AuthContext
from ..errors import Conflict
from ..mail import templates
from ..mail.templates import Letter
from .common import jst_text, record, user_not_found
from .composition import may_visit_homes, usual_visits_homes

LOGIN_ID_PREFIX = "cb"


@dataclass(frozen=True)
class NewPerson:
    name: str
    name_kana: str
    email: str
    phone: str
    job_type: str
    office_id: uuid.UUID
    visits_homes: bool | None = None  # None: the office kind's usual rule


async def free_login_id(session: AsyncSession) -> str:
    """`cb` and seven digits: easy to read out and type on a tablet, unique by construction."""
    for _ in range(50):
        candidate = f"{LOGIN_ID_PREFIX}{secrets.randbelow(10**7):07d}"
        taken = await session.scalar(select(User.id).where(User.login_id == candidate))
        if taken is None:
            return candidate
    raise RuntimeError("no free login ID found")  # pragma: no cover - 10^7 ids


async def issue_id(
    session: AsyncSession,
    ctx: AuthContext,
    person: NewPerson,
    *,
    application_id: uuid.UUID | None = None,
    role: Role = Role.member,
) -> tuple[User, Letter]:
    """Create the pending user and a single-use activation link, and write the mail to send.

    The same path for every new account — staff from an approved application, an office's
    システム管理担当者 named by the city, a city clerk: nobody chooses or sees a password.
    """
    office = await session.get(Office, person.office_id)
    visits = person.visits_homes
    if visits is None:
        visits = usual_visits_homes(person.job_type, office.kind if office else None)
    user = User(
        login_id=await free_login_id(session),
        name=person.name,
        name_kana=person.name_kana,
        email=person.email,
        phone=person.phone,
        job_type=person.job_type,
        visits_homes=bool(visits) and may_visit_homes(person.job_type),
        role=role,
        status=UserStatus.pending,
        office_id=person.office_id,
        password_hash=None,
        password_must_change=False,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    session.add(user)
    await session.flush()
    if application_id is not None:
        # The pledges accepted with the application now belong to the person.
        await session.execute(
            update(Pledge)
            .where(Pledge.application_id == application_id, Pledge.form == "4-2")
            .values(user_id=user.id)
        )
    await record(
        session,
        ctx,
        "admin.user_issued",
        target_type="user",
        target_id=user.id,
        loginId=user.login_id,
        applicationId=str(application_id) if application_id else None,
        officeId=str(person.office_id),
        jobType=person.job_type,
        role=role.value,
    )
    letter = await activation_letter(session, ctx, user)
    return user, letter


async def new_activation(
    session: AsyncSession, ctx: AuthContext, user: User, token: str, ttl: timedelta
) -> str:
    """A single-use activation link (or letter code) for a pending person; its expiry, as text."""
    session.add(
        OneTimeToken(
            purpose=TokenPurpose.activation,
            token_hash=tokens.token_hash(token),
            user_id=user.id,
            expires_at=ctx.now + ttl,
            created_at=ctx.now,
        )
    )
    await session.flush()
    return jst_text(ctx.now + ttl)


async def activation_letter(session: AsyncSession, ctx: AuthContext, user: User) -> Letter:
    """The activation mail for a new account, worded for its role, with a new link."""
    token = tokens.new_token()
    ttl = timedelta(seconds=ctx.settings.auth.initial_password_ttl_s)
    expires = await new_activation(session, ctx, user, token, ttl)
    link = f"{ctx.settings.base_url}/activate/{token}"
    if user.role == Role.municipal_admin:
        return templates.clerk_issued(
            user.email, name=user.name, login_id=user.login_id, link=link, expires=expires
        )
    if user.role == Role.office_admin:
        office = await session.get(Office, user.office_id) if user.office_id else None
        return templates.system_manager_issued(
            user.email,
            name=user.name,
            office_name=office.name if office else "",
            login_id=user.login_id,
            link=link,
            expires=expires,
        )
    return templates.id_issued(
        user.email, name=user.name, login_id=user.login_id, link=link, expires=expires
    )


async def stop_user(
    session: AsyncSession,
    ctx: AuthContext,
    user_id: uuid.UUID,
    *,
    reason: str,
    application_id: uuid.UUID | None = None,
) -> User:
    """様式3 on approval: every way in ends now, the ledger keeps the person.

    The caller has begun the write transaction and commits.
    """
    if ctx.user is not None and ctx.user.id == user_id:
        raise Conflict(
            "自分自身のIDは停止できません。", "You cannot stop your own ID.", code="stop_self"
        )
    # One conditional UPDATE: of two admins stopping at once, exactly one wins.
    result = await session.execute(
        update(User)
        .where(User.id == user_id, User.status != UserStatus.stopped)
        .values(status=UserStatus.stopped, stopped_at=ctx.now, updated_at=ctx.now)
        .execution_options(synchronize_session=False)
    )
    user = await session.get(User, user_id, populate_existing=True)
    if user is None:
        raise user_not_found()
    if not getattr(result, "rowcount", 0):
        raise Conflict(
            "このIDはすでに停止されています。",
            "This ID has already been stopped.",
            code="already_stopped",
        )
    device_ids = list(await session.scalars(select(Device.id).where(Device.user_id == user.id)))
    await flag_devices_for_wipe(session, ctx, device_ids, "idStop")
    await session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    await session.execute(delete(PushSubscription).where(PushSubscription.user_id == user.id))
    await session.execute(
        update(OneTimeToken)
        .where(OneTimeToken.user_id == user.id, OneTimeToken.used_at.is_(None))
        .values(used_at=ctx.now)
    )
    memberships = list(
        await session.scalars(
            select(RoomMember).where(RoomMember.user_id == user.id, RoomMember.left_at.is_(None))
        )
    )
    for member in memberships:
        member.left_at = ctx.now
        member.left_reason = "idStop"
    await session.flush()
    for member in memberships:
        # Records the member change in the room and bumps the user's membership version.
        await membership_changed(session, member.room_id, user.id, ctx.now)
    if not memberships:
        await bump_membership_version(session, user.id)
    await record(
        session,
        ctx,
        "admin.user_stopped",
        target_type="user",
        target_id=user.id,
        reason=reason[:200],
        applicationId=str(application_id) if application_id else None,
        devices=len(device_ids),
        rooms=len(memberships),
    )
    return user
