"""A room after it opened: consent withdrawn, reopened for a patient who came back, the
signed 様式5's scan, and its correction history.

A patient back from hospital keeps one room and its history: the city reopens
the closed room rather than opening a second one, choosing who comes back (by
default everyone who was a member when it closed). A withdrawn consent closes
the room for writing at once, with the reason kept; a room whose consent was
withdrawn reopens only on a new consent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import anyio.to_thread
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Attachment, Consent, Patient, Room, RoomMember, new_id
from store.models.enums import Permission, RoomStatus
from store.writer import begin_write
from sync.changes import EntityType, Op, bump_membership_version, record_change
from sync.membership import membership_changed

from ..auth.context import AuthContext
from ..auth.roles import require_admin
from ..contact_book.blob_store import BlobStore
from ..errors import Conflict, InvalidInput, NotFound
from ..mail.service import Mailer
from ..mail.templates import Letter
from . import composition
from .common import deliver, record, today_jst, users_by_id
from .correction_schemas import (
    ConsentWithdrawIn,
    DuplicateOut,
    RoomHistoryOut,
    RoomReopenIn,
)
from .duplicates import find_duplicates
from .history import history_of, note_changes
from .patients import checked_consent
from .rooms import _join, close_room, left_letter, locked_room, opened_letters, room_out
from .scan_documents import sanitize_scan
from .schemas import RoomOut


def _consent_not_found() -> NotFound:
    return NotFound(
        "この部屋の同意書の記録がありません。",
        "This room has no recorded consent.",
        code="consent_not_found",
    )


async def latest_consent(session: AsyncSession, patient_id: uuid.UUID) -> Consent | None:
    consent: Consent | None = await session.scalar(
        select(Consent)
        .where(Consent.patient_id == patient_id)
        .order_by(Consent.recorded_at.desc(), Consent.id.desc())
        .limit(1)
        .execution_options(populate_existing=True)
    )
    return consent


@dataclass(frozen=True)
class ScanFile:
    path: Path
    content_type: str
    filename: str


class RoomLifecycle:
    def __init__(
        self, session: AsyncSession, ctx: AuthContext, mailer: Mailer, store: BlobStore
    ) -> None:
        require_admin(ctx)
        self.session = session
        self.ctx = ctx
        self.mailer = mailer
        self.store = store

    async def _audited_read(self, action: str, **details: object) -> None:
        if self.session.in_transaction():
            await self.session.rollback()
        await begin_write(self.session)
        room_id = details.pop("room_id", None)
        patient_id = details.pop("patient_id", None)
        await record(
            self.session,
            self.ctx,
            action,
            target_type="room" if room_id else "patient",
            target_id=room_id if isinstance(room_id, uuid.UUID) else None,
            room_id=room_id if isinstance(room_id, uuid.UUID) else None,
            patient_id=patient_id if isinstance(patient_id, uuid.UUID) else None,
            **details,
        )
        await self.session.commit()

    async def duplicates(
        self, name: str, birth_date: date | None, insured_number: str
    ) -> list[DuplicateOut]:
        found = await find_duplicates(
            self.session, name=name, birth_date=birth_date, insured_number=insured_number
        )
        await self._audited_read("admin.patient_duplicates_checked", found=len(found))
        return found

    async def history(self, room_id: uuid.UUID) -> RoomHistoryOut:
        room = await self.session.get(Room, room_id)
        if room is None:
            raise NotFound("部屋が見つかりません。", "Room not found.", code="room_not_found")
        changes = [
            *await history_of(self.session, "patient", [room.patient_id]),
            *await history_of(self.session, "room", [room.id]),
        ]
        changes.sort(key=lambda c: c.at, reverse=True)
        room_id, patient_id = room.id, room.patient_id
        await self._audited_read(
            "admin.room_history_viewed", room_id=room_id, patient_id=patient_id
        )
        return RoomHistoryOut(changes=changes)

    async def withdraw_consent(self, room_id: uuid.UUID, data: ConsentWithdrawIn) -> RoomOut:
        """同意の撤回: recorded on the consent; an open room closes for writing at once."""
        await begin_write(self.session)
        room = await locked_room(self.session, room_id, open_only=False)
        consent = await latest_consent(self.session, room.patient_id)
        if consent is None:
            raise _consent_not_found()
        if consent.withdrawn_on is not None:
            raise Conflict(
                "この同意はすでに撤回されています。",
                "This consent has already been withdrawn.",
                code="consent_already_withdrawn",
            )
        if data.date > today_jst(self.ctx.now) or data.date < consent.consent_date:
            raise InvalidInput(
                "撤回日は同意日から今日までの日付にしてください。",
                "The withdrawal date must lie between the consent date and today.",
                code="invalid_withdrawal_date",
            )
        reason = data.reason.strip()
        consent.withdrawn_on = data.date
        consent.withdrawal_reason = reason
        consent.withdrawn_recorded_by_id = self.ctx.user_id
        letters: list[Letter] = []
        if room.status == RoomStatus.open:
            room.closed_note = reason  # travels with the room's change to the members' devices
            _closed, letters = await close_room(
                self.session, self.ctx, room.id, reason="consentWithdrawn"
            )
        await note_changes(
            self.session,
            self.ctx,
            "room",
            room.id,
            {"consent": "同意あり"},
            {"consent": f"同意の撤回（{data.date.isoformat()}）"},
            note=reason,
        )
        await record(
            self.session,
            self.ctx,
            "admin.consent_withdrawn",
            target_type="room",
            target_id=room.id,
            room_id=room.id,
            patient_id=room.patient_id,
            closed=bool(letters) or room.status == RoomStatus.closed,
        )
        await self.session.commit()
        await deliver(self.mailer, letters)
        return await room_out(self.session, room.id)

    async def reopen(self, room_id: uuid.UUID, data: RoomReopenIn) -> RoomOut:
        await begin_write(self.session)
        room = await locked_room(self.session, room_id, open_only=False)
        if room.status == RoomStatus.open:
            raise Conflict(
                "この部屋は開設中です。", "This room is open.", code="room_open"
            )
        patient = await self.session.get(Patient, room.patient_id)
        assert patient is not None
        consent = await latest_consent(self.session, room.patient_id)
        new_consent = (
            checked_consent(data.consent, today_jst(self.ctx.now), patient.birth_date)
            if data.consent
            else None
        )
        if new_consent is None and (consent is None or consent.withdrawn_on is not None):
            raise Conflict(
                "同意が撤回されているため、新しい同意書（様式5）の記録が必要です。",
                "The consent was withdrawn: record a new consent (form 5) to reopen.",
                code="consent_required",
                missing=composition.describe(["consent"]),
            )
        stays = list(
            await self.session.scalars(
                select(RoomMember).where(
                    RoomMember.room_id == room.id, RoomMember.left_at.is_(None)
                )
            )
        )
        current = {m.user_id: m for m in stays}
        listed = data.members if data.members is not None else stays
        chosen = [(m.user_id, m.permission) for m in listed]
        wanted = dict(chosen)
        users = await users_by_id(self.session, wanted)
        people = composition.check_members([user_id for user_id, _ in chosen], users)
        composition.raise_if_missing(True, people)
        if new_consent is not None:
            self.session.add(
                Consent(
                    id=new_id(),
                    patient_id=patient.id,
                    consent_date=new_consent.date,
                    signed_by=new_consent.signed_by,
                    proxy_name=new_consent.proxy_name,
                    proxy_relationship=new_consent.proxy_relationship,
                    explained_by=new_consent.explained_by.strip(),
                    explainer_office=new_consent.explainer_office.strip(),
                    scan_attachment_id=None,
                    recorded_by_id=self.ctx.user_id,
                    recorded_at=self.ctx.now,
                )
            )
        room.status = RoomStatus.open
        room.closed_at = None
        room.closed_reason = None
        room.closed_note = None
        await self.session.flush()
        await record_change(
            self.session,
            room_id=room.id,
            entity_type=EntityType.room,
            entity_id=room.id,
            op=Op.put,
            at=self.ctx.now,
        )
        not_returned: list[uuid.UUID] = []
        for user_id, member in current.items():
            if user_id not in wanted:
                not_returned.append(user_id)
                member.left_at = self.ctx.now
                member.left_reason = "notReturned"
                await self.session.flush()
                await membership_changed(self.session, room.id, user_id, self.ctx.now)
            elif member.permission != wanted[user_id]:
                member.permission = wanted[user_id]
                await self.session.flush()
                await membership_changed(self.session, room.id, user_id, self.ctx.now)
            else:
                # The room's stream already says it reopened; the user's cursor moves too,
                # so a device that purged the closed room is served it again from scratch.
                await bump_membership_version(self.session, user_id)
        for person in people:
            if person.id not in current:
                await _join(self.session, self.ctx, room, person, Permission(wanted[person.id]))
        await note_changes(
            self.session,
            self.ctx,
            "room",
            room.id,
            {"status": "終了"},
            {"status": "再開"},
            note=data.note,
        )
        await record(
            self.session,
            self.ctx,
            "admin.room_reopened",
            target_type="room",
            target_id=room.id,
            room_id=room.id,
            patient_id=room.patient_id,
            members=len(people),
            newConsent=new_consent is not None,
        )
        # Everyone in the reopened room is told it is open again; anyone the city did not
        # bring back, that they left it (their devices purge it).
        letters = await opened_letters(self.session, self.ctx, room, why="reopened")
        gone = await users_by_id(self.session, not_returned)
        letters += [
            letter
            for user in gone.values()
            if (letter := left_letter(user, [room], why="notReturned")) is not None
        ]
        await self.session.commit()
        await deliver(self.mailer, letters)
        return await room_out(self.session, room.id)

    async def upload_scan(self, room_id: uuid.UUID, raw: bytes) -> RoomOut:
        """The signed 様式5, scanned: checked by content, stored by hash, named on the consent."""
        room = await self.session.get(Room, room_id)
        if room is None:
            raise NotFound("部屋が見つかりません。", "Room not found.", code="room_not_found")
        await self.session.rollback()  # no snapshot held during the image work
        clean = await anyio.to_thread.run_sync(sanitize_scan, raw)
        sha256 = await anyio.to_thread.run_sync(self.store.put, clean.data)
        await begin_write(self.session)
        room = await locked_room(self.session, room_id, open_only=False)
        consent = await latest_consent(self.session, room.patient_id)
        if consent is None:
            raise _consent_not_found()
        attachment = Attachment(
            room_id=None,  # never a room's photo: members cannot reach it
            uploader_id=self.ctx.user_id,
            sha256=sha256,
            thumb_sha256=None,
            content_type=clean.content_type,
            size=len(clean.data),
            width=clean.width,
            height=clean.height,
            created_at=self.ctx.now,
        )
        self.session.add(attachment)
        await self.session.flush()
        consent.scan_attachment_id = attachment.id
        await record(
            self.session,
            self.ctx,
            "admin.consent_scan_recorded",
            target_type="room",
            target_id=room.id,
            room_id=room.id,
            patient_id=room.patient_id,
            contentType=clean.content_type,
            size=len(clean.data),
        )
        await self.session.commit()
        return await room_out(self.session, room.id)

    async def scan(self, room_id: uuid.UUID) -> ScanFile:
        room = await self.session.get(Room, room_id)
        if room is None:
            raise NotFound("部屋が見つかりません。", "Room not found.", code="room_not_found")
        consent = await latest_consent(self.session, room.patient_id)
        attachment = (
            await self.session.get(Attachment, consent.scan_attachment_id)
            if consent is not None and consent.scan_attachment_id is not None
            else None
        )
        if attachment is None or not self.store.exists(attachment.sha256):
            raise NotFound(
                "同意書の画像は登録されていません。",
                "No consent scan is recorded.",
                code="consent_scan_not_found",
            )
        extension = {"application/pdf": "pdf", "image/png": "png", "image/webp": "webp"}
        found = ScanFile(
            path=self.store.path_for(attachment.sha256),
            content_type=attachment.content_type,
            filename=f"consent-{room.id.hex[-6:]}.{extension.get(attachment.content_type, 'jpg')}",
        )
        # The read snapshot ends here (rows are expired): nothing of them is read after.
        await self._audited_read(
            "admin.consent_scan_viewed", room_id=room.id, patient_id=room.patient_id
        )
        return found
