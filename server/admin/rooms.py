"""Rooms (部屋): opening from 様式5/6, members and their permissions, report titles, closing.

Every change a member's device must learn of goes through `sync.changes` in
the same transaction: the room version is bumped and the change logged, and a
user's membership version is bumped when the set of rooms they belong to
changes. The admin sees a room's set-up and its closing requests, never the
rest of its contact book.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import (
    Application,
    Attachment,
    Consent,
    Patient,
    Post,
    ReportTitle,
    Room,
    RoomMember,
    User,
    new_id,
)
from store.models.enums import CareLevel, ClosingReason, Permission, PostKind, RoomStatus
from store.writer import begin_write
from sync.changes import EntityType, Op, bump_membership_version, record_change
from sync.membership import membership_changed

from ..auth.context import AuthContext
from ..auth.roles import require_admin
from ..errors import Conflict, InvalidInput, NotFound
from ..mail import templates
from ..mail.service import Mailer
from ..mail.templates import Letter
from . import composition
from .common import (
    deliver,
    era_out,
    jst_text,
    permission_label,
    record,
    record_read,
    room_refs,
    today_jst,
    user_ref,
    users_by_id,
)
from .duplicates import find_duplicates, raise_duplicates
from .patients import PatientValues, check_label, checked_consent, patient_values
from .schemas import (
    ClosingRequestOut,
    ConsentIn,
    ConsentOut,
    MemberIn,
    MemberOut,
    MissingOut,
    PatientIn,
    PatientOut,
    ReportTitleIn,
    ReportTitleOut,
    RoomCloseIn,
    RoomCreateIn,
    RoomOut,
    RoomSummaryOut,
    TitleSpec,
)

DEFAULT_REPORT_TITLES: tuple[ReportTitleIn, ...] = (
    ReportTitleIn(name="連絡事項", description="サービス調整・家族の状況・その他の連絡"),
    ReportTitleIn(name="バイタル", vitals=True, description="血圧・脈拍・体温・SpO2 など"),
    ReportTitleIn(name="訪問看護記録", description="訪問看護の実施内容・観察・ケア"),
    ReportTitleIn(name="服薬", description="処方変更・服薬状況・残薬・副作用"),
    ReportTitleIn(name="褥瘡・創傷", description="褥瘡・創傷の評価と処置"),
    ReportTitleIn(name="リハビリ", description="訪問リハビリの内容・ADL・福祉用具"),
)

def room_name(room: Room) -> str:
    """How mail and lists call a room without naming the patient."""
    return room.label or f"部屋番号 {room.id.hex[-6:].upper()}"


def room_link(ctx: AuthContext, room: Room) -> str:
    """Where a member opens the room in the app (an id, never a name)."""
    return f"{ctx.settings.base_url}/#/rooms/{room.id}"


def joined_letter(
    ctx: AuthContext, room: Room, user: User, permission: str, *, why: str = "added"
) -> Letter | None:
    """The mail telling a person they are now in a room: its label (or number) and a link.

    `why` is the template's: added, opened or reopened."""
    if not user.email:
        return None
    return templates.member_added(
        user.email,
        name=user.name,
        room_name=room_name(room),
        permission_label=permission_label(permission),
        link=room_link(ctx, room),
        why=why,
    )


def left_letter(user: User, rooms: Sequence[Room], *, why: str = "removed") -> Letter | None:
    """The mail telling a person they left rooms (one mail for all): labels, never patients."""
    if not user.email or not rooms:
        return None
    return templates.member_removed(
        user.email, name=user.name, room_names=[room_name(r) for r in rooms], why=why
    )


async def opened_letters(
    session: AsyncSession, ctx: AuthContext, room: Room, *, why: str = "opened"
) -> list[Letter]:
    """Every member of a room just opened (from an application or from paper forms) or
    reopened is told."""
    members = list(
        await session.scalars(
            select(RoomMember).where(RoomMember.room_id == room.id, RoomMember.left_at.is_(None))
        )
    )
    people = await users_by_id(session, [m.user_id for m in members])
    letters = [
        joined_letter(ctx, room, people[m.user_id], m.permission, why=why)
        for m in members
        if m.user_id in people
    ]
    return [letter for letter in letters if letter is not None]


def titles_of(specs: Sequence[TitleSpec] | None) -> list[ReportTitleIn]:
    if not specs:
        return list(DEFAULT_REPORT_TITLES)
    return [ReportTitleIn(name=s) if isinstance(s, str) else s for s in specs]


def _unique_title_names(titles: list[ReportTitleIn]) -> None:
    names = [t.name.strip() for t in titles]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InvalidInput(
            "ケアレポート標題が重複しています：" + "、".join(duplicates),
            "Duplicate report titles: " + ", ".join(duplicates),
            code="duplicate_titles",
        )


@dataclass
class RoomSpec:
    """Everything a room opens with, checked: the patient, consent, members, titles, label."""

    patient: PatientIn
    consent: ConsentIn | None
    members: list[MemberIn] = field(default_factory=list)
    titles: list[ReportTitleIn] = field(default_factory=list)
    label: str | None = None
    allow_duplicate: bool = False  # the clerk saw the possible duplicates and goes on


@dataclass(frozen=True)
class CheckedRoom:
    patient: PatientValues
    consent: ConsentIn | None
    members: list[tuple[User, Permission]]
    titles: list[ReportTitleIn]
    label: str | None


async def check_room_spec(
    session: AsyncSession, ctx: AuthContext, spec: RoomSpec, *, require_active: bool
) -> CheckedRoom:
    """Every rule of a room opening, before anything is written; raises with what is wrong."""
    today = today_jst(ctx.now)
    patient = patient_values(spec.patient, today)
    consent = checked_consent(spec.consent, today, patient.birth_date) if spec.consent else None
    if consent is not None and consent.scan_attachment_id is not None:
        found = await session.get(Attachment, consent.scan_attachment_id)
        if found is None:
            raise InvalidInput(
                "同意書の画像が見つかりません。",
                "The consent scan was not found.",
                code="unknown_attachment",
            )
    users = await users_by_id(session, [m.user_id for m in spec.members])
    people = composition.check_members(
        [m.user_id for m in spec.members], users, require_active=require_active
    )
    permissions = {m.user_id: m.permission for m in spec.members}
    composition.raise_if_missing(consent is not None, people)
    titles = titles_of(spec.titles)
    _unique_title_names(titles)
    label = check_label(spec.label, patient.name, patient.name_kana) if spec.label else None
    return CheckedRoom(
        patient=patient,
        consent=consent,
        members=[(u, permissions[u.id]) for u in people],
        titles=titles,
        label=label,
    )


async def open_room(
    session: AsyncSession,
    ctx: AuthContext,
    spec: RoomSpec,
    *,
    application: Application | None = None,
    require_active: bool = True,
) -> Room:
    """Create patient, consent, room, members and titles, each recorded for sync.

    The caller has begun the write transaction and commits. `require_active=False` is for
    an import: its people are issued in the same transaction and activate afterwards.
    """
    checked = await check_room_spec(session, ctx, spec, require_active=require_active)
    values = checked.patient
    if not spec.allow_duplicate:
        raise_duplicates(
            await find_duplicates(
                session,
                name=values.name,
                birth_date=values.birth_date,
                insured_number=values.insured_number,
            )
        )
    patient = Patient(
        id=new_id(),
        name=values.name,
        name_kana=values.name_kana,
        sex=values.sex,
        birth_date=values.birth_date,
        postal_code=values.postal_code,
        address=values.address,
        phone=values.phone,
        care_level=values.care_level,
        insured_number=values.insured_number,
        attending_physician=values.attending_physician,
        emergency_contact_name=values.emergency_contact_name,
        emergency_contact_relationship=values.emergency_contact_relationship,
        emergency_contact_phone=values.emergency_contact_phone,
        created_at=ctx.now,
    )
    session.add(patient)
    await session.flush()
    assert checked.consent is not None  # raise_if_missing refused a room without one
    consent = checked.consent
    session.add(
        Consent(
            id=new_id(),
            patient_id=patient.id,
            consent_date=consent.date,
            signed_by=consent.signed_by,
            proxy_name=consent.proxy_name,
            proxy_relationship=consent.proxy_relationship,
            explained_by=consent.explained_by.strip(),
            explainer_office=consent.explainer_office.strip(),
            scan_attachment_id=consent.scan_attachment_id,
            recorded_by_id=ctx.user_id,
            recorded_at=ctx.now,
        )
    )
    room = Room(
        id=new_id(),
        patient_id=patient.id,
        status=RoomStatus.open,
        label=checked.label,
        version=0,
        opened_at=ctx.now,
        created_at=ctx.now,
        created_by_id=ctx.user_id,
    )
    session.add(room)
    await session.flush()
    at = ctx.now
    await record_change(
        session, room_id=room.id, entity_type=EntityType.room, entity_id=room.id, op=Op.put, at=at
    )
    await record_change(
        session,
        room_id=room.id,
        entity_type=EntityType.patient,
        entity_id=patient.id,
        op=Op.put,
        at=at,
    )
    for user, permission in checked.members:
        await _join(session, ctx, room, user, permission)
    for position, spec_title in enumerate(checked.titles):
        title = ReportTitle(
            id=new_id(),
            room_id=room.id,
            name=spec_title.name.strip(),
            position=position,
            vitals=spec_title.vitals,
            active=True,
            description=spec_title.description,
        )
        session.add(title)
        await session.flush()
        title.version = await record_change(
            session,
            room_id=room.id,
            entity_type=EntityType.report_title,
            entity_id=title.id,
            op=Op.put,
            at=at,
        )
    await record(
        session,
        ctx,
        "admin.room_opened",
        target_type="room",
        target_id=room.id,
        room_id=room.id,
        patient_id=patient.id,
        members=len(checked.members),
        titles=len(checked.titles),
        applicationId=str(application.id) if application else None,
    )
    return room


async def _join(
    session: AsyncSession, ctx: AuthContext, room: Room, user: User, permission: Permission
) -> RoomMember:
    member = RoomMember(
        id=new_id(),
        room_id=room.id,
        user_id=user.id,
        permission=permission,
        joined_at=ctx.now,
    )
    session.add(member)
    await session.flush()
    await membership_changed(session, room.id, user.id, ctx.now)
    return member


async def locked_room(session: AsyncSession, room_id: uuid.UUID, *, open_only: bool) -> Room:
    room = await session.scalar(select(Room).where(Room.id == room_id).with_for_update())
    if room is None:
        raise NotFound("部屋が見つかりません。", "Room not found.", code="room_not_found")
    if open_only and room.status != RoomStatus.open:
        raise Conflict(
            "この部屋は終了しています。", "This room has been closed.", code="room_closed"
        )
    return room


async def current_member(
    session: AsyncSession, room_id: uuid.UUID, user_id: uuid.UUID
) -> RoomMember | None:
    member: RoomMember | None = await session.scalar(
        select(RoomMember).where(
            RoomMember.room_id == room_id,
            RoomMember.user_id == user_id,
            RoomMember.left_at.is_(None),
        )
    )
    return member


async def member_of(session: AsyncSession, room: Room, user_id: uuid.UUID) -> RoomMember:
    """The user's current stay in the room; 404 `not_member` when there is none."""
    member = await current_member(session, room.id, user_id)
    if member is None:
        raise NotFound(
            "このシステム利用者は部屋の参加者ではありません。",
            "This user is not a member of the room.",
            code="not_member",
        )
    return member


async def add_member(
    session: AsyncSession,
    ctx: AuthContext,
    room_id: uuid.UUID,
    user_id: uuid.UUID,
    permission: Permission,
    *,
    application_id: uuid.UUID | None = None,
    require_active: bool = True,
) -> tuple[RoomMember, Letter | None]:
    """A new stay in the room (rejoining keeps the earlier stays in the history), and the
    mail that tells the person (sent by the caller after the commit)."""
    room = await locked_room(session, room_id, open_only=True)
    users = await users_by_id(session, [user_id])
    (user,) = composition.check_members([user_id], users, require_active=require_active)
    if await current_member(session, room.id, user.id) is not None:
        raise Conflict(
            f"{user.name} さんはすでに部屋の参加者です。",
            f"{user.name} is already a member of the room.",
            code="already_member",
        )
    member = await _join(session, ctx, room, user, permission)
    await record(
        session,
        ctx,
        "admin.member_added",
        target_type="user",
        target_id=user.id,
        room_id=room.id,
        patient_id=room.patient_id,
        permission=str(permission),
        applicationId=str(application_id) if application_id else None,
    )
    return member, joined_letter(ctx, room, user, permission)


async def remove_member(
    session: AsyncSession,
    ctx: AuthContext,
    room_id: uuid.UUID,
    user_id: uuid.UUID,
    *,
    application_id: uuid.UUID | None = None,
) -> Letter | None:
    """The stay ends (kept in the history); the member's next pull purges the room.

    Returns the mail that tells the person (sent by the caller after the commit).
    """
    room = await locked_room(session, room_id, open_only=True)
    member = await member_of(session, room, user_id)
    member.left_at = ctx.now
    member.left_reason = "removed"
    await session.flush()
    await membership_changed(session, room.id, user_id, ctx.now)
    await record(
        session,
        ctx,
        "admin.member_removed",
        target_type="user",
        target_id=user_id,
        room_id=room.id,
        patient_id=room.patient_id,
        applicationId=str(application_id) if application_id else None,
    )
    user = await session.get(User, user_id)
    return left_letter(user, [room]) if user is not None else None


async def close_room(
    session: AsyncSession,
    ctx: AuthContext,
    room_id: uuid.UUID,
    *,
    reason: str | None,
    closing_request_id: uuid.UUID | None = None,
    application_id: uuid.UUID | None = None,
) -> tuple[Room, list[Letter]]:
    """Read-only for everyone from now on; kept in the record; every member is told."""
    room = await locked_room(session, room_id, open_only=True)
    request: Post | None = None
    if closing_request_id is not None:
        request = await session.scalar(
            select(Post).where(
                Post.id == closing_request_id,
                Post.room_id == room.id,
                Post.kind == PostKind.closing_request,
                Post.deleted_at.is_(None),
            )
        )
        if request is None:
            raise NotFound(
                "この部屋の終了依頼が見つかりません。",
                "No such closing request in this room.",
                code="closing_request_not_found",
            )
    else:
        request = await session.scalar(
            select(Post)
            .where(
                Post.room_id == room.id,
                Post.kind == PostKind.closing_request,
                Post.deleted_at.is_(None),
            )
            .order_by(Post.created_at.desc())
            .limit(1)
        )
    final_reason = reason or (request.closing_reason if request else None) or "other"
    room.status = RoomStatus.closed
    room.closed_at = ctx.now
    room.closed_reason = final_reason
    await session.flush()
    await record_change(
        session,
        room_id=room.id,
        entity_type=EntityType.room,
        entity_id=room.id,
        op=Op.put,
        at=ctx.now,
    )
    members = list(
        await session.scalars(
            select(RoomMember).where(RoomMember.room_id == room.id, RoomMember.left_at.is_(None))
        )
    )
    people = await users_by_id(session, [m.user_id for m in members])
    letters = []
    for member in members:
        await bump_membership_version(session, member.user_id)
        person = people.get(member.user_id)
        if person is not None and person.email:
            letters.append(
                templates.room_closed(
                    person.email,
                    name=person.name,
                    room_name=room_name(room),
                    reason_label=ClosingReason.label_of(final_reason),
                )
            )
    await record(
        session,
        ctx,
        "admin.room_closed",
        target_type="room",
        target_id=room.id,
        room_id=room.id,
        patient_id=room.patient_id,
        reason=final_reason,
        closingRequestId=str(request.id) if request else None,
        applicationId=str(application_id) if application_id else None,
        members=len(members),
    )
    return room, letters


async def room_out(
    session: AsyncSession, room_id: uuid.UUID, application_id: uuid.UUID | None = None
) -> RoomOut:
    room = await session.get(Room, room_id, populate_existing=True)
    if room is None:
        raise NotFound("部屋が見つかりません。", "Room not found.", code="room_not_found")
    patient = await session.get(Patient, room.patient_id)
    assert patient is not None
    consent = await session.scalar(
        select(Consent)
        .where(Consent.patient_id == patient.id)
        .order_by(Consent.recorded_at.desc(), Consent.id.desc())
        .limit(1)
    )
    stays = list(
        await session.scalars(
            select(RoomMember).where(RoomMember.room_id == room.id).order_by(RoomMember.joined_at)
        )
    )
    people = await users_by_id(session, [m.user_id for m in stays])
    titles = list(
        await session.scalars(
            select(ReportTitle)
            .where(ReportTitle.room_id == room.id)
            .order_by(ReportTitle.active.desc(), ReportTitle.position)
        )
    )
    if application_id is None:
        application_id = await session.scalar(
            select(Application.id).where(Application.room_id == room.id).limit(1)
        )

    def member_out(m: RoomMember) -> MemberOut:
        return MemberOut(
            id=m.id,
            user=user_ref(people[m.user_id]),
            permission=m.permission,
            joined_at=m.joined_at,
            left_at=m.left_at,
            left_reason=m.left_reason,
        )

    scan_type = (
        await session.scalar(
            select(Attachment.content_type).where(Attachment.id == consent.scan_attachment_id)
        )
        if consent is not None and consent.scan_attachment_id is not None
        else None
    )
    current = [m for m in stays if m.left_at is None]
    missing = composition.missing_requirements(
        consent is not None and consent.withdrawn_on is None, [people[m.user_id] for m in current]
    )
    return RoomOut(
        id=room.id,
        label=room.label,
        status=room.status,
        version=room.version,
        opened_at=room.opened_at,
        closed_at=room.closed_at,
        closed_reason=room.closed_reason,
        patient=patient_out(patient),
        consent=ConsentOut(
            id=consent.id,
            date=consent.consent_date,
            signed_by=consent.signed_by,
            proxy_name=consent.proxy_name,
            proxy_relationship=consent.proxy_relationship,
            explained_by=consent.explained_by,
            scan_attachment_id=consent.scan_attachment_id,
            recorded_at=consent.recorded_at,
            explainer_office=consent.explainer_office,
            scan_content_type=scan_type,
            withdrawn_on=consent.withdrawn_on,
            withdrawal_reason=consent.withdrawal_reason,
        )
        if consent
        else None,
        members=[member_out(m) for m in current],
        former_members=[member_out(m) for m in stays if m.left_at is not None],
        report_titles=[
            ReportTitleOut(
                id=t.id,
                name=t.name,
                position=t.position,
                vitals=t.vitals,
                active=t.active,
                description=t.description,
            )
            for t in titles
        ],
        missing=[MissingOut(**item) for item in composition.describe(missing)],
        application_id=application_id,
        closed_note=room.closed_note,
    )


def patient_out(patient: Patient) -> PatientOut:
    care_label = CareLevel.label_of(patient.care_level)
    return PatientOut(
        id=patient.id,
        name=patient.name,
        name_kana=patient.name_kana,
        sex=patient.sex,
        birth_date=patient.birth_date,
        birth_date_era=era_out(patient.birth_date),
        postal_code=patient.postal_code,
        address=patient.address,
        phone=patient.phone,
        care_level=patient.care_level,
        care_level_label=care_label,
        insured_number=patient.insured_number,
        attending_physician=patient.attending_physician,
        emergency_contact_name=patient.emergency_contact_name,
        emergency_contact_relationship=patient.emergency_contact_relationship,
        emergency_contact_phone=patient.emergency_contact_phone,
    )


class RoomAdministration:
    """The admin's room screens: list, detail, members, titles, label, closing."""

    def __init__(self, session: AsyncSession, ctx: AuthContext, mailer: Mailer) -> None:
        require_admin(ctx)
        self.session = session
        self.ctx = ctx
        self.mailer = mailer

    async def _audit_read(
        self,
        action: str,
        *,
        room_id: uuid.UUID | None = None,
        patient_id: uuid.UUID | None = None,
        **details: object,
    ) -> None:
        await record_read(
            self.session,
            self.ctx,
            action,
            target_type="room",
            target_id=room_id,
            room_id=room_id,
            patient_id=patient_id,
            **details,
        )

    async def summaries(self, status: RoomStatus | None, q: str | None) -> list[RoomSummaryOut]:
        members = (
            select(func.count())
            .select_from(RoomMember)
            .where(RoomMember.room_id == Room.id, RoomMember.left_at.is_(None))
            .scalar_subquery()
        )
        requested = exists().where(
            Post.room_id == Room.id,
            Post.kind == PostKind.closing_request,
            Post.deleted_at.is_(None),
        )
        stmt = (
            select(Room, Patient, members, requested)
            .join(Patient, Patient.id == Room.patient_id)
            .order_by(Room.opened_at.desc())
        )
        if status is not None:
            stmt = stmt.where(Room.status == status)
        if q:
            like = f"%{q.strip()}%"
            stmt = stmt.where(
                or_(Patient.name.like(like), Patient.name_kana.like(like), Room.label.like(like))
            )
        rows = (await self.session.execute(stmt)).all()
        out = [
            RoomSummaryOut(
                id=room.id,
                label=room.label,
                status=room.status,
                patient_name=patient.name,
                patient_name_kana=patient.name_kana,
                member_count=int(count or 0),
                opened_at=room.opened_at,
                closed_at=room.closed_at,
                closing_requested=bool(flag) and room.status == RoomStatus.open,
            )
            for room, patient, count, flag in rows
        ]
        await self._audit_read("admin.rooms_listed", count=len(out))
        return out

    async def get(self, room_id: uuid.UUID) -> RoomOut:
        out = await room_out(self.session, room_id)
        await self._audit_read("admin.room_viewed", room_id=out.id, patient_id=out.patient.id)
        return out

    async def create(self, data: RoomCreateIn) -> RoomOut:
        """A room without an application (e.g. 様式5/6 received on paper)."""
        if data.patient is None:
            raise InvalidInput(
                "患者（利用者）の情報を入力してください。",
                "The patient's details are required.",
                code="patient_required",
            )
        await begin_write(self.session)
        room = await open_room(
            self.session,
            self.ctx,
            RoomSpec(
                patient=data.patient,
                consent=data.consent,
                members=data.members or [],
                titles=titles_of(data.report_titles),
                label=data.label,
                allow_duplicate=data.allow_duplicate,
            ),
        )
        letters = await opened_letters(self.session, self.ctx, room)
        await self.session.commit()
        await deliver(self.mailer, letters)
        return await room_out(self.session, room.id)

    async def add_member(
        self, room_id: uuid.UUID, user_id: uuid.UUID, permission: Permission
    ) -> RoomOut:
        await begin_write(self.session)
        _member, letter = await add_member(self.session, self.ctx, room_id, user_id, permission)
        await self.session.commit()
        await deliver(self.mailer, [letter] if letter else [])
        return await room_out(self.session, room_id)

    async def set_permission(
        self, room_id: uuid.UUID, user_id: uuid.UUID, permission: Permission
    ) -> RoomOut:
        await begin_write(self.session)
        room = await locked_room(self.session, room_id, open_only=True)
        member = await member_of(self.session, room, user_id)
        if member.permission != permission:
            member.permission = permission
            await self.session.flush()
            await membership_changed(self.session, room.id, user_id, self.ctx.now)
            await record(
                self.session,
                self.ctx,
                "admin.member_permission_changed",
                target_type="user",
                target_id=user_id,
                room_id=room.id,
                patient_id=room.patient_id,
                permission=str(permission),
            )
        await self.session.commit()
        return await room_out(self.session, room_id)

    async def remove_member(self, room_id: uuid.UUID, user_id: uuid.UUID) -> RoomOut:
        await begin_write(self.session)
        letter = await remove_member(self.session, self.ctx, room_id, user_id)
        await self.session.commit()
        await deliver(self.mailer, [letter] if letter else [])
        return await room_out(self.session, room_id)

    async def set_titles(self, room_id: uuid.UUID, specs: Sequence[TitleSpec]) -> RoomOut:
        """The room's titles in order: ids rename or move, new names add, the rest retire.

        Titles are never deleted (posts are filed under them); a retired one is
        inactive and comes back when its name is listed again.
        """
        await begin_write(self.session)
        room = await locked_room(self.session, room_id, open_only=True)
        wanted = titles_of(specs)
        _unique_title_names(wanted)
        existing = list(
            await self.session.scalars(select(ReportTitle).where(ReportTitle.room_id == room.id))
        )
        by_id = {t.id: t for t in existing}
        named_ids = [t.id for t in wanted if t.id is not None]
        if len(set(named_ids)) != len(named_ids):
            raise InvalidInput(
                "同じ標題が重複しています。",
                "The same title is listed twice.",
                code="duplicate_titles",
            )
        unknown = [str(i) for i in named_ids if i not in by_id]
        if unknown:
            raise InvalidInput(
                "この部屋にない標題が指定されています。",
                "Some titles do not belong to this room.",
                code="unknown_titles",
                titleIds=unknown,
            )
        by_name = {t.name: t for t in existing if t.id not in set(named_ids)}
        plan: list[tuple[ReportTitle | None, ReportTitleIn, int]] = []
        for position, spec in enumerate(wanted):
            row = by_id[spec.id] if spec.id is not None else by_name.pop(spec.name.strip(), None)
            plan.append((row, spec, position))
        kept = {row.id for row, _, _ in plan if row is not None}
        retired_names = {t.name for t in existing if t.id not in kept}
        for row, spec, _ in plan:
            if (
                row is not None
                and spec.name.strip() != row.name
                and spec.name.strip() in retired_names
            ):
                raise InvalidInput(
                    f"標題「{spec.name}」は使用を終了した標題と同じ名前です。"
                    "IDを付けずに指定してください。",
                    f"The title {spec.name!r} is the name of a retired title; "
                    "list it without an id.",
                    code="title_name_retired",
                )
        # Two steps so that renames which swap names never collide on (room, name).
        renamed = [
            (row, spec)
            for row, spec, _ in plan
            if row is not None and row.name != spec.name.strip()
        ]
        for row, _spec in renamed:
            row.name = f"~{row.id.hex}"
        await self.session.flush()
        changed: list[ReportTitle] = []
        for row, spec, position in plan:
            name = spec.name.strip()
            if row is None:
                row = ReportTitle(
                    id=new_id(),
                    room_id=room.id,
                    name=name,
                    position=position,
                    vitals=spec.vitals,
                    active=True,
                    description=spec.description,
                )
                self.session.add(row)
                changed.append(row)
                continue
            before = (row.name, row.position, row.vitals, row.active, row.description)
            row.name = name
            row.position = position
            row.vitals = spec.vitals
            row.active = True
            row.description = spec.description
            if before != (row.name, row.position, row.vitals, row.active, row.description) or any(
                r is row for r, _ in renamed
            ):
                changed.append(row)
        for row in existing:
            if row.id not in kept and row.active:
                row.active = False
                changed.append(row)
        await self.session.flush()
        for row in changed:
            row.version = await record_change(
                self.session,
                room_id=room.id,
                entity_type=EntityType.report_title,
                entity_id=row.id,
                op=Op.put,
                at=self.ctx.now,
            )
        await record(
            self.session,
            self.ctx,
            "admin.report_titles_set",
            target_type="room",
            target_id=room.id,
            room_id=room.id,
            patient_id=room.patient_id,
            titles=len(plan),
            changed=len(changed),
        )
        await self.session.commit()
        return await room_out(self.session, room_id)

    async def set_label(self, room_id: uuid.UUID, label: str | None) -> RoomOut:
        await begin_write(self.session)
        room = await locked_room(self.session, room_id, open_only=True)
        patient = await self.session.get(Patient, room.patient_id)
        assert patient is not None
        room.label = check_label(label, patient.name, patient.name_kana) if label else None
        await self.session.flush()
        await record_change(
            self.session,
            room_id=room.id,
            entity_type=EntityType.room,
            entity_id=room.id,
            op=Op.put,
            at=self.ctx.now,
        )
        await record(
            self.session,
            self.ctx,
            "admin.room_label_set",
            target_type="room",
            target_id=room.id,
            room_id=room.id,
            patient_id=room.patient_id,
        )
        await self.session.commit()
        return await room_out(self.session, room_id)

    async def close(self, room_id: uuid.UUID, data: RoomCloseIn | None) -> RoomOut:
        await begin_write(self.session)
        _room, letters = await close_room(
            self.session,
            self.ctx,
            room_id,
            reason=data.reason if data else None,
            closing_request_id=data.closing_request_id if data else None,
        )
        await self.session.commit()
        await deliver(self.mailer, letters)
        return await room_out(self.session, room_id)

    async def closing_requests(self) -> list[ClosingRequestOut]:
        """Closing requests of open rooms, oldest first: these posts and nothing else."""
        rows = (
            (
                await self.session.execute(
                    select(Post)
                    .join(Room, Room.id == Post.room_id)
                    .where(
                        and_(
                            Post.kind == PostKind.closing_request,
                            Post.deleted_at.is_(None),
                            Room.status == RoomStatus.open,
                        )
                    )
                    .order_by(Post.created_at)
                )
            )
            .scalars()
            .all()
        )
        refs = await room_refs(self.session, [p.room_id for p in rows])
        authors = await users_by_id(self.session, [p.author_id for p in rows])
        out = [
            ClosingRequestOut(
                post_id=p.id,
                room=refs[p.room_id],
                requester=user_ref(authors[p.author_id]),
                reason=p.closing_reason,
                reason_label=ClosingReason.label_of(p.closing_reason or "other"),
                note=p.body,
                requested_at=p.created_at,
            )
            for p in rows
        ]
        await self._audit_read("admin.closing_requests_viewed", count=len(out))
        return out


def submitted_text(application: Application) -> str:
    return jst_text(application.created_at)
