"""Arrange data directly in the database for tests, with the same rules the app uses."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyotp

from server.admin.composition import usual_visits_homes
from server.auth import totp
from server.auth.service import hashing
from server.settings import Settings
from store.models import Office, Pledge, TotpFactor, User
from store.models.enums import JobType, OfficeKind, Role, UserStatus

DEFAULT_PASSWORD = "correct horse battery staple"


@dataclass
class MadeUser:
    id: uuid.UUID
    login_id: str
    password: str
    totp_secret: str | None


async def make_office(
    sessionmaker: Any,
    name: str = "みどり訪問看護ステーション",
    kind: OfficeKind = OfficeKind.visiting_nurse_station,
) -> uuid.UUID:
    async with sessionmaker() as session:
        office = Office(name=name, kind=kind)
        session.add(office)
        await session.commit()
        return office.id


async def make_office_pledge(
    sessionmaker: Any,
    office_id: uuid.UUID,
    *,
    at: datetime,
    signer: str = "代表 一郎",
    version: str = "2024-04",
) -> None:
    """The office's 様式4-1, as if received on paper and recorded by the city."""
    async with sessionmaker() as session:
        session.add(
            Pledge(form="4-1", version=version, office_id=office_id, signer_name=signer,
                   accepted_at=at)
        )
        await session.commit()


async def make_user(
    sessionmaker: Any,
    settings: Settings,
    login_id: str,
    *,
    now: datetime,
    password: str = DEFAULT_PASSWORD,
    role: Role = Role.member,
    job_type: JobType = JobType.nurse,
    with_totp: bool = True,
    must_change: bool = False,
    password_expires_at: datetime | None = None,
    status: UserStatus = UserStatus.active,
    office_id: uuid.UUID | None = None,
    email: str = "",
    name: str = "看護 花子",
    visits_homes: bool | None = None,
) -> MadeUser:
    """A user; without `visits_homes`, the office kind's usual rule (as registration)."""
    if office_id is None:
        office_id = await make_office(sessionmaker)
    if visits_homes is None:
        async with sessionmaker() as session:
            office = await session.get(Office, office_id)
            visits_homes = usual_visits_homes(job_type, office.kind if office else None)
    secret = pyotp.random_base32(32) if with_totp else None
    async with sessionmaker() as session:
        user = User(
            login_id=login_id,
            name=name,
            name_kana="かんご はなこ",
            email=email or f"{login_id}@example.jp",
            job_type=job_type,
            visits_homes=visits_homes,
            role=role,
            status=status,
            office_id=office_id,
            password_hash=hashing(settings).hash(password),
            password_must_change=must_change,
            password_expires_at=password_expires_at,
            created_at=now,
        )
        session.add(user)
        await session.flush()
        if secret is not None:
            session.add(
                TotpFactor(
                    user_id=user.id,
                    secret_encrypted=totp.seal_secret(settings.secret_key, secret),
                    confirmed_at=now,
                    created_at=now,
                )
            )
        await session.commit()
        return MadeUser(user.id, login_id, password, secret)


async def set_password_and_totp(
    settings: Settings, login_id: str, secret: str, password: str = DEFAULT_PASSWORD
) -> None:
    """Give a user without a password (an imported one) a password and a confirmed TOTP, as
    activation and enrolment would, without driving those screens."""
    from sqlalchemy import select

    from server import db
    from server.clock import Clock

    engine = db.create_engine(settings.database)
    try:
        async with db.session_factory(engine)() as session:
            user = (
                await session.execute(select(User).where(User.login_id == login_id))
            ).unique().scalar_one()
            now = Clock().now()
            user.password_hash = hashing(settings).hash(password)
            user.password_must_change = False
            if user.status == UserStatus.pending:  # activation makes an imported ID active
                user.status, user.activated_at = UserStatus.active, now
            session.add(
                TotpFactor(
                    user_id=user.id,
                    secret_encrypted=totp.seal_secret(settings.secret_key, secret),
                    confirmed_at=now,
                    created_at=now,
                )
            )
            await session.commit()
    finally:
        await engine.dispose()
