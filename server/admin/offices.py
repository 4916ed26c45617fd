"""Offices (事業所): the list the admin keeps, with each office's 様式4-1 pledge."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Literal, cast

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Office, Pledge, User
from store.models.enums import UserStatus
from store.writer import begin_write

from ..auth.context import AuthContext
from ..auth.roles import require_admin
from ..errors import NotFound
from ..mail.service import Mailer
from .common import JST, deliver, office_kind_label, record
from .help import check_pledge
from .roles import issue_system_manager, system_managers_of
from .schemas import OfficeIn, OfficeOut


async def office_pledges(session: AsyncSession) -> dict[uuid.UUID, Pledge]:
    """Each office's latest 様式4-1: its representative signed it."""
    rows = await session.scalars(
        select(Pledge).where(Pledge.form == "4-1").order_by(Pledge.accepted_at)
    )
    return {p.office_id: p for p in rows}


async def latest_office_pledge(session: AsyncSession, office_id: uuid.UUID) -> Pledge | None:
    """The office's latest 様式4-1 on record, if any."""
    found: Pledge | None = await session.scalar(
        select(Pledge)
        .where(Pledge.form == "4-1", Pledge.office_id == office_id)
        .order_by(Pledge.accepted_at.desc())
        .limit(1)
    )
    return found


async def office_outs(session: AsyncSession, offices: list[Office]) -> list[OfficeOut]:
    pledges = await office_pledges(session)
    rows = await session.execute(
        select(User.office_id, func.count())
        .where(User.status == UserStatus.active)
        .group_by(User.office_id)
    )
    counts: dict[uuid.UUID | None, int] = {office_id: int(n) for office_id, n in rows.all()}
    managers = await system_managers_of(session, [o.id for o in offices])
    out = []
    for o in offices:
        pledge = pledges.get(o.id)
        out.append(
            OfficeOut(
                id=o.id,
                name=o.name,
                name_kana=o.name_kana,
                kind=o.kind,
                kind_label=office_kind_label(o.kind),
                postal_code=o.postal_code,
                address=o.address,
                phone=o.phone,
                fax=o.fax,
                representative=pledge.signer_name if pledge else None,
                pledged_at=pledge.accepted_at if pledge else None,
                pledge_version=pledge.version if pledge else None,
                active_users=int(counts.get(o.id, 0)),
                created_at=o.created_at,
                system_managers=managers.get(o.id, []),
                closed_at=o.closed_at,
                closed_reason=cast(Literal["closed", "merged"] | None, o.closed_reason),
                merged_into_id=o.merged_into_id,
            )
        )
    return out


class OfficeAdministration:
    def __init__(self, session: AsyncSession, ctx: AuthContext, mailer: Mailer) -> None:
        require_admin(ctx)
        self.session = session
        self.ctx = ctx
        self.mailer = mailer

    async def all(self) -> list[OfficeOut]:
        offices = list(
            await self.session.scalars(select(Office).order_by(Office.kind, Office.name_kana))
        )
        return await office_outs(self.session, offices)

    async def create(self, data: OfficeIn) -> OfficeOut:
        """A new office; a 様式4-1 received on paper is recorded with the day it was signed,
        and each システム管理担当者 named gets an account by the activation mail."""
        await begin_write(self.session)
        if data.pledge is not None:
            await check_pledge(self.session, data.pledge.version, True)
        office = Office(
            name=data.name.strip(),
            name_kana=data.name_kana.strip(),
            kind=data.kind.value,
            postal_code=data.postal_code,
            address=data.address.strip(),
            phone=data.phone,
            fax=data.fax,
            created_at=self.ctx.now,
        )
        self.session.add(office)
        await self.session.flush()
        if data.pledge is not None:
            self.session.add(
                Pledge(
                    form="4-1",
                    version=data.pledge.version,
                    office_id=office.id,
                    signer_name=data.pledge.representative.strip(),
                    accepted_at=datetime.combine(data.pledge.accepted_on, time(12), JST),
                )
            )
        await record(
            self.session,
            self.ctx,
            "admin.office_created",
            target_type="office",
            target_id=office.id,
            kind=office.kind,
            systemManagers=len(data.system_managers),
        )
        letters = [
            (await issue_system_manager(self.session, self.ctx, office, person))[1]
            for person in data.system_managers
        ]
        await self.session.commit()
        await deliver(self.mailer, letters)
        return (await office_outs(self.session, [office]))[0]

    async def get(self, office_id: uuid.UUID) -> OfficeOut:
        office = await self.session.get(Office, office_id)
        if office is None:
            raise NotFound("事業所が見つかりません。", "Office not found.", code="office_not_found")
        return (await office_outs(self.session, [office]))[0]
