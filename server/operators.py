"""Admin accounts issued from the command line (`carebook create-admin`, `carebook init-city`).

An operator runs the installation itself; a municipal admin (the city's clerk) runs the
programme. Before anyone can sign in there is nobody to send an activation mail from, so
these accounts get a random initial password that is shown once in the terminal, must be
changed at the first sign-in, and expires after `settings.auth.initial_password_ttl_s`.
Further clerks are created on the clerk-accounts screen, by the activation mail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Office, User
from store.models.enums import JobType, OfficeKind, Role, UserStatus

from .audit import service as audit
from .auth.passwords import PasswordHashing, random_initial_password
from .clock import Clock
from .settings import Settings

SYSTEM_OFFICE_NAME = "システム管理"
LOGIN_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$")


class OperatorError(ValueError):
    """The operator cannot be created as asked; the message says why."""


@dataclass(frozen=True)
class IssuedOperator:
    user: User
    initial_password: str
    office_name: str


def login_id_problem(login_id: str) -> str | None:
    if not LOGIN_ID_PATTERN.fullmatch(login_id):
        return (
            "the login ID must be 3 to 64 characters: letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return None


def email_problem(email: str) -> str | None:
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or any(ch.isspace() for ch in email):
        return "the e-mail address must look like name@example.jp"
    return None


async def system_office(session: AsyncSession) -> Office:
    """The office 「システム管理」 that operators belong to, created on first use."""
    office = (
        await session.execute(
            select(Office)
            .where(Office.name == SYSTEM_OFFICE_NAME, Office.kind == OfficeKind.other)
            .order_by(Office.created_at)
            .limit(1)
        )
    ).scalar_one_or_none()
    if office is None:
        office = Office(name=SYSTEM_OFFICE_NAME, name_kana="システムカンリ", kind=OfficeKind.other)
        session.add(office)
        await session.flush()
    return office


async def create_operator(
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
    *,
    login_id: str,
    name: str,
    email: str,
    role: Role = Role.operator,
    office: Office | None = None,
) -> IssuedOperator:
    """Create an active operator or municipal admin with a one-time password; the caller
    commits. Operators belong to 「システム管理」, clerks to the city's office."""
    if role not in (Role.operator, Role.municipal_admin):
        raise OperatorError("the command line issues operators and municipal admins only")
    login_id = login_id.strip()
    name = name.strip()
    email = email.strip()
    for problem in (login_id_problem(login_id), email_problem(email)):
        if problem:
            raise OperatorError(problem)
    if not name:
        raise OperatorError("the name must not be empty")
    existing = (
        await session.execute(select(User.id).where(User.login_id == login_id))
    ).scalar_one_or_none()
    if existing is not None:
        raise OperatorError(f"the login ID {login_id!r} is already taken")
    if office is None:
        if role == Role.operator:
            office = await system_office(session)
        else:
            from .admin.city_setup import city_office

            office = await city_office(session)
    now = clock.now()
    password = random_initial_password()
    hashing = PasswordHashing(settings.auth.argon2_time_cost, settings.auth.argon2_memory_kib)
    user = User(
        login_id=login_id,
        name=name,
        email=email,
        job_type=JobType.other if role == Role.operator else JobType.city_staff,
        role=role,
        status=UserStatus.active,
        office_id=office.id,
        password_hash=hashing.hash(password),
        password_must_change=True,
        password_expires_at=now + timedelta(seconds=settings.auth.initial_password_ttl_s),
        activated_at=now,
        created_at=now,
    )
    session.add(user)
    await session.flush()
    await audit.record(
        session,
        at=now,
        actor=audit.Actor(login_id="carebook create-admin"),
        action="admin.user_issued",
        target_type="user",
        target_id=user.id,
        details={"loginId": login_id, "role": role.value, "officeId": str(office.id)},
    )
    return IssuedOperator(user=user, initial_password=password, office_name=office.name)
