"""HTTP for the city's side: each handler hands its input to a service and returns wire types.

Who may call what is decided in the services (office admin, municipal admin,
operator); the middleware has already required a full sign-in except on the
public invitation link.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, Response, delete, get, patch, post, put
from litestar.params import Parameter, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from store.models.enums import (
    ApplicationKind,
    ApplicationState,
    JobType,
    Role,
    RoomStatus,
    StopState,
    UserStatus,
)

from ..auth.context import AuthContext
from ..auth.roles import admins_only, office_admins_only
from ..mail.service import Mailer
from ..route_policy import policy
from ..settings import Settings
from .applications import ApplicationReview, OfficeApplications
from .correction_schemas import UserCorrectionIn, UserHistoryOut
from .forms import Forms
from .help import HelpService, load_help, public_help
from .invitations import InvitationAdministration, InvitationLinks
from .ledger import Ledger, LedgerFilter, OfficeStaff
from .office_desk import OfficeDesk
from .offices import OfficeAdministration
from .rooms import RoomAdministration
from .scheduled_stops import ScheduledStops
from .schemas import (
    ApplicationIn,
    ApplicationOut,
    AppliedOut,
    ApproveIn,
    ClosingRequestOut,
    DirectoryEntryOut,
    FormOut,
    HelpIn,
    HelpOut,
    InvitationApplyIn,
    InvitationIn,
    InvitationOut,
    InvitationPublicOut,
    LabelIn,
    LedgerOut,
    MemberAddIn,
    MemberPatchIn,
    OfficeIn,
    OfficeOut,
    OfficeRoomMemberOut,
    PublicHelpOut,
    RejectIn,
    ReportTitlesIn,
    RoomCandidateOut,
    RoomCloseIn,
    RoomCreateIn,
    RoomOut,
    RoomRef,
    RoomSummaryOut,
    ScheduledStopCancelIn,
    ScheduledStopOut,
    UserDetailOut,
    UserStopIn,
    WithdrawIn,
)
from .user_corrections import UserCorrections

Query = Annotated[str | None, Parameter(max_length=100)]
# `state` is a reserved name in Litestar handlers: the query parameter keeps it on the wire.
StateQuery = Annotated[ApplicationState | None, QueryParameter(name="state")]


# -- the office side ---------------------------------------------------------------------------


class OfficeApplicationController(Controller):
    path = "/api/applications"
    guards = [office_admins_only]
    tags = ["applications"]

    @post("", status_code=201, summary="Submit an application for my office",
          opt=policy(refuses={404, 409}))
    async def submit(
        self, data: ApplicationIn, auth: AuthContext, db_session: AsyncSession
    ) -> ApplicationOut:
        return await OfficeApplications(db_session, auth).submit(data)

    @get("", summary="My office's applications, newest first")
    async def list_own(
        self, auth: AuthContext, db_session: AsyncSession, wanted: StateQuery = None
    ) -> list[ApplicationOut]:
        return await OfficeApplications(db_session, auth).mine(wanted)

    @post("/{application_id:uuid}/withdraw", status_code=200, summary="Withdraw a submitted one",
          opt=policy(refuses={409}))
    async def withdraw(
        self,
        application_id: uuid.UUID,
        auth: AuthContext,
        db_session: AsyncSession,
        data: WithdrawIn | None = None,
    ) -> ApplicationOut:
        note = data.note if data else ""
        return await OfficeApplications(db_session, auth).withdraw(application_id, note)


class OfficeController(Controller):
    path = "/api/office"
    guards = [office_admins_only]
    tags = ["applications"]

    @get("/staff", summary="My office's users, as in the ledger")
    async def staff(
        self,
        auth: AuthContext,
        db_session: AsyncSession,
        q: Query = None,
        job_type: Annotated[JobType | None, QueryParameter(name="jobType")] = None,
        status: UserStatus | None = None,
    ) -> LedgerOut:
        return await OfficeStaff(db_session, auth).staff(
            LedgerFilter(q=q, job_type=job_type, status=status)
        )

    @get("/directory", summary="Professionals who can be proposed as room members")
    async def directory(
        self, auth: AuthContext, db_session: AsyncSession, q: Query = None
    ) -> list[DirectoryEntryOut]:
        return await OfficeDesk(db_session, auth).directory(q)

    @get("/rooms", summary="Rooms my office takes part in")
    async def rooms(self, auth: AuthContext, db_session: AsyncSession) -> list[RoomRef]:
        return await OfficeDesk(db_session, auth).rooms()

    @get(
        "/rooms/{room_id:uuid}/members",
        summary="Members of a room my office takes part in (name, job type, office)",
    )
    async def room_members(
        self, room_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession
    ) -> list[OfficeRoomMemberOut]:
        return await OfficeDesk(db_session, auth).room_members(room_id)

    @get("/forms/{form:str}/blank", summary="A blank form with my office's details")
    async def blank_form(self, form: str, auth: AuthContext, db_session: AsyncSession) -> FormOut:
        return await Forms.for_office(db_session, auth).blank(form)

    @get(
        "/forms/{form:str}/{source_id:uuid}",
        summary="My office's form, pre-filled (its applications, staff, the office itself)",
    )
    async def form(
        self, form: str, source_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession
    ) -> FormOut:
        return await Forms.for_office(db_session, auth).get(form, source_id)


# -- public: the invitation link ---------------------------------------------------------------


class InvitationLinkController(Controller):
    path = "/api/invitations/{token:str}"
    tags = ["invitations"]
    opt = policy(auth="public")

    @get("", summary="What an invitation link offers (valid, unused, unexpired)",
         opt=policy(refuses={410}))
    async def describe(
        self, token: str, auth: AuthContext, db_session: AsyncSession
    ) -> InvitationPublicOut:
        return await InvitationLinks(db_session, auth).describe(token)

    @post("/apply", status_code=201, summary="Apply for an ID with the link (once)",
          opt=policy(refuses={409, 410}))
    async def apply(
        self, token: str, data: InvitationApplyIn, auth: AuthContext, db_session: AsyncSession
    ) -> AppliedOut:
        return await InvitationLinks(db_session, auth).apply(token, data)


# -- the municipal admin -----------------------------------------------------------------------


class AdminApplicationController(Controller):
    path = "/api/admin/applications"
    guards = [admins_only]
    tags = ["admin"]

    @get("", summary="The inbox, oldest first")
    async def inbox(
        self,
        auth: AuthContext,
        db_session: AsyncSession,
        settings: Settings,
        wanted: StateQuery = None,
        kind: ApplicationKind | None = None,
    ) -> list[ApplicationOut]:
        return await ApplicationReview(db_session, auth, Mailer(settings)).inbox(wanted, kind)

    @get("/{application_id:uuid}", summary="One application with its history")
    async def detail(
        self,
        application_id: uuid.UUID,
        auth: AuthContext,
        db_session: AsyncSession,
        settings: Settings,
    ) -> ApplicationOut:
        return await ApplicationReview(db_session, auth, Mailer(settings)).get(application_id)

    @post("/{application_id:uuid}/approve", status_code=200, summary="Approve and carry out",
          opt=policy(refuses={409}))
    async def approve(
        self,
        application_id: uuid.UUID,
        auth: AuthContext,
        db_session: AsyncSession,
        settings: Settings,
        data: ApproveIn | None = None,
    ) -> ApplicationOut:
        review = ApplicationReview(db_session, auth, Mailer(settings))
        return await review.approve(
            application_id, data.note if data else "", room_id=data.room_id if data else None
        )

    @get(
        "/{application_id:uuid}/room-candidates",
        summary="Rooms whose patient matches a room-join request that names the patient",
    )
    async def room_candidates(
        self,
        application_id: uuid.UUID,
        auth: AuthContext,
        db_session: AsyncSession,
        settings: Settings,
    ) -> list[RoomCandidateOut]:
        review = ApplicationReview(db_session, auth, Mailer(settings))
        return await review.room_candidates(application_id)

    @post("/{application_id:uuid}/reject", status_code=200, summary="Reject with a reason",
          opt=policy(refuses={409}))
    async def reject(
        self,
        application_id: uuid.UUID,
        data: RejectIn,
        auth: AuthContext,
        db_session: AsyncSession,
        settings: Settings,
    ) -> ApplicationOut:
        review = ApplicationReview(db_session, auth, Mailer(settings))
        return await review.reject(application_id, data.reason)


class AdminInvitationController(Controller):
    path = "/api/admin/invitations"
    guards = [admins_only]
    tags = ["admin"]

    @post("", status_code=201, summary="E-mail a single-use invitation (7 days)")
    async def invite(
        self, data: InvitationIn, auth: AuthContext, db_session: AsyncSession, settings: Settings
    ) -> InvitationOut:
        return await InvitationAdministration(db_session, auth, Mailer(settings)).invite(data)

    @get("", summary="Invitations sent, newest first")
    async def list_all(
        self, auth: AuthContext, db_session: AsyncSession, settings: Settings
    ) -> list[InvitationOut]:
        return await InvitationAdministration(db_session, auth, Mailer(settings)).all()

    @post(
        "/{invitation_id:uuid}/revoke",
        status_code=200,
        summary="Revoke an unused invitation: its link stops working",
        opt=policy(refuses={409}),
    )
    async def revoke(
        self,
        invitation_id: uuid.UUID,
        auth: AuthContext,
        db_session: AsyncSession,
        settings: Settings,
    ) -> InvitationOut:
        admin = InvitationAdministration(db_session, auth, Mailer(settings))
        return await admin.revoke(invitation_id)


class AdminLedgerController(Controller):
    path = "/api/admin"
    guards = [admins_only]
    tags = ["admin"]

    @staticmethod
    def _filter(
        q: str | None,
        office_id: uuid.UUID | None,
        job_type: JobType | None,
        role: Role | None,
        status: UserStatus | None,
    ) -> LedgerFilter:
        return LedgerFilter(q=q, office_id=office_id, job_type=job_type, role=role, status=status)

    @get("/ledger", summary="The user ledger with counts per office and job type")
    async def ledger(
        self,
        auth: AuthContext,
        db_session: AsyncSession,
        settings: Settings,
        q: Query = None,
        office_id: Annotated[uuid.UUID | None, QueryParameter(name="officeId")] = None,
        job_type: Annotated[JobType | None, QueryParameter(name="jobType")] = None,
        role: Role | None = None,
        status: UserStatus | None = None,
    ) -> LedgerOut:
        return await Ledger(db_session, auth, Mailer(settings)).json(
            self._filter(q, office_id, job_type, role, status)
        )

    @get(
        "/ledger.csv",
        media_type="text/csv",
        summary="The user ledger as CSV (UTF-8 with BOM, Japanese headers)",
    )
    async def ledger_csv(
        self,
        auth: AuthContext,
        db_session: AsyncSession,
        settings: Settings,
        q: Query = None,
        office_id: Annotated[uuid.UUID | None, QueryParameter(name="officeId")] = None,
        job_type: Annotated[JobType | None, QueryParameter(name="jobType")] = None,
        role: Role | None = None,
        status: UserStatus | None = None,
    ) -> Response[bytes]:
        body = await Ledger(db_session, auth, Mailer(settings)).csv(
            self._filter(q, office_id, job_type, role, status)
        )
        day = auth.now.strftime("%Y%m%d")
        return Response(
            body,
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="ledger-{day}.csv"'},
        )

    @get("/users/{user_id:uuid}", summary="One user of the ledger, with history and rooms")
    async def user(
        self, user_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession, settings: Settings
    ) -> UserDetailOut:
        return await Ledger(db_session, auth, Mailer(settings)).user(user_id)

    @patch("/users/{user_id:uuid}", summary="Correct name, kana, mail, job type, home visits",
           opt=policy(refuses={409}))
    async def correct_user(
        self,
        user_id: uuid.UUID,
        data: UserCorrectionIn,
        auth: AuthContext,
        db_session: AsyncSession,
    ) -> UserHistoryOut:
        return await UserCorrections(db_session, auth).correct(user_id, data)

    @post("/users/{user_id:uuid}/stop", status_code=200, summary="Stop an ID (様式3)",
          opt=policy(refuses={409}))
    async def stop(
        self,
        user_id: uuid.UUID,
        auth: AuthContext,
        db_session: AsyncSession,
        settings: Settings,
        data: UserStopIn | None = None,
    ) -> UserDetailOut:
        wanted = data or UserStopIn()
        return await Ledger(db_session, auth, Mailer(settings)).stop(
            user_id, wanted.reason, wanted.date
        )


class AdminScheduledStopController(Controller):
    path = "/api/admin/scheduled-stops"
    guards = [admins_only]
    tags = ["admin"]

    @get("", summary="ID stops waiting for their day (soonest first), done or cancelled")
    async def list_all(
        self,
        auth: AuthContext,
        db_session: AsyncSession,
        settings: Settings,
        wanted: Annotated[StopState | None, QueryParameter(name="state")] = None,
    ) -> list[ScheduledStopOut]:
        return await ScheduledStops(db_session, auth, Mailer(settings)).list(wanted)

    @post("/{stop_id:uuid}/cancel", status_code=200, summary="Cancel a scheduled ID stop")
    async def cancel(
        self,
        stop_id: uuid.UUID,
        auth: AuthContext,
        db_session: AsyncSession,
        settings: Settings,
        data: ScheduledStopCancelIn | None = None,
    ) -> ScheduledStopOut:
        reason = data.reason if data else ""
        return await ScheduledStops(db_session, auth, Mailer(settings)).cancel(stop_id, reason)


class AdminOfficeController(Controller):
    path = "/api/admin/offices"
    guards = [admins_only]
    tags = ["admin"]

    @get("", summary="Offices with representative, pledge, system managers and active users")
    async def list_all(
        self, auth: AuthContext, db_session: AsyncSession, settings: Settings
    ) -> list[OfficeOut]:
        return await OfficeAdministration(db_session, auth, Mailer(settings)).all()

    @post("", status_code=201, summary="Add an office and name its system managers",
          opt=policy(refuses={409}))
    async def create(
        self, data: OfficeIn, auth: AuthContext, db_session: AsyncSession, settings: Settings
    ) -> OfficeOut:
        return await OfficeAdministration(db_session, auth, Mailer(settings)).create(data)


class AdminRoomController(Controller):
    path = "/api/admin/rooms"
    guards = [admins_only]
    tags = ["admin"]

    @get("", summary="Rooms (patient, label, members, closing requested)")
    async def list_all(
        self,
        auth: AuthContext,
        db_session: AsyncSession,
        settings: Settings,
        status: RoomStatus | None = None,
        q: Query = None,
    ) -> list[RoomSummaryOut]:
        return await RoomAdministration(db_session, auth, Mailer(settings)).summaries(status, q)

    @post("", status_code=201, summary="Open a room from a roomOpen application or directly",
          opt=policy(refuses={404, 409}))
    async def create(
        self, data: RoomCreateIn, auth: AuthContext, db_session: AsyncSession, settings: Settings
    ) -> RoomOut:
        mailer = Mailer(settings)
        if data.application_id is not None:
            review = ApplicationReview(db_session, auth, mailer)
            approved = await review.approve(data.application_id, room_overrides=data)
            assert approved.room is not None
            return await RoomAdministration(db_session, auth, mailer).get(approved.room.id)
        return await RoomAdministration(db_session, auth, mailer).create(data)

    @get("/{room_id:uuid}", summary="A room's set-up: patient, consent, members, titles")
    async def detail(
        self, room_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession, settings: Settings
    ) -> RoomOut:
        return await RoomAdministration(db_session, auth, Mailer(settings)).get(room_id)

    @post("/{room_id:uuid}/members", status_code=201, summary="Add a member",
          opt=policy(refuses={409}))
    async def add_member(
        self,
        room_id: uuid.UUID,
        data: MemberAddIn,
        auth: AuthContext,
        db_session: AsyncSession,
        settings: Settings,
    ) -> RoomOut:
        rooms = RoomAdministration(db_session, auth, Mailer(settings))
        return await rooms.add_member(room_id, data.user_id, data.permission)

    @patch("/{room_id:uuid}/members/{user_id:uuid}", summary="Change a member's permission",
           opt=policy(refuses={409}))
    async def set_permission(
        self,
        room_id: uuid.UUID,
        user_id: uuid.UUID,
        data: MemberPatchIn,
        auth: AuthContext,
        db_session: AsyncSession,
        settings: Settings,
    ) -> RoomOut:
        rooms = RoomAdministration(db_session, auth, Mailer(settings))
        return await rooms.set_permission(room_id, user_id, data.permission)

    @delete("/{room_id:uuid}/members/{user_id:uuid}", status_code=200, summary="Remove a member",
            opt=policy(refuses={409}))
    async def remove_member(
        self,
        room_id: uuid.UUID,
        user_id: uuid.UUID,
        auth: AuthContext,
        db_session: AsyncSession,
        settings: Settings,
    ) -> RoomOut:
        rooms = RoomAdministration(db_session, auth, Mailer(settings))
        return await rooms.remove_member(room_id, user_id)

    @put("/{room_id:uuid}/report-titles", summary="Set the report titles, in order",
         opt=policy(refuses={409}))
    async def set_titles(
        self,
        room_id: uuid.UUID,
        data: ReportTitlesIn,
        auth: AuthContext,
        db_session: AsyncSession,
        settings: Settings,
    ) -> RoomOut:
        rooms = RoomAdministration(db_session, auth, Mailer(settings))
        return await rooms.set_titles(room_id, data.titles)

    @put("/{room_id:uuid}/label", summary="Set the push label (never the patient's name)",
         opt=policy(refuses={409}))
    async def set_label(
        self,
        room_id: uuid.UUID,
        data: LabelIn,
        auth: AuthContext,
        db_session: AsyncSession,
        settings: Settings,
    ) -> RoomOut:
        rooms = RoomAdministration(db_session, auth, Mailer(settings))
        return await rooms.set_label(room_id, data.label)

    @post("/{room_id:uuid}/close", status_code=200, summary="Close the room (read-only, kept)",
          opt=policy(refuses={409}))
    async def close(
        self,
        room_id: uuid.UUID,
        auth: AuthContext,
        db_session: AsyncSession,
        settings: Settings,
        data: RoomCloseIn | None = None,
    ) -> RoomOut:
        return await RoomAdministration(db_session, auth, Mailer(settings)).close(room_id, data)


class AdminMiscController(Controller):
    path = "/api/admin"
    guards = [admins_only]
    tags = ["admin"]

    @get("/closing-requests", summary="Closing requests of open rooms (nothing else of the book)")
    async def closing_requests(
        self, auth: AuthContext, db_session: AsyncSession, settings: Settings
    ) -> list[ClosingRequestOut]:
        return await RoomAdministration(db_session, auth, Mailer(settings)).closing_requests()

    @get("/help", summary="The help page as the city set it (for its editor)")
    async def help_page(self, auth: AuthContext, db_session: AsyncSession) -> HelpOut:
        return await HelpService(db_session, auth).for_admin()

    @put("/help", summary="Set the help page (city admins and the operator)")
    async def set_help(self, data: HelpIn, auth: AuthContext, db_session: AsyncSession) -> HelpOut:
        return await HelpService(db_session, auth).save(data)

    @get("/forms/{form:str}/blank", summary="A printable form, blank, to fill in by hand")
    async def blank_form(self, form: str, auth: AuthContext, db_session: AsyncSession) -> FormOut:
        return await Forms.for_city(db_session, auth).blank(form)

    @get("/forms/{form:str}/{source_id:uuid}", summary="A printable form, pre-filled")
    async def form(
        self, form: str, source_id: uuid.UUID, auth: AuthContext, db_session: AsyncSession
    ) -> FormOut:
        return await Forms.for_city(db_session, auth).get(form, source_id)


@get(
    "/api/help",
    tags=["help"],
    summary="The help page: contacts, rules, pledges and 誓約事項, links, devices, terms of use",
)
async def help_for_users(db_session: AsyncSession) -> HelpOut:
    return await load_help(db_session)


@get(
    "/api/help/public",
    tags=["help"],
    opt=policy(auth="public"),
    summary="Before sign-in: whom to call (only the contact points the city published)",
)
async def help_before_sign_in(db_session: AsyncSession) -> PublicHelpOut:
    return await public_help(db_session)
