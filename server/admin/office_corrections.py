"""Correcting an office, recording its paper 様式4-1, and closing or merging it.

An office's name and phone travel with each of its staff's memberships (the
care team shows them), so a correction of either is sent to the rooms its
staff are in. When an office closes or merges, its staff are stopped or moved
in the same transaction: nobody is left belonging to an office that is gone.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Office, OfficeStay, Pledge, RoomMember, User
from store.models.enums import OfficeClosing, UserStatus
from store.writer import begin_write
from sync.membership import person_changed

from ..auth.context import AuthContext
from ..auth.roles import require_admin
from ..errors import Conflict, InvalidInput, NotFound
from ..mail.service import Mailer
from ..mail.templates import Letter
from .common import JST, deliver, office_kind_label, record, user_ref
from .correction_schemas import (
    OfficeClosedOut,
    OfficeCloseIn,
    OfficeCorrectionIn,
    OfficeDetailOut,
    OfficePledgeRecordIn,
)
from .help import check_pledge
from .history import history_of, note_changes
from .offices import office_outs, office_pledges
from .schemas import OfficeOut
from .user_corrections import live_office, move_person
from .users import stop_user


class OfficeCorrections:
    def __init__(
        self, session: AsyncSession, ctx: AuthContext, mailer: Mailer | None = None
    ) -> None:
        require_admin(ctx)
        self.session = session
        self.ctx = ctx
        self.mailer = mailer

    async def _office(self, office_id: uuid.UUID) -> Office:
        office = await self.session.get(Office, office_id, populate_existing=True)
        if office is None:
            raise NotFound("事業所が見つかりません。", "Office not found.", code="office_not_found")
        return office

    async def _out(self, office: Office) -> OfficeOut:
        return (await office_outs(self.session, [office]))[0]

    async def detail(self, office_id: uuid.UUID) -> OfficeDetailOut:
        office = await self._office(office_id)
        staff = list(
            await self.session.scalars(
                select(User).where(User.office_id == office.id).order_by(User.name_kana)
            )
        )
        former_ids = set(
            await self.session.scalars(
                select(OfficeStay.user_id).where(
                    OfficeStay.office_id == office.id, OfficeStay.ended_at.is_not(None)
                )
            )
        ) - {u.id for u in staff}
        former = (
            list(
                await self.session.scalars(
                    select(User).where(User.id.in_(former_ids)).order_by(User.name_kana)
                )
            )
            if former_ids
            else []
        )
        return OfficeDetailOut(
            office=await self._out(office),
            staff=[user_ref(u) for u in staff],
            former_staff=[user_ref(u) for u in former],
            changes=await history_of(self.session, "office", [office.id]),
        )

    async def correct(self, office_id: uuid.UUID, data: OfficeCorrectionIn) -> OfficeDetailOut:
        wanted: dict[str, str] = {
            k: v
            for k, v in {
                "name": data.name.strip() if data.name else None,
                "nameKana": data.name_kana.strip() if data.name_kana is not None else None,
                "kind": data.kind.value if data.kind else None,
                "postalCode": data.postal_code,
                "address": data.address.strip() if data.address is not None else None,
                "phone": data.phone,
                "fax": data.fax,
            }.items()
            if v is not None
        }
        if not wanted:
            raise InvalidInput(
                "訂正する項目を指定してください。",
                "Name at least one field to correct.",
                code="nothing_to_correct",
            )
        await begin_write(self.session)
        office = await self._office(office_id)
        columns = {
            "name": "name",
            "nameKana": "name_kana",
            "kind": "kind",
            "postalCode": "postal_code",
            "address": "address",
            "phone": "phone",
            "fax": "fax",
        }

        def shown(field: str, value: str) -> str:
            return office_kind_label(value) if field == "kind" else value

        before = {f: shown(f, getattr(office, c)) for f, c in columns.items() if f in wanted}
        after = {f: shown(f, wanted[f]) for f in before}
        changed = await note_changes(
            self.session, self.ctx, "office", office.id, before, after, note=data.note
        )
        for field in changed:
            setattr(office, columns[field], wanted[field])
        await self.session.flush()
        if {"name", "phone"} & set(changed):
            staff = await self.session.scalars(
                select(User.id).where(
                    User.office_id == office.id, User.status != UserStatus.stopped
                )
            )
            for user_id in list(staff):
                await person_changed(self.session, user_id, self.ctx.now)
        if changed:
            await record(
                self.session,
                self.ctx,
                "admin.office_corrected",
                target_type="office",
                target_id=office.id,
                fields=changed,
            )
        await self.session.commit()
        return await self.detail(office_id)

    async def record_pledge(
        self, office_id: uuid.UUID, data: OfficePledgeRecordIn
    ) -> OfficeDetailOut:
        """A paper 様式4-1: the representative who signed it becomes the office's 代表者."""
        await begin_write(self.session)
        office = await self._office(office_id)
        await check_pledge(self.session, data.version, True)
        if data.accepted_on > self.ctx.now.astimezone(JST).date():
            raise InvalidInput(
                "誓約書の日付が未来の日付です。",
                "The pledge date lies in the future.",
                code="invalid_pledge_date",
            )
        previous = (await office_pledges(self.session)).get(office.id)
        self.session.add(
            Pledge(
                form="4-1",
                version=data.version,
                office_id=office.id,
                signer_name=data.representative.strip(),
                accepted_at=datetime.combine(data.accepted_on, time(12), JST),
            )
        )
        await note_changes(
            self.session,
            self.ctx,
            "office",
            office.id,
            {"representative": previous.signer_name if previous else None},
            {"representative": data.representative.strip()},
            note=data.note or f"様式4-1（{data.accepted_on.isoformat()} 署名）を記録",
        )
        await record(
            self.session,
            self.ctx,
            "admin.office_pledge_recorded",
            target_type="office",
            target_id=office.id,
            version=data.version,
        )
        await self.session.commit()
        return await self.detail(office_id)

    async def close(self, office_id: uuid.UUID, data: OfficeCloseIn) -> OfficeClosedOut:
        """廃止 or 統合: every ID of the office is stopped, or moved to the other office."""
        await begin_write(self.session)
        office = await self._office(office_id)
        if office.closed_at is not None:
            raise Conflict(
                "この事業所はすでに廃止・統合されています。",
                "This office has already closed or merged.",
                code="office_closed",
            )
        target: Office | None = None
        if data.reason == "merged" or data.staff == "transfer":
            if data.merged_into_id is None:
                raise InvalidInput(
                    "統合先・異動先の事業所を選んでください。",
                    "Choose the office the staff move to.",
                    code="target_office_required",
                )
            if data.merged_into_id == office.id:
                raise InvalidInput(
                    "統合先に同じ事業所は選べません。",
                    "An office cannot merge into itself.",
                    code="same_office",
                )
            target = await live_office(self.session, data.merged_into_id)
        if data.staff == "transfer":
            if data.pledge is None:
                raise InvalidInput(
                    "異動先の誓約書（様式4-2）の日付と版を入力してください。",
                    "Record the staff's pledge (form 4-2) for the new office.",
                    code="pledge_required",
                )
            await check_pledge(self.session, data.pledge.version, True)
        people = list(
            await self.session.scalars(
                select(User)
                .where(User.office_id == office.id, User.status != UserStatus.stopped)
                .order_by(User.name_kana)
            )
        )
        stopped: list[User] = []
        moved: list[User] = []
        letters: list[Letter] = []
        label = OfficeClosing(data.reason).label()
        merged_into = target if data.reason == "merged" else None
        for person in people:
            if data.staff == "stop":
                await stop_user(
                    self.session, self.ctx, person.id, reason=f"事業所の{label}（{office.name}）"
                )
                stopped.append(person)
            else:
                assert target is not None and data.pledge is not None
                leave: set[uuid.UUID] = set()
                if not data.stay_in_rooms:
                    leave = set(
                        await self.session.scalars(
                            select(RoomMember.room_id).where(
                                RoomMember.user_id == person.id, RoomMember.left_at.is_(None)
                            )
                        )
                    )
                _stayed, _left, mail = await move_person(
                    self.session,
                    self.ctx,
                    person,
                    target,
                    leave=leave,
                    pledge=data.pledge,
                    reason=data.reason,
                    note=f"事業所の{label}による異動",
                )
                letters += mail
                moved.append(person)
        await note_changes(
            self.session,
            self.ctx,
            "office",
            office.id,
            {"status": "運営中"},
            {"status": label + (f"（統合先：{merged_into.name}）" if merged_into else "")},
            note=data.note,
        )
        office.closed_at = self.ctx.now
        office.closed_reason = data.reason
        office.merged_into_id = merged_into.id if merged_into else None
        await self.session.flush()
        await record(
            self.session,
            self.ctx,
            "admin.office_closed",
            target_type="office",
            target_id=office.id,
            reason=data.reason,
            staff=data.staff,
            mergedIntoId=str(office.merged_into_id) if office.merged_into_id else None,
            stopped=len(stopped),
            transferred=len(moved),
        )
        await self.session.commit()
        if self.mailer is not None:
            await deliver(self.mailer, letters)
        refreshed = {
            u.id: u
            for u in await self.session.scalars(
                select(User)
                .where(User.id.in_([p.id for p in people]))
                .execution_options(populate_existing=True)
            )
        }
        return OfficeClosedOut(
            office=await self._out(await self._office(office_id)),
            stopped=[user_ref(refreshed[p.id]) for p in stopped],
            transferred=[user_ref(refreshed[p.id]) for p in moved],
        )
