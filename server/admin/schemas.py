"""Wire types of the city's side (camelCase JSON, bounded, unknown fields refused).

Inputs are strict structs; outputs are plain structs built from rows by the
services, never ORM objects. `docs/api/admin.md` describes each route with them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

import msgspec

from store.models.enums import (
    CareLevel,
    JobType,
    OfficeKind,
    Permission,
    Sex,
    SignedBy,
)

from ..accounts.schemas import UserRef as UserRef  # one shape for a user, everywhere
from ..japan import Era

# -- bounded scalars ---------------------------------------------------------------------------

_KANA = r"^[\u3041-\u3096\u309D\u309E\u30A1-\u30FA\u30FC-\u30FE\u30FB\uFF66-\uFF9F \u3000]+$"
Text100 = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"\S")]
Name = Text100
Kana = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=_KANA)]
Email = Annotated[str, msgspec.Meta(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Phone = Annotated[str, msgspec.Meta(max_length=30, pattern=r"^\+?[0-9][0-9\-() ]{4,28}[0-9]$")]
OptionalPhone = Annotated[
    str, msgspec.Meta(max_length=30, pattern=r"^(\+?[0-9][0-9\-() ]{4,28}[0-9])?$")
]
PostalCode = Annotated[str, msgspec.Meta(max_length=8, pattern=r"^([0-9]{3}-?[0-9]{4})?$")]
Address = Annotated[str, msgspec.Meta(min_length=1, max_length=300, pattern=r"\S")]
OptionalAddress = Annotated[str, msgspec.Meta(max_length=300)]
InsuredNumber = Annotated[str, msgspec.Meta(max_length=10, pattern=r"^([0-9]{10})?$")]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=1000, pattern=r"\S")]
Note = Annotated[str, msgspec.Meta(max_length=1000)]
TitleName = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"\S")]
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"\S")]
PledgeVersion = Annotated[str, msgspec.Meta(min_length=1, max_length=20, pattern=r"\S")]
Relationship = Annotated[str, msgspec.Meta(min_length=1, max_length=50, pattern=r"\S")]
OptionalName = Annotated[str, msgspec.Meta(max_length=100)]
OptionalRelationship = Annotated[str, msgspec.Meta(max_length=50)]
OptionalOfficeName = Annotated[str, msgspec.Meta(max_length=200)]
EraYear = Annotated[int, msgspec.Meta(ge=1, le=99)]
Month = Annotated[int, msgspec.Meta(ge=1, le=12)]
Day = Annotated[int, msgspec.Meta(ge=1, le=31)]

# What a member or an office may give as the reason (consentWithdrawn is set by the city's
# withdrawal of consent, never asked for); the labels are ClosingReason's.
ClosingReason = Literal["death", "facilityAdmission", "endOfService", "other"]
OfficeApplicationKind = Literal[
    "idCareManager", "idStop", "roomOpen", "roomJoin", "memberRemove", "roomClose"
]


class Strict(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    pass


class Out(msgspec.Struct, rename="camel"):
    pass


# -- inputs: people and pledges ----------------------------------------------------------------


class EraDateIn(Strict):
    """A Japanese-era date: `{"era": "showa", "year": 15, "month": 3, "day": 12}`."""

    era: Era
    year: EraYear
    month: Month
    day: Day


BirthDate = dt.date | EraDateIn


class OfficePledgeIn(Strict):
    """様式4-1: the office's representative accepts the pledge text of `version`."""

    representative: Name
    version: PledgeVersion
    accepted: bool


class PersonalPledgeIn(Strict):
    """様式4-2: the employee accepts the pledge text of `version`."""

    version: PledgeVersion
    accepted: bool


# -- inputs: application payloads (the `payload` of `POST /api/applications`) ------------------


class IdCareManagerPayload(Strict):
    """様式2-2C + 様式4-1 + 様式4-2: an ID for a care manager of the applying office.

    `staffPledge`: the office confirms that the care manager signed 様式4-2 (the original
    stays at the office, as the manual says) in the version shown.
    """

    name: Name
    name_kana: Kana
    email: Email
    phone: OptionalPhone = ""
    job_type: JobType = JobType.care_manager
    office_pledge: OfficePledgeIn | None = None
    staff_pledge: PersonalPledgeIn | None = None


class IdStopPayload(Strict):
    """様式3: stop the ID of a user of the applying office."""

    user_id: uuid.UUID
    reason: Reason
    date: dt.date


class PatientIn(Strict):
    name: Name
    name_kana: Kana
    sex: Sex
    birth_date: BirthDate
    address: Address
    care_level: CareLevel
    postal_code: PostalCode = ""
    phone: OptionalPhone = ""
    insured_number: InsuredNumber = ""
    attending_physician: OptionalName = ""  # 主治医
    emergency_contact_name: OptionalName = ""  # 緊急連絡先
    emergency_contact_relationship: OptionalRelationship = ""
    emergency_contact_phone: OptionalPhone = ""


class ConsentIn(Strict):
    """様式5: who consented (the patient or a proxy), when, and who explained the system."""

    date: dt.date
    signed_by: SignedBy
    explained_by: Name
    explainer_office: OptionalOfficeName = ""  # 説明者の事業所名
    proxy_name: Name | None = None
    proxy_relationship: Relationship | None = None
    scan_attachment_id: uuid.UUID | None = None


class MemberIn(Strict):
    user_id: uuid.UUID
    permission: Permission = Permission.write


class ReportTitleIn(Strict):
    name: TitleName
    id: uuid.UUID | None = None
    vitals: bool = False
    description: Annotated[str, msgspec.Meta(max_length=200)] = ""


TitleSpec = TitleName | ReportTitleIn


class RequesterIn(Strict):
    """様式6 「申請者」: the applying office's representative, system manager and phone."""

    representative: Name | None = None
    system_manager: Name | None = None
    phone: OptionalPhone = ""


class RoomOpenPayload(Strict):
    """様式5 + 様式6: the patient, the consent, the proposed members and report titles."""

    patient: PatientIn
    consent: ConsentIn | None = None
    members: Annotated[list[MemberIn], msgspec.Meta(max_length=60)] = []
    report_titles: Annotated[list[TitleSpec], msgspec.Meta(max_length=30)] = []
    label: Label | None = None
    requester: RequesterIn | None = None


class PatientIdentityIn(Strict):
    """Who the patient is, for an office that is not in the patient's room yet: the city
    finds the room from these (the office learns nothing of rooms it is not in)."""

    name: Name
    birth_date: BirthDate
    insured_number: InsuredNumber = ""
    name_kana: Kana | None = None


class RoomJoinPayload(Strict):
    """部屋への参加依頼: the office's staff, each with a 閲覧権限, into one patient's room.

    The room is named by `roomId` when the office already takes part in it, else by
    `patient` (exactly one of the two).
    """

    members: Annotated[list[MemberIn], msgspec.Meta(min_length=1, max_length=20)]
    room_id: uuid.UUID | None = None
    patient: PatientIdentityIn | None = None
    note: Note = ""


class MemberRemovePayload(Strict):
    """部屋の参加者の削除依頼: an office in the room asks the city to take a member out."""

    room_id: uuid.UUID
    user_id: uuid.UUID
    reason: Reason


class RoomClosePayload(Strict):
    room_id: uuid.UUID
    reason: ClosingReason
    note: Note = ""


PAYLOAD_TYPES: dict[str, type[Strict]] = {
    "idCareManager": IdCareManagerPayload,
    "idStop": IdStopPayload,
    "roomOpen": RoomOpenPayload,
    "roomJoin": RoomJoinPayload,
    "memberRemove": MemberRemovePayload,
    "roomClose": RoomClosePayload,
}


class ApplicationIn(Strict):
    kind: OfficeApplicationKind
    payload: dict[str, Any]


class ApproveIn(Strict):
    """`roomId`: the room the city chose for a room-join request that named the patient."""

    note: Note = ""
    room_id: uuid.UUID | None = None


class RejectIn(Strict):
    reason: Reason


class WithdrawIn(Strict):
    note: Note = ""


# -- inputs: invitations -----------------------------------------------------------------------


class InvitationIn(Strict):
    name: Name
    email: Email
    office_id: uuid.UUID


class InvitationApplyIn(Strict):
    """What the invitee fills in: the ID application and the 様式4-2 pledge."""

    name: Name
    name_kana: Kana
    job_type: JobType
    email: Email
    pledge: PersonalPledgeIn
    phone: OptionalPhone = ""
    office_id: uuid.UUID | None = None
    # 訪問診療・訪問看護を行う (doctors and nurses); left out, the office kind's usual rule.
    visits_homes: bool | None = None


# -- inputs: offices, rooms, users, help -------------------------------------------------------


class PaperPledgeIn(Strict):
    """A 様式4-1 received on paper: who signed it, which text, on which day."""

    representative: Name
    version: PledgeVersion
    accepted_on: dt.date


class NewPersonIn(Strict):
    """Someone who gets a new account by the activation mail (no password is ever chosen)."""

    name: Name
    name_kana: Kana
    email: Email
    job_type: JobType
    phone: OptionalPhone = ""


class OfficeIn(Strict):
    """A new office. `systemManagers`: its システム管理担当者, each mailed an activation link
    (様式4-1's representative, in `pledge`, may be another person)."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]
    kind: OfficeKind
    name_kana: Annotated[str, msgspec.Meta(max_length=200)] = ""
    postal_code: PostalCode = ""
    address: OptionalAddress = ""
    phone: OptionalPhone = ""
    fax: OptionalPhone = ""
    pledge: PaperPledgeIn | None = None
    system_managers: Annotated[list[NewPersonIn], msgspec.Meta(max_length=5)] = []


class SystemManagerIn(Strict):
    """Name a システム管理担当者: one of the office's staff (`userId`) or a new person."""

    user_id: uuid.UUID | None = None
    person: NewPersonIn | None = None


class ClerkIn(Strict):
    """A new city clerk (ユーザー管理者（市）): mailed an activation link."""

    name: Name
    email: Email
    name_kana: Kana | None = None
    phone: OptionalPhone = ""


class ClerkRetireIn(Strict):
    reason: Reason = "異動・退職"


class RoomCreateIn(Strict):
    """From a roomOpen application (`applicationId`; other fields override it) or directly."""

    application_id: uuid.UUID | None = None
    patient: PatientIn | None = None
    consent: ConsentIn | None = None
    members: Annotated[list[MemberIn], msgspec.Meta(max_length=60)] | None = None
    report_titles: Annotated[list[TitleSpec], msgspec.Meta(max_length=30)] | None = None
    label: Label | None = None
    # The city saw the possible duplicates (same 被保険者番号, or name and birth date) and
    # still opens a second room.
    allow_duplicate: bool = False


class MemberAddIn(Strict):
    user_id: uuid.UUID
    permission: Permission = Permission.write


class MemberPatchIn(Strict):
    permission: Permission


class ReportTitlesIn(Strict):
    titles: Annotated[list[TitleSpec], msgspec.Meta(min_length=1, max_length=30)]


class LabelIn(Strict):
    label: Label | None


class RoomCloseIn(Strict):
    reason: ClosingReason | None = None
    closing_request_id: uuid.UUID | None = None
    note: Note = ""


class UserStopIn(Strict):
    """`date`: the 停止希望日; a day still to come schedules the stop for 00:00 JST of it."""

    reason: Reason = "管理者による停止"
    date: dt.date | None = None


class ScheduledStopCancelIn(Strict):
    reason: Note = ""


class HelpContactIn(Strict):
    """A contact point; `public` ones are shown on the sign-in page, before anyone signs in."""

    title: Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"\S")]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]
    postal_code: PostalCode = ""
    address: OptionalAddress = ""
    phone: OptionalPhone = ""
    email: Annotated[
        str, msgspec.Meta(max_length=254, pattern=r"^([^@\s]+@[^@\s]+\.[^@\s]+)?$")
    ] = ""
    hours: Annotated[str, msgspec.Meta(max_length=200)] = ""
    note: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    public: bool = False


class PledgeTextsIn(Strict):
    version: PledgeVersion
    form41: Annotated[str, msgspec.Meta(min_length=1, max_length=5000, pattern=r"\S")]
    form42: Annotated[str, msgspec.Meta(min_length=1, max_length=5000, pattern=r"\S")]


class HelpLinkIn(Strict):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]
    url: Annotated[str, msgspec.Meta(max_length=500, pattern=r"^https?://[^\s<>\"]+$")]


class TermsIn(Strict):
    """The terms of use every user accepts; a new `version` asks everyone again.

    Both empty: no terms (nobody is asked). Text without a version, or a version without
    text, is refused.
    """

    version: Annotated[str, msgspec.Meta(max_length=20)] = ""
    text: Annotated[str, msgspec.Meta(max_length=20000)] = ""


class HelpIn(Strict):
    """The whole help page (a PUT replaces it); fields left out take a new city's defaults."""

    city_name: Name
    contacts: Annotated[list[HelpContactIn], msgspec.Meta(max_length=10)]
    rules: Annotated[str, msgspec.Meta(max_length=20000)]
    pledge: PledgeTextsIn
    pledge_items: Annotated[str, msgspec.Meta(max_length=20000)] | None = None
    links: Annotated[list[HelpLinkIn], msgspec.Meta(max_length=20)] | None = None
    devices: Annotated[str, msgspec.Meta(max_length=5000)] | None = None
    sign_in_note: Annotated[str, msgspec.Meta(max_length=1000)] | None = None
    terms: TermsIn | None = None


class TermsAcceptIn(Strict):
    """「利用規約に同意する」: the version the user was shown."""

    version: Annotated[str, msgspec.Meta(min_length=1, max_length=20, pattern=r"\S")]


# -- outputs -----------------------------------------------------------------------------------


class EraDateOut(Out):
    era: str
    era_label: str
    year: int
    month: int
    day: int
    text: str


class OfficeRef(Out):
    id: uuid.UUID
    name: str
    kind: str
    kind_label: str


class DirectoryEntryOut(Out):
    """Someone an office may propose for a room: what the 様式6 asks, nothing to sign in with."""

    id: uuid.UUID
    name: str
    name_kana: str
    job_type: str
    job_type_label: str
    office_id: uuid.UUID | None
    office_name: str | None
    office_kind: str | None


class HistoryOut(Out):
    at: dt.datetime
    action: str
    actor_id: uuid.UUID | None
    actor_name: str | None
    note: str | None
    action_label: str  # the action in the clerk's words; the code when it has no label


class RoomRef(Out):
    id: uuid.UUID
    label: str | None
    status: str
    patient_name: str
    patient_name_kana: str


class ScheduledStopOut(Out):
    """An ID stop waiting for its day (`scheduled`), carried out (`done`) or `cancelled`."""

    id: uuid.UUID
    user: UserRef
    stop_on: dt.date
    due_at: dt.datetime
    reason: str
    state: str
    application_id: uuid.UUID | None
    office: OfficeRef | None
    scheduled_by: str | None
    notice_sent_at: dt.datetime | None
    done_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    cancelled_by: str | None
    cancel_reason: str | None
    created_at: dt.datetime


class OfficePledgeOut(Out):
    """The office's latest 様式4-1 on record."""

    signer_name: str
    version: str
    accepted_at: dt.datetime


class ApplicationOut(Out):
    id: uuid.UUID
    kind: str
    kind_label: str
    forms: list[str]
    state: str
    office: OfficeRef | None
    applicant: UserRef | None
    invitation_id: uuid.UUID | None
    subject_user: UserRef | None
    room: RoomRef | None
    payload: dict[str, Any]
    users: list[UserRef]
    reason: str | None
    reviewer: UserRef | None
    reviewed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    age_days: int
    history: list[HistoryOut]
    scheduled_stop: ScheduledStopOut | None = None
    # For ID applications: the office's 様式4-1 (None: none on record; approval would refuse).
    office_pledge: OfficePledgeOut | None = None


class InvitationOut(Out):
    id: uuid.UUID
    name: str
    email: str
    office: OfficeRef
    invited_by: str | None
    created_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None
    state: str  # pending | used | expired | revoked
    application_id: uuid.UUID | None
    revoked_at: dt.datetime | None = None
    revoked_by: str | None = None


class JobTypeOut(Out):
    code: str
    label: str


class PledgeTextOut(Out):
    form: str
    version: str
    text: str


class InvitationPublicOut(Out):
    name: str
    email: str
    office: OfficeRef
    expires_at: dt.datetime
    offices: list[OfficeRef]
    job_types: list[JobTypeOut]
    pledge: PledgeTextOut


class AppliedOut(Out):
    application_id: uuid.UUID
    state: str


class LedgerRow(Out):
    id: uuid.UUID
    login_id: str
    name: str
    name_kana: str
    job_type: str
    job_type_label: str
    role: str
    role_label: str
    status: str
    status_label: str
    office_id: uuid.UUID | None
    office_name: str | None
    email: str
    phone: str
    created_at: dt.datetime
    activated_at: dt.datetime | None
    stopped_at: dt.datetime | None
    pledged_at: dt.datetime | None
    room_count: int
    visits_homes: bool
    terms_version: str | None  # the latest version of the terms of use accepted, and when
    terms_accepted_at: dt.datetime | None
    stop_scheduled_on: dt.date | None = None


class CountOut(Out):
    key: str | None
    label: str
    count: int


class LedgerOut(Out):
    total: int
    users: list[LedgerRow]
    counts_by_office: list[CountOut]
    counts_by_job_type: list[CountOut]
    # The city's current terms of use ("" when none): rows with another version must accept.
    terms_version: str


class UserDetailOut(Out):
    user: LedgerRow
    history: list[HistoryOut]
    rooms: list[RoomRef]


class OfficeOut(Out):
    id: uuid.UUID
    name: str
    name_kana: str
    kind: str
    kind_label: str
    postal_code: str
    address: str
    phone: str
    fax: str
    representative: str | None
    pledged_at: dt.datetime | None
    pledge_version: str | None
    active_users: int
    created_at: dt.datetime
    closed_at: dt.datetime | None
    closed_reason: Literal["closed", "merged"] | None
    merged_into_id: uuid.UUID | None
    system_managers: list[SystemManagerOut] = []


class SystemManagerOut(Out):
    id: uuid.UUID
    login_id: str
    name: str
    job_type_label: str
    status: str
    email: str


class ClerkOut(Out):
    id: uuid.UUID
    login_id: str
    name: str
    name_kana: str
    email: str
    role: str
    role_label: str
    status: str
    status_label: str
    office_name: str | None
    created_at: dt.datetime
    activated_at: dt.datetime | None
    stopped_at: dt.datetime | None
    last_sign_in_at: dt.datetime | None


class MissingOut(Out):
    code: str
    ja: str
    en: str


class PatientOut(Out):
    id: uuid.UUID
    name: str
    name_kana: str
    sex: str
    birth_date: dt.date
    birth_date_era: EraDateOut
    postal_code: str
    address: str
    phone: str
    care_level: str
    care_level_label: str
    insured_number: str
    attending_physician: str
    emergency_contact_name: str
    emergency_contact_relationship: str
    emergency_contact_phone: str


class ConsentOut(Out):
    id: uuid.UUID
    date: dt.date
    signed_by: str
    proxy_name: str | None
    proxy_relationship: str | None
    explained_by: str
    scan_attachment_id: uuid.UUID | None
    recorded_at: dt.datetime
    explainer_office: str
    scan_content_type: str | None
    withdrawn_on: dt.date | None
    withdrawal_reason: str | None


class MemberOut(Out):
    id: uuid.UUID
    user: UserRef
    permission: str
    joined_at: dt.datetime
    left_at: dt.datetime | None
    left_reason: str | None


class ReportTitleOut(Out):
    id: uuid.UUID
    name: str
    position: int
    vitals: bool
    active: bool
    description: str


class RoomSummaryOut(Out):
    id: uuid.UUID
    label: str | None
    status: str
    patient_name: str
    patient_name_kana: str
    member_count: int
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    closing_requested: bool


class RoomOut(Out):
    id: uuid.UUID
    label: str | None
    status: str
    version: int
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    closed_reason: str | None
    patient: PatientOut
    consent: ConsentOut | None
    members: list[MemberOut]
    former_members: list[MemberOut]
    report_titles: list[ReportTitleOut]
    missing: list[MissingOut]
    application_id: uuid.UUID | None
    closed_note: str | None


class RoomCandidateOut(Out):
    """A room whose patient matches a room-join request, and what matched."""

    room: RoomRef
    birth_date: dt.date
    birth_date_era: EraDateOut
    insured_number: str
    matched: list[str]  # insuredNumber | nameAndBirthDate | kanaAndBirthDate
    member_count: int
    offices: list[str]


class OfficeRoomMemberOut(Out):
    """A current member as an office admin sees it: name, job type, office — no login ID."""

    user_id: uuid.UUID
    name: str
    job_type_label: str
    office_name: str | None
    permission: str
    own_office: bool


class ClosingRequestOut(Out):
    post_id: uuid.UUID
    room: RoomRef
    requester: UserRef
    reason: str | None
    reason_label: str
    note: str
    requested_at: dt.datetime


class HelpContactOut(Out):
    title: str
    name: str
    postal_code: str
    address: str
    phone: str
    email: str
    hours: str
    note: str
    public: bool


class PledgeTextsOut(Out):
    version: str
    form41: str
    form42: str


class HelpLinkOut(Out):
    title: str
    url: str


class TermsOut(Out):
    version: str  # "" while the city has published no terms
    text: str


class HelpOut(Out):
    city_name: str
    contacts: list[HelpContactOut]
    rules: str
    pledge: PledgeTextsOut
    updated_at: dt.datetime | None
    pledge_items: str
    links: list[HelpLinkOut]
    devices: str
    sign_in_note: str
    terms: TermsOut


class PublicHelpOut(Out):
    """What the sign-in page shows: only the contact points the city chose to publish."""

    city_name: str
    sign_in_note: str
    contacts: list[HelpContactOut]


class FormOut(Out):
    """One printable form: its number, title, fixed wording and every field, pre-filled."""

    form: str
    title: str
    subtitle: str
    addressee: str | None
    date: dt.date | None  # None on a blank form: the date is written by hand
    date_era: EraDateOut | None
    text: str
    fields: dict[str, Any]
    source: dict[str, str]
    blank: bool  # a form to fill in by hand (no date, the office's details only)


class AccessLogEntryOut(Out):
    """One read or write of a patient's room: who, when, what kind, from where — no text."""

    seq: int
    at: dt.datetime
    action: str
    action_label: str
    kind: str  # read | write | admin
    outcome: str
    target_type: str | None
    count: int | None
    actor_id: uuid.UUID | None
    actor_login: str | None
    actor_name: str | None
    actor_job_type_label: str | None
    actor_office_name: str | None
    ip: str | None
    device_id: uuid.UUID | None
    device_label: str | None


class AccessLogOut(Out):
    room: RoomRef
    entries: list[AccessLogEntryOut]
    next_before: int | None  # pass as `before` for the next, older page
