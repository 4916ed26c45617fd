"""Who holds which role: the city's clerks, and each office's システム管理担当者.

Every role change is one transaction with its audit event (`admin.role_changed`, or
`admin.user_issued` for a new account), and a mail to the person after the commit. New
people always come in through the activation mail: nobody chooses or sees a password.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Office, User
from store.models.enums import ROOM_MEMBER_ROLES, JobType, Role, UserStatus
from store.writer import begin_write

from ..audit.sign_ins import last_sign_ins
from ..auth.context import AuthContext
from ..auth.roles import require_admin
from ..errors import Conflict, InvalidInput, NotFound
from ..mail import templates
from ..mail.service import Mailer
from ..mail.templates import Letter
from .city_setup import city_office
from .common import deliver, job_label, record, user_not_found
from .schemas import ClerkIn, ClerkOut, NewPersonIn, SystemManagerIn, SystemManagerOut
from .users import NewPerson, issue_id, stop_user


async def _role_changed(
    session: AsyncSession, ctx: AuthContext, user: User, old: str, new: Role
) -> None:
    user.role = new
    user.updated_at = ctx.now
    await record(
        session,
        ctx,
        "admin.role_changed",
        target_type="user",
        target_id=user.id,
        fromRole=old,
        toRole=new.value,
        officeId=str(user.office_id) if user.office_id else None,
    )


# -- each office's システム管理担当者 -------------------------------------------------------------


async def system_managers_of(
    session: AsyncSession, office_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[SystemManagerOut]]:
    """The office admins of each office who have not been stopped, by name."""
    wanted = set(office_ids)
    found: dict[uuid.UUID, list[SystemManagerOut]] = defaultdict(list)
    if not wanted:
        return found
    rows = await session.scalars(
        select(User)
        .where(
            User.office_id.in_(wanted),
            User.role == Role.office_admin,
            User.status != UserStatus.stopped,
        )
        .order_by(User.name_kana, User.login_id)
    )
    for user in rows.unique():
        assert user.office_id is not None
        found[user.office_id].append(
            SystemManagerOut(
                id=user.id,
                login_id=user.login_id,
                name=user.name,
                job_type_label=job_label(user.job_type),
                status=user.status,
                email=user.email,
            )
        )
    return found


async def issue_system_manager(
    session: AsyncSession, ctx: AuthContext, office: Office, person: NewPersonIn
) -> tuple[User, Letter]:
    """A new person named システム管理担当者: a pending account and its activation mail."""
    return await issue_id(
        session,
        ctx,
        NewPerson(
            name=person.name.strip(),
            name_kana=person.name_kana.strip(),
            email=person.email,
            phone=person.phone,
            job_type=person.job_type.value,
            office_id=office.id,
        ),
        role=Role.office_admin,
    )


class SystemManagers:
    """The city names and unnames an office's システム管理担当者 (several are allowed)."""

    def __init__(self, session: AsyncSession, ctx: AuthContext, mailer: Mailer) -> None:
        require_admin(ctx)
        self.session = session
        self.ctx = ctx
        self.mailer = mailer

    async def _office(self, office_id: uuid.UUID) -> Office:
        await begin_write(self.session)
        office = await self.session.get(Office, office_id)
        if office is None:
            raise NotFound("事業所が見つかりません。", "Office not found.", code="office_not_found")
        return office

    async def name(self, office_id: uuid.UUID, data: SystemManagerIn) -> None:
        if (data.user_id is None) == (data.person is None):
            raise InvalidInput(
                "職員（userId）か新しい方（person）のどちらか一方を指定してください。",
                "Give either a member of staff (userId) or a new person (person), not both.",
                code="one_of_user_or_person",
            )
        office = await self._office(office_id)
        if office.closed_at is not None:
            raise Conflict(
                "この事業所は廃止・統合されています。",
                "This office has closed or merged.",
                code="office_closed",
            )
        if data.person is not None:
            _user, letter = await issue_system_manager(self.session, self.ctx, office, data.person)
            await self.session.commit()
            await deliver(self.mailer, [letter])
            return
        user = await self.session.get(User, data.user_id)
        if user is None:
            raise user_not_found()
        if user.office_id != office.id:
            raise Conflict(
                "この方は別の事業所の所属です。",
                "This person belongs to another office.",
                code="other_office",
            )
        if user.status == UserStatus.stopped:
            raise Conflict(
                "このIDは停止されています。", "This ID has been stopped.", code="user_stopped"
            )
        if user.role == Role.office_admin:
            raise Conflict(
                "この方はすでにシステム管理担当者です。",
                "This person is already a system manager of the office.",
                code="already_system_manager",
            )
        if user.role not in ROOM_MEMBER_ROLES or user.job_type == JobType.city_staff:
            raise Conflict(
                "市の管理者・システム管理者は事業所のシステム管理担当者になれません。",
                "The city's administrators cannot be an office's system manager.",
                code="not_office_staff",
            )
        await _role_changed(self.session, self.ctx, user, user.role, Role.office_admin)
        await self.session.commit()
        await deliver(
            self.mailer,
            [templates.system_manager_named(user.email, name=user.name, office_name=office.name)],
        )

    async def unname(self, office_id: uuid.UUID, user_id: uuid.UUID) -> None:
        """Back to a member of staff; their rooms are untouched. The last one stays until
        a successor is named, so that the office can always file its applications."""
        office = await self._office(office_id)
        user = await self.session.get(User, user_id)
        if user is None or user.office_id != office.id or user.role != Role.office_admin:
            raise NotFound(
                "この事業所のシステム管理担当者ではありません。",
                "This person is not a system manager of this office.",
                code="not_system_manager",
            )
        others = (await system_managers_of(self.session, [office.id])).get(office.id, [])
        if user.status != UserStatus.stopped and len(
            [m for m in others if m.id != user.id]
        ) == 0:
            raise Conflict(
                "事業所に最低1名のシステム管理担当者が必要です。先に後任を指定してください。",
                "An office needs at least one system manager. Name the successor first.",
                code="last_system_manager",
            )
        await _role_changed(self.session, self.ctx, user, user.role, Role.member)
        await self.session.commit()
        await deliver(
            self.mailer,
            [templates.system_manager_unnamed(user.email, name=user.name, office_name=office.name)],
        )


# -- the city's clerks --------------------------------------------------------------------------


class ClerkAccounts:
    """Operators and clerks create and retire clerk accounts (ユーザー管理者（市）).

    Retiring is an ID stop: sessions and devices end, the ledger keeps the person.
    """

    def __init__(self, session: AsyncSession, ctx: AuthContext, mailer: Mailer) -> None:
        require_admin(ctx)
        self.session = session
        self.ctx = ctx
        self.mailer = mailer

    async def _outs(self, users: list[User]) -> list[ClerkOut]:
        signed = await last_sign_ins(self.session, [u.id for u in users], "ok")
        return [
            ClerkOut(
                id=u.id,
                login_id=u.login_id,
                name=u.name,
                name_kana=u.name_kana,
                email=u.email,
                role=u.role,
                role_label=Role.label_of(u.role),
                status=u.status,
                status_label=UserStatus.label_of(u.status),
                office_name=u.office.name if u.office else None,
                created_at=u.created_at,
                activated_at=u.activated_at,
                stopped_at=u.stopped_at,
                last_sign_in_at=signed.get(u.id),
            )
            for u in users
        ]

    async def all(self) -> list[ClerkOut]:
        """Clerks first (active before stopped), then the operators, who are shown only."""
        users = list(
            (
                await self.session.scalars(
                    select(User)
                    .where(User.role.in_([Role.municipal_admin, Role.operator]))
                    .order_by(User.role, User.status, User.name_kana, User.login_id)
                )
            ).unique()
        )
        return await self._outs(users)

    async def create(self, data: ClerkIn) -> ClerkOut:
        await begin_write(self.session)
        office = await city_office(self.session)
        user, letter = await issue_id(
            self.session,
            self.ctx,
            NewPerson(
                name=data.name.strip(),
                name_kana=(data.name_kana or "").strip(),
                email=data.email,
                phone=data.phone,
                job_type=JobType.city_staff.value,
                office_id=office.id,
            ),
            role=Role.municipal_admin,
        )
        await self.session.commit()
        await deliver(self.mailer, [letter])
        return (await self._outs([user]))[0]

    async def retire(self, user_id: uuid.UUID, reason: str) -> ClerkOut:
        await begin_write(self.session)
        user = await self.session.get(User, user_id)
        if user is None or user.role != Role.municipal_admin:
            raise NotFound(
                "この方は市のユーザー管理者ではありません。",
                "This person is not one of the city's clerks.",
                code="not_a_clerk",
            )
        stopped = await stop_user(self.session, self.ctx, user.id, reason=reason)
        await record(
            self.session,
            self.ctx,
            "admin.clerk_retired",
            target_type="user",
            target_id=user.id,
            role=Role.municipal_admin.value,
        )
        await self.session.commit()
        assert self.ctx.user is not None
        await deliver(
            self.mailer,
            [
                templates.clerk_retired(
                    stopped.email, name=stopped.name, login_id=stopped.login_id,
                    by=self.ctx.user.name,
                )
            ],
        )
        return (await self._outs([stopped]))[0]
