"""Offices (事業所): the list the admin keeps, with each office's 様式4-1 pledge."""

from __future__ import annotations

import uuid
from datetime import datetime, time

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import db
from ..auth.context import AuthContext
from ..models import Office, Pledge, User
from ..models.enums import UserStatus
from .common import JST, office_kind_label, record, require_admin
from .help import check_pledge
from .schemas import OfficeIn, OfficeOut


async def office_pledges(session: AsyncSession) -> dict[uuid.UUID, Pledge]:
    """Each office's latest 様式4-1: its representative signed it."""
    rows = await session.scalars(
        select(Pledge).where(Pledge.form == "4-1").order_by(Pledge.accepted_at)
    )
    return {p.office_id: p for p in rows}


async def office_outs(session: AsyncSession, offices: list[Office]) -> list[OfficeOut]:
    pledges = await office_pledges(session)
    rows = await session.execute(
        select(User.office_id, func.count())
        .where(User.status == UserStatus.active)
        .group_by(User.office_id)
    )
    counts: dict[uuid.UUID | None, int] = {office_id: int(n) for office_id, n in rows.all()}
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
            )
        )
    return out


class OfficeAdministration:
    def __init__(self, session: AsyncSession, ctx: AuthContext) -> None:
        require_admin(ctx)
        self.session = session
        self.ctx = ctx

    async def all(self) -> list[OfficeOut]:
        offices = list(
            await self.session.scalars(select(Office).order_by(Office.kind, Office.name_kana))
        )
        return await office_outs(self.session, offices)

    async def create(self, data: OfficeIn) -> OfficeOut:
        """A new office; a 様式4-1 received on paper is recorded with the day it was signed."""
        await db.begin_write(self.session)
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
        )
        await self.session.commit()
        return (await office_outs(self.session, [office]))[0]
