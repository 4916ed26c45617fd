"""Invitations: the admin e-mails a single-use link (7 days); the invitee applies with it.

Only the SHA-256 of the token is stored. A link stops working when used, when
it expires (by the injected clock), when an admin revokes it (sent to the wrong
address, the person left) and for every purpose but its own.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Application, ApplicationEvent, Invitation, Office, Pledge, User
from store.models.enums import ApplicationKind, ApplicationState, JobType
from store.writer import begin_write

from ..auth import tokens
from ..auth.context import AuthContext
from ..auth.roles import require_admin
from ..errors import Conflict, DomainError, InvalidInput, NotFound
from ..mail import templates
from ..mail.service import Mailer
from .common import deliver, jst_text, office_ref, record
from .help import check_pledge, current_pledge
from .schemas import (
    AppliedOut,
    InvitationApplyIn,
    InvitationIn,
    InvitationOut,
    InvitationPublicOut,
    JobTypeOut,
    PledgeTextOut,
)

INVITATION_TTL = timedelta(days=7)
PROFESSIONAL_JOB_TYPES = [j for j in JobType if j != JobType.city_staff]


def _link_invalid() -> NotFound:
    return NotFound(
        "この招待リンクは無効か、使用済みか、期限が切れています。市の担当窓口に再送を依頼してください。",
        "This invitation link is invalid, used or expired. Ask the city's office for a new one.",
        code="link_invalid",
    )


def _link_revoked() -> DomainError:
    # 410: the link was real but the city withdrew it; the holder should ask, not retry.
    return DomainError(
        "この招待は市の担当者によって取り消されました。心当たりがある場合は市の担当窓口にお問い合わせください。",
        "This invitation was revoked by the city. "
        "If you expected it, please contact the city's office.",
        code="link_revoked",
        status_code=410,
    )


def invitation_state(invitation: Invitation, now: datetime) -> str:
    """pending | used | revoked | expired: used and revoked are final, expiry follows the clock."""
    if invitation.used_at is not None:
        return "used"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= now:
        return "expired"
    return "pending"


_NOT_REVOCABLE = {
    "used": (
        "この招待はすでに使用され、申請が届いています。取り消せません（不要なら申請を却下してください）。",
        "This invitation has already been used to apply; it cannot be revoked "
        "(reject the application instead).",
    ),
    "expired": (
        "この招待はすでに期限が切れています。取り消せません（リンクはもう使えません）。",
        "This invitation has already expired; it cannot be revoked (the link no longer works).",
    ),
    "revoked": (
        "この招待はすでに取り消されています。",
        "This invitation has already been revoked.",
    ),
}


async def _office(session: AsyncSession, office_id: uuid.UUID) -> Office:
    office = await session.get(Office, office_id)
    if office is None:
        raise InvalidInput(
            "事業所が見つかりません。", "The office was not found.", code="unknown_office"
        )
    return office


class InvitationAdministration:
    def __init__(self, session: AsyncSession, ctx: AuthContext, mailer: Mailer) -> None:
        require_admin(ctx)
        self.session = session
        self.ctx = ctx
        self.mailer = mailer

    async def invite(self, data: InvitationIn) -> InvitationOut:
        await begin_write(self.session)
        office = await _office(self.session, data.office_id)
        token = tokens.new_token()
        invitation = Invitation(
            token_hash=tokens.token_hash(token),
            name=data.name.strip(),
            email=data.email,
            office_id=office.id,
            invited_by_id=self.ctx.user_id,
            expires_at=self.ctx.now + INVITATION_TTL,
            created_at=self.ctx.now,
        )
        self.session.add(invitation)
        await self.session.flush()
        await record(
            self.session,
            self.ctx,
            "admin.invitation_sent",
            target_type="invitation",
            target_id=invitation.id,
            officeId=str(office.id),
        )
        await self.session.commit()
        await deliver(
            self.mailer,
            [
                templates.invitation(
                    invitation.email,
                    name=invitation.name,
                    office_name=office.name,
                    link=f"{self.ctx.settings.base_url}/invite/{token}",
                    expires=jst_text(invitation.expires_at),
                )
            ],
        )
        return (await self._outs([invitation]))[0]

    async def revoke(self, invitation_id: uuid.UUID) -> InvitationOut:
        """Withdraw an unused, unexpired invitation: its link stops working at once.

        The guarded UPDATE makes revoke and a concurrent apply exclusive: whichever
        writes first wins, the other sees the row no longer pending.
        """
        await begin_write(self.session)
        invitation = await self.session.get(Invitation, invitation_id)
        if invitation is None:
            raise NotFound(
                "招待が見つかりません。",
                "The invitation was not found.",
                code="invitation_not_found",
            )
        revoked = await self.session.execute(
            update(Invitation)
            .where(
                Invitation.id == invitation.id,
                Invitation.used_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > self.ctx.now,
            )
            .values(revoked_at=self.ctx.now, revoked_by_id=self.ctx.user_id)
            .execution_options(synchronize_session=False)
        )
        if not getattr(revoked, "rowcount", 0):
            await self.session.refresh(invitation)
            state = invitation_state(invitation, self.ctx.now)
            ja, en = _NOT_REVOCABLE.get(state, _NOT_REVOCABLE["revoked"])
            raise Conflict(ja, en, code="invitation_not_pending", state=state)
        await record(
            self.session,
            self.ctx,
            "admin.invitation_revoked",
            target_type="invitation",
            target_id=invitation.id,
            officeId=str(invitation.office_id),
        )
        await self.session.commit()
        await self.session.refresh(invitation)
        return (await self._outs([invitation]))[0]

    async def all(self) -> list[InvitationOut]:
        rows = list(
            await self.session.scalars(select(Invitation).order_by(Invitation.created_at.desc()))
        )
        return await self._outs(rows)

    async def _outs(self, rows: list[Invitation]) -> list[InvitationOut]:
        offices = {
            o.id: o
            for o in await self.session.scalars(
                select(Office).where(Office.id.in_({r.office_id for r in rows}))
            )
        }
        inviters = {
            u.id: u.name
            for u in (
                await self.session.scalars(
                    select(User).where(
                        User.id.in_(
                            {r.invited_by_id for r in rows}
                            | {r.revoked_by_id for r in rows if r.revoked_by_id}
                        )
                    )
                )
            ).unique()
        }
        applications = {
            invitation_id: application_id
            for application_id, invitation_id in (
                await self.session.execute(
                    select(Application.id, Application.invitation_id).where(
                        Application.invitation_id.in_([r.id for r in rows])
                    )
                )
            ).all()
        }
        out = []
        for r in rows:
            out.append(
                InvitationOut(
                    id=r.id,
                    name=r.name,
                    email=r.email,
                    office=office_ref(offices[r.office_id]),
                    invited_by=inviters.get(r.invited_by_id),
                    created_at=r.created_at,
                    expires_at=r.expires_at,
                    used_at=r.used_at,
                    revoked_at=r.revoked_at,
                    revoked_by=inviters.get(r.revoked_by_id) if r.revoked_by_id else None,
                    state=invitation_state(r, self.ctx.now),
                    application_id=applications.get(r.id),
                )
            )
        return out


class InvitationLinks:
    """What the holder of an invitation link may do: read it once it is valid, apply once."""

    def __init__(self, session: AsyncSession, ctx: AuthContext) -> None:
        self.session = session
        self.ctx = ctx

    async def _valid(self, token: str) -> Invitation:
        if not token or len(token) > 128:
            raise _link_invalid()
        invitation = await self.session.scalar(
            select(Invitation).where(Invitation.token_hash == tokens.token_hash(token))
        )
        if invitation is None or invitation.used_at is not None:
            raise _link_invalid()
        if invitation.revoked_at is not None:
            raise _link_revoked()
        if invitation.expires_at <= self.ctx.now:
            raise _link_invalid()
        return invitation

    async def describe(self, token: str) -> InvitationPublicOut:
        invitation = await self._valid(token)
        office = await _office(self.session, invitation.office_id)
        offices = list(await self.session.scalars(select(Office).order_by(Office.name_kana)))
        pledge = await current_pledge(self.session)
        return InvitationPublicOut(
            name=invitation.name,
            email=invitation.email,
            office=office_ref(office),
            expires_at=invitation.expires_at,
            offices=[office_ref(o) for o in offices],
            job_types=[
                JobTypeOut(code=j.value, label=j.label()) for j in PROFESSIONAL_JOB_TYPES
            ],
            pledge=PledgeTextOut(form="4-2", version=pledge.version, text=pledge.form42),
        )

    async def apply(self, token: str, data: InvitationApplyIn) -> AppliedOut:
        await begin_write(self.session)
        invitation = await self._valid(token)
        if data.job_type == JobType.city_staff:
            raise InvalidInput(
                "職種を選んでください（市職員は招待による申請の対象外です）。",
                "Choose a care profession (city staff do not apply by invitation).",
                code="invalid_job_type",
            )
        office = await _office(self.session, data.office_id or invitation.office_id)
        await check_pledge(self.session, data.pledge.version, data.pledge.accepted)
        taken = await self.session.execute(
            update(Invitation)
            .where(
                Invitation.id == invitation.id,
                Invitation.used_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .values(used_at=self.ctx.now)
            .execution_options(synchronize_session=False)
        )
        if not getattr(taken, "rowcount", 0):
            raise _link_invalid()
        application = Application(
            kind=ApplicationKind.id_invited,
            state=ApplicationState.submitted,
            office_id=office.id,
            invitation_id=invitation.id,
            payload={
                "name": data.name.strip(),
                "nameKana": data.name_kana.strip(),
                "jobType": data.job_type.value,
                "email": data.email,
                "phone": data.phone,
                "officeId": str(office.id),
                "visitsHomes": data.visits_homes,
                "pledge": {"form": "4-2", "version": data.pledge.version},
            },
            created_at=self.ctx.now,
            updated_at=self.ctx.now,
        )
        self.session.add(application)
        await self.session.flush()
        self.session.add(
            Pledge(
                form="4-2",
                version=data.pledge.version,
                office_id=office.id,
                application_id=application.id,
                signer_name=data.name.strip(),
                accepted_at=self.ctx.now,
            )
        )
        self.session.add(
            ApplicationEvent(
                application_id=application.id,
                actor_id=None,
                action="submitted",
                note="invitation",
                at=self.ctx.now,
            )
        )
        await record(
            self.session,
            self.ctx,
            "invitation.applied",
            target_type="application",
            target_id=application.id,
            invitationId=str(invitation.id),
            officeId=str(office.id),
        )
        await self.session.commit()
        return AppliedOut(application_id=application.id, state=application.state)
