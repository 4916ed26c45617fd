"""Applications (申請): what offices and invitees ask for, and the admin's decision.

States: submitted → approved | rejected (with a reason) | withdrawn (by the
office). Any other move is a 409 that says which state the application is in.
Approval carries out the request in the same transaction (issue the ID, stop
it, open the room, add the member, close the room); mail goes after the commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import (
    Application,
    ApplicationEvent,
    Office,
    Pledge,
    ScheduledStop,
    User,
)
from store.models.enums import ApplicationKind, ApplicationState, JobType
from store.writer import begin_write

from ..auth.context import AuthContext
from ..auth.roles import require_admin, require_office_admin
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..mail import templates
from ..mail.service import Mailer
from ..mail.templates import Letter
from . import composition, room_requests
from .common import (
    as_uuid,
    date_text,
    deliver,
    era_out,
    jst_text,
    office_ref,
    record,
    record_read,
    room_refs,
    today_jst,
    user_not_found,
    user_ref,
    users_by_id,
)
from .help import check_pledge
from .history_labels import application_action_label
from .offices import latest_office_pledge, office_pledges
from .patients import check_label, checked_consent, patient_values
from .rooms import (
    RoomSpec,
    close_room,
    open_room,
    opened_letters,
    room_name,
    titles_of,
)
from .scheduled_stops import (
    already_scheduled,
    check_stop_date,
    is_future,
    pending_stop,
    schedule_stop,
    stop_now,
    stop_outs,
)
from .schemas import (
    PAYLOAD_TYPES,
    ApplicationIn,
    ApplicationOut,
    HistoryOut,
    IdCareManagerPayload,
    IdStopPayload,
    MemberRemovePayload,
    OfficePledgeOut,
    RoomCandidateOut,
    RoomClosePayload,
    RoomCreateIn,
    RoomJoinPayload,
    RoomOpenPayload,
    Strict,
    UserRef,
)
from .users import NewPerson, issue_id

T = TypeVar("T", bound=Strict)

KIND_FORMS: dict[str, list[str]] = {
    ApplicationKind.id_care_manager: ["2-2C", "4-1", "4-2"],
    ApplicationKind.id_invited: ["4-2"],
    ApplicationKind.id_stop: ["3"],
    ApplicationKind.room_open: ["5", "6"],
    ApplicationKind.room_join: [],
    ApplicationKind.member_remove: [],
    ApplicationKind.room_close: [],
}
ID_KINDS = (ApplicationKind.id_care_manager, ApplicationKind.id_invited)
_STATE_WORDS: dict[str, tuple[str, str]] = {
    ApplicationState.approved: ("すでに承認されています", "has already been approved"),
    ApplicationState.rejected: ("すでに却下されています", "has already been rejected"),
    ApplicationState.withdrawn: ("取り下げられています", "has been withdrawn"),
}
_ACTIONS: dict[str, tuple[str, str]] = {
    "approve": ("承認", "approved"),
    "reject": ("却下", "rejected"),
    "withdraw": ("取り下げ", "withdrawn"),
}


def _not_submitted(application: Application, action: str) -> Conflict:
    ja_state, en_state = _STATE_WORDS.get(
        application.state, (f"状態が「{application.state}」です", f"is {application.state}")
    )
    ja_action, en_action = _ACTIONS[action]
    return Conflict(
        f"この申請は{ja_state}。{ja_action}できません。",
        f"This application {en_state}; it cannot be {en_action}.",
        code="application_not_submitted",
        state=application.state,
    )


def decode_payload(payload: Any, kind: type[T]) -> T:
    """The payload as its kind's struct, with the same bounds as a request body."""
    try:
        return msgspec.json.decode(msgspec.json.encode(payload), type=kind)
    except msgspec.ValidationError as exc:
        raise InvalidInput(
            f"申請内容に誤りがあります：{exc}",
            f"The application's payload is not valid: {exc}",
            code="invalid_payload",
        ) from None


async def _event(
    session: AsyncSession,
    ctx: AuthContext,
    application: Application,
    action: str,
    note: str | None = None,
) -> None:
    session.add(
        ApplicationEvent(
            application_id=application.id,
            actor_id=ctx.user_id,
            action=action,
            note=note,
            at=ctx.now,
        )
    )


async def application_outs(
    session: AsyncSession,
    applications: Sequence[Application],
    ctx: AuthContext,
    *,
    viewer_office_id: uuid.UUID | None = None,
) -> list[ApplicationOut]:
    """Applications with everything a reviewer needs: people, office, room and history.

    An office (`viewer_office_id`) sees other offices' people and the city's clerks without
    their login IDs: the forms need a name, a job type and an office, nothing to sign in with.
    """
    if not applications:
        return []
    ids = [a.id for a in applications]
    events = list(
        await session.scalars(
            select(ApplicationEvent)
            .where(ApplicationEvent.application_id.in_(ids))
            .order_by(ApplicationEvent.at)
        )
    )
    user_ids: set[uuid.UUID] = set()
    room_ids: set[uuid.UUID] = set()
    payload_users: dict[uuid.UUID, list[uuid.UUID]] = {}
    for a in applications:
        mentioned = [as_uuid(a.payload.get("userId"))]
        mentioned += [as_uuid(m.get("userId")) for m in a.payload.get("members", [])]
        payload_users[a.id] = [u for u in mentioned if u is not None]
        user_ids.update(payload_users[a.id])
        user_ids.update(u for u in (a.applicant_id, a.subject_user_id, a.reviewer_id) if u)
        room = a.room_id or as_uuid(a.payload.get("roomId"))
        if room:
            room_ids.add(room)
    user_ids.update(e.actor_id for e in events if e.actor_id)
    people = await users_by_id(session, user_ids)
    rooms = await room_refs(session, room_ids)
    offices = {
        o.id: o
        for o in await session.scalars(
            select(Office).where(Office.id.in_({a.office_id for a in applications if a.office_id}))
        )
    }
    stops = {
        s.application_id: s
        for s in await stop_outs(
            session,
            list(
                await session.scalars(
                    select(ScheduledStop).where(ScheduledStop.application_id.in_(ids))
                )
            ),
        )
    }
    pledges = (
        await office_pledges(session) if any(a.kind in ID_KINDS for a in applications) else {}
    )

    def shown(user: User) -> UserRef:
        out = user_ref(user)
        if viewer_office_id is not None and user.office_id != viewer_office_id:
            return msgspec.structs.replace(out, login_id="")
        return out

    def ref(user_id: uuid.UUID | None) -> Any:
        user = people.get(user_id) if user_id else None
        return shown(user) if user else None

    out = []
    for a in applications:
        payload = dict(a.payload)
        patient = payload.get("patient")
        if isinstance(patient, dict) and patient.get("birthDate"):
            try:
                born = date.fromisoformat(str(patient.get("birthDate")))
                era = msgspec.to_builtins(era_out(born))
                payload["patient"] = {**patient, "birthDateEra": era}
            except ValueError:
                pass
        room_id = a.room_id or as_uuid(a.payload.get("roomId"))
        out.append(
            ApplicationOut(
                id=a.id,
                kind=a.kind,
                kind_label=ApplicationKind.label_of(a.kind),
                forms=KIND_FORMS.get(a.kind, []),
                state=a.state,
                office=office_ref(offices[a.office_id]) if a.office_id in offices else None,
                applicant=ref(a.applicant_id),
                invitation_id=a.invitation_id,
                subject_user=ref(a.subject_user_id),
                room=rooms.get(room_id) if room_id else None,
                payload=payload,
                users=[shown(people[u]) for u in payload_users[a.id] if u in people],
                reason=a.reason,
                reviewer=ref(a.reviewer_id),
                reviewed_at=a.reviewed_at,
                created_at=a.created_at,
                updated_at=a.updated_at,
                age_days=max(0, (ctx.now - a.created_at).days),
                history=[
                    HistoryOut(
                        at=e.at,
                        action=e.action,
                        actor_id=e.actor_id,
                        actor_name=people[e.actor_id].name if e.actor_id in people else None,
                        note=e.note,
                        action_label=application_action_label(e.action),
                    )
                    for e in events
                    if e.application_id == a.id
                ],
                scheduled_stop=stops.get(a.id),
                office_pledge=_pledge_out(pledges.get(a.office_id))
                if a.kind in ID_KINDS and a.office_id
                else None,
            )
        )
    return out


def _pledge_out(pledge: Pledge | None) -> OfficePledgeOut | None:
    if pledge is None:
        return None
    return OfficePledgeOut(
        signer_name=pledge.signer_name, version=pledge.version, accepted_at=pledge.accepted_at
    )


class OfficeApplications:
    """An office's system manager submits, lists and withdraws their own office's applications."""

    def __init__(self, session: AsyncSession, ctx: AuthContext) -> None:
        self.user, self.office_id = require_office_admin(ctx)
        self.session = session
        self.ctx = ctx

    async def submit(self, data: ApplicationIn) -> ApplicationOut:
        payload_type = PAYLOAD_TYPES[data.kind]
        await begin_write(self.session)
        application = Application(
            kind=data.kind,
            state=ApplicationState.submitted,
            office_id=self.office_id,
            applicant_id=self.user.id,
            payload={},
            created_at=self.ctx.now,
            updated_at=self.ctx.now,
        )
        payload = decode_payload(data.payload, payload_type)
        if isinstance(payload, IdCareManagerPayload):
            application.payload = await self._id_care_manager(payload)
        elif isinstance(payload, IdStopPayload):
            application.payload = await self._id_stop(payload)
            application.subject_user_id = payload.user_id
        elif isinstance(payload, RoomOpenPayload):
            application.payload = await self._room_open(payload)
        elif isinstance(payload, RoomJoinPayload):
            application.payload, application.room_id = await room_requests.check_join(
                self.session, self.office_id, payload, today_jst(self.ctx.now)
            )
            if len(payload.members) == 1:
                application.subject_user_id = payload.members[0].user_id
        elif isinstance(payload, MemberRemovePayload):
            application.payload = await room_requests.check_removal(
                self.session, self.office_id, payload
            )
            application.subject_user_id = payload.user_id
            application.room_id = payload.room_id
        elif isinstance(payload, RoomClosePayload):
            application.payload = await self._room_close(payload)
            application.room_id = payload.room_id
        self.session.add(application)
        await self.session.flush()
        if isinstance(payload, IdCareManagerPayload):
            assert payload.office_pledge is not None and payload.staff_pledge is not None
            self.session.add(
                Pledge(
                    form="4-1",
                    version=payload.office_pledge.version,
                    office_id=self.office_id,
                    application_id=application.id,
                    signer_name=payload.office_pledge.representative.strip(),
                    accepted_at=self.ctx.now,
                )
            )
            # 様式4-2 of the care manager: theirs once the ID is issued (`issue_id`).
            self.session.add(
                Pledge(
                    form="4-2",
                    version=payload.staff_pledge.version,
                    office_id=self.office_id,
                    application_id=application.id,
                    signer_name=payload.name.strip(),
                    accepted_at=self.ctx.now,
                )
            )
        await _event(self.session, self.ctx, application, "submitted")
        await record(
            self.session,
            self.ctx,
            "application.submitted",
            target_type="application",
            target_id=application.id,
            room_id=application.room_id,
            kind=application.kind,
            officeId=str(self.office_id),
        )
        await self.session.commit()
        return (await application_outs(
            self.session, [application], self.ctx, viewer_office_id=self.office_id
        ))[0]

    async def _own_user(self, user_id: uuid.UUID) -> User:
        user = await self.session.get(User, user_id)
        if user is None:
            raise user_not_found()
        if user.office_id != self.office_id:
            raise Forbidden(
                "他の事業所のシステム利用者については申請できません。",
                "You can only apply for users of your own office.",
                code="other_office",
            )
        return user

    async def _id_care_manager(self, payload: IdCareManagerPayload) -> dict[str, Any]:
        if payload.job_type != JobType.care_manager:
            raise InvalidInput(
                "様式2-2Cはケアマネジャー（介護支援専門員）の利用登録に使います。",
                "Form 2-2C registers care managers only.",
                code="not_care_manager",
            )
        if payload.office_pledge is None:
            raise InvalidInput(
                "個人情報の取扱いに関する誓約書（様式4-1）への同意が必要です。",
                "The office's pledge (form 4-1) must be accepted.",
                code="pledge_not_accepted",
            )
        await check_pledge(
            self.session, payload.office_pledge.version, payload.office_pledge.accepted
        )
        if payload.staff_pledge is None or not payload.staff_pledge.accepted:
            raise InvalidInput(
                "ケアマネジャー本人の個人情報の取扱いに関する誓約書（様式4-2）への署名を確認してください。",
                "Confirm that the care manager signed the personal pledge (form 4-2).",
                code="staff_pledge_not_accepted",
            )
        await check_pledge(self.session, payload.staff_pledge.version, True)
        return msgspec.to_builtins(payload)  # type: ignore[no-any-return]

    async def _id_stop(self, payload: IdStopPayload) -> dict[str, Any]:
        user = await self._own_user(payload.user_id)
        if user.status == "stopped":
            raise Conflict(
                "このIDはすでに停止されています。",
                "This ID has already been stopped.",
                code="already_stopped",
            )
        check_stop_date(payload.date, self.ctx.now)
        scheduled = await pending_stop(self.session, user.id)
        if scheduled is not None:
            raise already_scheduled(scheduled)
        await self._no_duplicate(ApplicationKind.id_stop, subject_user_id=user.id)
        return msgspec.to_builtins(payload)  # type: ignore[no-any-return]

    async def _no_duplicate(self, kind: str, **match: uuid.UUID) -> None:
        stmt = select(Application.id).where(
            Application.kind == kind, Application.state == ApplicationState.submitted
        )
        for column, value in match.items():
            stmt = stmt.where(getattr(Application, column) == value)
        if await self.session.scalar(stmt.limit(1)) is not None:
            raise Conflict(
                "同じ内容の申請がすでに審査中です。",
                "The same request is already waiting for review.",
                code="duplicate_application",
            )

    async def _room_open(self, payload: RoomOpenPayload) -> dict[str, Any]:
        """Checked now so the office learns at once what is missing; checked again on approval."""
        today = today_jst(self.ctx.now)
        patient = patient_values(payload.patient, today)
        if payload.consent is not None:
            checked_consent(payload.consent, today, patient.birth_date)
        users = await users_by_id(self.session, [m.user_id for m in payload.members])
        people = composition.check_members(
            [m.user_id for m in payload.members], users, require_active=False
        )
        composition.raise_if_missing(payload.consent is not None, people)
        titles = titles_of(payload.report_titles)
        names = [t.name.strip() for t in titles]
        if len(set(names)) != len(names):
            raise InvalidInput(
                "ケアレポート標題が重複しています。",
                "Duplicate report titles.",
                code="duplicate_titles",
            )
        if payload.label:
            check_label(payload.label, patient.name, patient.name_kana)
        normalized: dict[str, Any] = msgspec.to_builtins(payload)
        normalized["patient"] = {**normalized["patient"], **patient.as_payload()}
        return normalized

    async def _room_close(self, payload: RoomClosePayload) -> dict[str, Any]:
        room = await room_requests.office_room(self.session, self.office_id, payload.room_id)
        await self._no_duplicate(ApplicationKind.room_close, room_id=room.id)
        return msgspec.to_builtins(payload)  # type: ignore[no-any-return]

    async def mine(self, state: ApplicationState | None) -> list[ApplicationOut]:
        stmt = (
            select(Application)
            .where(Application.office_id == self.office_id)
            .order_by(Application.created_at.desc())
        )
        if state is not None:
            stmt = stmt.where(Application.state == state)
        return await application_outs(
            self.session,
            list(await self.session.scalars(stmt)),
            self.ctx,
            viewer_office_id=self.office_id,
        )

    async def withdraw(self, application_id: uuid.UUID, note: str) -> ApplicationOut:
        await begin_write(self.session)
        application = await _locked(self.session, application_id)
        if application.office_id != self.office_id:
            raise Forbidden(
                "他の事業所の申請は取り下げられません。",
                "This application belongs to another office.",
                code="other_office",
            )
        if application.state != ApplicationState.submitted:
            raise _not_submitted(application, "withdraw")
        application.state = ApplicationState.withdrawn
        application.updated_at = self.ctx.now
        await _event(self.session, self.ctx, application, "withdrawn", note or None)
        await record(
            self.session,
            self.ctx,
            "application.withdrawn",
            target_type="application",
            target_id=application.id,
            kind=application.kind,
        )
        await self.session.commit()
        return (await application_outs(
            self.session, [application], self.ctx, viewer_office_id=self.office_id
        ))[0]


async def _locked(session: AsyncSession, application_id: uuid.UUID) -> Application:
    application = await session.scalar(
        select(Application).where(Application.id == application_id).with_for_update()
    )
    if application is None:
        raise NotFound(
            "申請が見つかりません。", "Application not found.", code="application_not_found"
        )
    return application


class ApplicationReview:
    """The municipal admin's inbox: read, approve (which carries the request out) or reject."""

    def __init__(self, session: AsyncSession, ctx: AuthContext, mailer: Mailer) -> None:
        require_admin(ctx)
        self.session = session
        self.ctx = ctx
        self.mailer = mailer

    async def inbox(
        self, state: ApplicationState | None, kind: ApplicationKind | None
    ) -> list[ApplicationOut]:
        """Oldest first: the application waiting longest is at the top."""
        stmt = select(Application).order_by(Application.created_at, Application.id)
        if state is not None:
            stmt = stmt.where(Application.state == state)
        if kind is not None:
            stmt = stmt.where(Application.kind == kind)
        return await application_outs(
            self.session, list(await self.session.scalars(stmt)), self.ctx
        )

    async def get(self, application_id: uuid.UUID) -> ApplicationOut:
        application = await self.session.get(Application, application_id)
        if application is None:
            raise NotFound(
                "申請が見つかりません。", "Application not found.", code="application_not_found"
            )
        return (await application_outs(self.session, [application], self.ctx))[0]

    async def room_candidates(self, application_id: uuid.UUID) -> list[RoomCandidateOut]:
        """The rooms a room-join request naming a patient may mean (read of patient data:
        audited)."""
        application = await self.session.get(Application, application_id)
        if application is None:
            raise NotFound(
                "申請が見つかりません。", "Application not found.", code="application_not_found"
            )
        found = await room_requests.candidates(self.session, application)
        await record_read(
            self.session,
            self.ctx,
            "admin.room_candidates_viewed",
            target_type="application",
            target_id=application_id,
            rooms=[str(c.room.id) for c in found],
        )
        return found

    async def approve(
        self,
        application_id: uuid.UUID,
        note: str = "",
        room_overrides: RoomCreateIn | None = None,
        room_id: uuid.UUID | None = None,
    ) -> ApplicationOut:
        """`room_id`: the room the city chose for a room-join request naming the patient."""
        await begin_write(self.session)
        application = await _locked(self.session, application_id)
        if application.state != ApplicationState.submitted:
            raise _not_submitted(application, "approve")
        if room_overrides is not None and application.kind != ApplicationKind.room_open:
            raise InvalidInput(
                "この申請からは部屋を作成できません。",
                "Only a room-opening application creates a room.",
                code="not_room_open",
            )
        if room_id is not None and application.kind != ApplicationKind.room_join:
            raise InvalidInput(
                "部屋を選べるのは部屋への参加依頼だけです。",
                "Only a room-join request takes a chosen room.",
                code="not_room_join",
            )
        letters = await self._carry_out(application, room_overrides, room_id)
        application.state = ApplicationState.approved
        application.reviewer_id = self.ctx.user_id
        application.reviewed_at = self.ctx.now
        application.updated_at = self.ctx.now
        await _event(self.session, self.ctx, application, "approved", note or None)
        await record(
            self.session,
            self.ctx,
            "admin.application_approved",
            target_type="application",
            target_id=application.id,
            room_id=application.room_id,
            kind=application.kind,
            subjectUserId=str(application.subject_user_id) if application.subject_user_id else None,
        )
        await self.session.commit()
        await deliver(self.mailer, letters)
        return (await application_outs(self.session, [application], self.ctx))[0]

    async def _applicant(self, application: Application) -> User | None:
        """Who applied (None for a form filled in by the city itself)."""
        if application.applicant_id is None:
            return None
        return await self.session.get(User, application.applicant_id)

    async def _applicant_letter(self, application: Application, detail: str = "") -> list[Letter]:
        applicant = await self._applicant(application)
        if applicant is None or not applicant.email:
            return []
        return [
            templates.application_approved(
                applicant.email,
                name=applicant.name,
                kind_label=ApplicationKind.label_of(application.kind),
                submitted=jst_text(application.created_at),
                detail=detail,
            )
        ]

    async def _require_office_pledge(self, office_id: uuid.UUID) -> None:
        """The manual's invitation flow: the office sends its 様式4-1 before the city approves.

        Without it the ID is not issued; the clerk records the 4-1 on the office, then approves.
        """
        if await latest_office_pledge(self.session, office_id) is not None:
            return
        office = await self.session.get(Office, office_id)
        name = office.name if office else ""
        raise Conflict(
            f"事業所「{name}」の個人情報の取扱いに関する誓約書（様式4-1）が記録されていません。"
            "様式4-1を受け取り、事業所の画面で記録してから承認してください。",
            f"The office {name!r} has no pledge (form 4-1) on record. Receive its form 4-1, "
            "record it on the office's screen, then approve.",
            code="office_pledge_missing",
            officeId=str(office_id),
        )

    async def _carry_out(
        self, application: Application, overrides: RoomCreateIn | None, room_id: uuid.UUID | None
    ) -> list[Letter]:
        kind = application.kind
        payload = application.payload
        if kind in ID_KINDS:
            office_id = application.office_id
            assert office_id is not None
            if kind == ApplicationKind.id_invited:
                await self._require_office_pledge(office_id)
            user, letter = await issue_id(
                self.session,
                self.ctx,
                NewPerson(
                    name=str(payload["name"]).strip(),
                    name_kana=str(payload["nameKana"]).strip(),
                    email=str(payload["email"]),
                    phone=str(payload.get("phone") or ""),
                    job_type=str(payload["jobType"]),
                    office_id=office_id,
                    visits_homes=payload.get("visitsHomes"),
                ),
                application_id=application.id,
            )
            application.subject_user_id = user.id
            return [letter, *await self._applicant_letter(application)]
        if kind == ApplicationKind.id_stop:
            stop = decode_payload(payload, IdStopPayload)
            if is_future(stop.date, self.ctx.now):
                await schedule_stop(
                    self.session,
                    self.ctx,
                    stop.user_id,
                    stop_on=stop.date,
                    reason=stop.reason,
                    application_id=application.id,
                )
                return await self._applicant_letter(
                    application, f"停止予定日：{date_text(stop.date)}（当日0時に停止します）"
                )
            await stop_now(
                self.session,
                self.ctx,
                stop.user_id,
                reason=stop.reason,
                application_id=application.id,
            )
            return await self._applicant_letter(application)
        if kind == ApplicationKind.room_open:
            return await self._open(application, overrides)
        if kind == ApplicationKind.room_join:
            join = decode_payload(payload, RoomJoinPayload)
            letters = await room_requests.carry_out_join(
                self.session, self.ctx, application, join, room_id
            )
            return [*letters, *await self._applicant_letter(application)]
        if kind == ApplicationKind.member_remove:
            removal = decode_payload(payload, MemberRemovePayload)
            letters = await room_requests.carry_out_removal(
                self.session, self.ctx, application, removal
            )
            return [*letters, *await self._applicant_letter(application)]
        if kind == ApplicationKind.room_close:
            close = decode_payload(payload, RoomClosePayload)
            _room, letters = await close_room(
                self.session,
                self.ctx,
                close.room_id,
                reason=close.reason,
                application_id=application.id,
            )
            return [*letters, *await self._applicant_letter(application)]
        raise InvalidInput(  # pragma: no cover - every kind is handled above
            "この種類の申請は承認できません。",
            "This kind cannot be approved.",
        )

    async def _open(self, application: Application, overrides: RoomCreateIn | None) -> list[Letter]:
        requested = decode_payload(application.payload, RoomOpenPayload)
        o = overrides or RoomCreateIn()
        spec = RoomSpec(
            patient=o.patient or requested.patient,
            consent=o.consent or requested.consent,
            members=o.members if o.members is not None else requested.members,
            titles=titles_of(
                o.report_titles if o.report_titles is not None else requested.report_titles
            ),
            label=o.label or requested.label,
            allow_duplicate=o.allow_duplicate,
        )
        room = await open_room(self.session, self.ctx, spec, application=application)
        application.room_id = room.id
        letters = await opened_letters(self.session, self.ctx, room)
        applicant = await self._applicant(application)
        if applicant is None or not applicant.email:
            return letters
        return [
            *letters,
            templates.room_opened(
                applicant.email,
                name=applicant.name,
                room_name=room_name(room),
                submitted=jst_text(application.created_at),
            ),
        ]

    async def reject(self, application_id: uuid.UUID, reason: str) -> ApplicationOut:
        await begin_write(self.session)
        application = await _locked(self.session, application_id)
        if application.state != ApplicationState.submitted:
            raise _not_submitted(application, "reject")
        reason = reason.strip()
        application.state = ApplicationState.rejected
        application.reason = reason
        application.reviewer_id = self.ctx.user_id
        application.reviewed_at = self.ctx.now
        application.updated_at = self.ctx.now
        await _event(self.session, self.ctx, application, "rejected", reason)
        await record(
            self.session,
            self.ctx,
            "admin.application_rejected",
            target_type="application",
            target_id=application.id,
            room_id=application.room_id,
            kind=application.kind,
        )
        letters = []
        kind_label = ApplicationKind.label_of(application.kind)
        submitted = jst_text(application.created_at)
        if application.kind == ApplicationKind.id_invited:
            to, name = str(application.payload.get("email", "")), str(application.payload["name"])
        else:
            applicant = await self._applicant(application)
            to, name = (applicant.email, applicant.name) if applicant else ("", "")
        if to:
            letters.append(
                templates.application_rejected(
                    to, name=name, kind_label=kind_label, submitted=submitted, reason=reason
                )
            )
        await self.session.commit()
        await deliver(self.mailer, letters)
        return (await application_outs(self.session, [application], self.ctx))[0]
