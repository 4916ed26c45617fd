"""The sync API's answers, defined once: msgspec Structs that the server encodes, that
`/schema/openapi.json` describes and that the PWA's TypeScript types are generated from
(`pwa/src/generated/api.ts`, `make api-types`).

Field order is wire order: the JSON a Struct encodes to is byte for byte the JSON of the
dicts these Structs replaced (camelCase keys, every field present, null when empty,
RFC 3339 UTC timestamps with a `Z`), so a PWA installed before them reads them unchanged.
Structs are also cheaper to build and to encode than dicts (docs/benchmarks.md, "pull
encode"). `gc=False`: these are short-lived leaves that never form reference cycles.

A change is a tagged union on `type`: a client that switches on the type knows the shape
of `data` (null for a `del`, the row's current state for a `put`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal, Protocol, cast

from msgspec import Meta, Struct, convert

from store.models import (
    Addressee,
    Comment,
    Medication,
    Patient,
    Post,
    ReadReceipt,
    ReportTitle,
    Room,
    RoomPersonal,
    VitalThreshold,
)
from store.models import RoomMember as Member
from store.models.enums import CareLevel, JobType, Permission, PostKind, RoomStatus, Sex

from .changes import EntityType, Op
from .mutations import ClosingReason, MedicationKind, Reason, Vitals, VitalSign
from .thresholds import FlagDirection


class Wire(Struct, rename="camel", gc=False):
    """An answer's shape: camelCase keys, every field written (None as null)."""


# --- entity data ------------------------------------------------------------------------------


class RoomData(Wire):
    id: uuid.UUID
    patient_id: uuid.UUID
    status: RoomStatus
    label: str | None
    opened_at: datetime | None
    closed_at: datetime | None
    closed_reason: str | None
    closed_note: str | None  # the reason given when consent was withdrawn (issue 12)


class PatientData(Wire):
    id: uuid.UUID
    name: str
    name_kana: str
    sex: Sex
    birth_date: date | None
    postal_code: str
    address: str
    phone: str
    care_level: CareLevel
    insured_number: str
    attending_physician: str  # 主治医
    emergency_contact_name: str  # 緊急連絡先
    emergency_contact_relationship: str
    emergency_contact_phone: str


class MemberData(Wire):
    """A member with what the care-team screen shows: name, job type, office and its phone."""

    id: uuid.UUID
    room_id: uuid.UUID
    user_id: uuid.UUID
    name: str
    name_kana: str
    job_type: JobType
    office_id: uuid.UUID | None
    office_name: str | None
    office_phone: str | None
    permission: Permission
    joined_at: datetime | None
    left_at: datetime | None


class ReportTitleData(Wire):
    id: uuid.UUID
    room_id: uuid.UUID
    name: str
    position: int
    vitals: bool
    active: bool
    description: str


class DocumentRef(Wire):
    """A document attached to a post: shown by name and pages, always downloaded."""

    id: uuid.UUID
    name: str
    pages: int
    size: int


class PostData(Wire):
    id: uuid.UUID
    room_id: uuid.UUID
    author_id: uuid.UUID
    report_title_id: uuid.UUID | None
    kind: PostKind
    closing_reason: ClosingReason | None
    body: str
    urgent: bool
    vitals: Vitals | None
    attachment_ids: list[str]
    created_at: datetime
    edited_at: datetime | None
    version: int
    vitals_flags: Annotated[
        dict[str, FlagDirection] | None,
        Meta(description="Out-of-range readings by vitals key, as computed when stored."),
    ]
    addressee_ids: Annotated[list[str], Meta(description="宛先: user ids.")]
    asks_answer: bool
    documents: Annotated[
        list[DocumentRef],
        Meta(description="The documents (PDF) among `attachmentIds`; the rest are photos."),
    ]
    # Brought in from the city's previous system (`carebook import`), not written here.
    imported: bool


class CommentData(Wire):
    id: uuid.UUID
    room_id: uuid.UUID
    post_id: uuid.UUID
    author_id: uuid.UUID
    body: str
    created_at: datetime
    version: int
    addressee_ids: list[str]
    asks_answer: bool


class ThresholdData(Wire):
    """The patient's own normal range of one sign (no row: the default)."""

    id: uuid.UUID
    room_id: uuid.UUID
    sign: VitalSign
    low: float | None
    high: float | None
    set_by: uuid.UUID
    set_at: datetime


class AddresseeData(Wire):
    """宛先: a member named by a post or comment; waiting until answered or done."""

    id: uuid.UUID
    room_id: uuid.UUID
    post_id: uuid.UUID
    comment_id: uuid.UUID | None
    user_id: uuid.UUID
    author_id: uuid.UUID
    asks_answer: bool
    answered_at: datetime | None
    answer_comment_id: uuid.UUID | None
    done_at: datetime | None
    created_at: datetime


class MedicationData(Wire):
    """A drug on the patient's list (current until `stoppedOn`), or an allergy; who changed
    it last and when."""

    id: uuid.UUID
    room_id: uuid.UUID
    kind: MedicationKind
    name: str
    dose: str
    timing: str
    reaction: str
    started_on: date | None
    stopped_on: date | None
    note: str
    changed_by: uuid.UUID
    changed_at: datetime
    created_at: datetime


class PersonalData(Wire):
    """My own state in a room (served to me only): posts I marked unread again, and the
    room version up to which I cleared the room from my attention view."""

    room_id: uuid.UUID
    user_id: uuid.UUID
    unread_post_ids: list[str]
    cleared_version: int
    updated_at: datetime


class ReceiptData(Wire):
    room_id: uuid.UUID
    user_id: uuid.UUID
    up_to_version: int
    updated_at: datetime


def room_data(room: Room) -> RoomData:
    return RoomData(
        room.id,
        room.patient_id,
        cast(RoomStatus, room.status),
        room.label,
        room.opened_at,
        room.closed_at,
        room.closed_reason,
        room.closed_note,
    )


def patient_data(patient: Patient) -> PatientData:
    return PatientData(
        patient.id,
        patient.name,
        patient.name_kana,
        cast(Sex, patient.sex),
        patient.birth_date,
        patient.postal_code,
        patient.address,
        patient.phone,
        cast(CareLevel, patient.care_level),
        patient.insured_number,
        patient.attending_physician,
        patient.emergency_contact_name,
        patient.emergency_contact_relationship,
        patient.emergency_contact_phone,
    )


class Person(Protocol):
    """The member's user and office columns (a row of `name`, `office_name` …)."""

    name: str
    name_kana: str
    job_type: str
    office_id: uuid.UUID | None
    office_name: str | None
    office_phone: str | None


def member_data(member: Member, person: Person) -> MemberData:
    return MemberData(
        member.id,
        member.room_id,
        member.user_id,
        person.name,
        person.name_kana,
        cast(JobType, person.job_type),
        person.office_id,
        person.office_name,
        person.office_phone,
        cast(Permission, member.permission),
        member.joined_at,
        member.left_at,
    )


def report_title_data(title: ReportTitle) -> ReportTitleData:
    return ReportTitleData(
        title.id, title.room_id, title.name, title.position, title.vitals, title.active,
        title.description,
    )


def post_data(post: Post) -> PostData:
    # Stored vitals are what `Vitals.stored()` wrote (camelCase keys, no nulls): the JSON
    # of that dict is the JSON of the Struct, so it goes out as stored, not rebuilt.
    return PostData(
        post.id,
        post.room_id,
        post.author_id,
        post.report_title_id,
        cast(PostKind, post.kind),
        cast(ClosingReason | None, post.closing_reason),
        post.body,
        post.urgent,
        cast(Vitals | None, post.vitals),
        list(post.attachment_ids or ()),
        post.created_at,
        post.edited_at,
        post.version,
        cast(dict[str, FlagDirection] | None, post.vitals_flags),
        list(post.addressee_ids or ()),
        bool(post.asks_answer),
        [convert(d, DocumentRef) for d in post.documents or ()],
        post.import_key is not None,
    )


def comment_data(comment: Comment) -> CommentData:
    return CommentData(
        comment.id, comment.room_id, comment.post_id, comment.author_id, comment.body,
        comment.created_at, comment.version, list(comment.addressee_ids or ()),
        bool(comment.asks_answer),
    )


def threshold_data(row: VitalThreshold) -> ThresholdData:
    return ThresholdData(row.id, row.room_id, cast(VitalSign, row.sign), row.low, row.high,
                         row.set_by, row.set_at)


def addressee_data(row: Addressee) -> AddresseeData:
    return AddresseeData(
        row.id, row.room_id, row.post_id, row.comment_id, row.user_id, row.author_id,
        row.asks_answer, row.answered_at, row.answer_comment_id, row.done_at, row.created_at,
    )


def medication_data(row: Medication) -> MedicationData:
    return MedicationData(
        row.id, row.room_id, cast(MedicationKind, row.kind), row.name, row.dose, row.timing,
        row.reaction, row.started_on, row.stopped_on, row.note, row.changed_by, row.changed_at,
        row.created_at,
    )


def personal_data(row: RoomPersonal) -> PersonalData:
    return PersonalData(row.room_id, row.user_id, list(row.unread_post_ids or ()),
                        row.cleared_version, row.updated_at)


def receipt_data(receipt: ReadReceipt) -> ReceiptData:
    return ReceiptData(
        receipt.room_id, receipt.user_id, receipt.up_to_version, receipt.updated_at
    )


# --- changes ----------------------------------------------------------------------------------


class _Change(Wire, tag_field="type"):
    op: Op
    id: str
    version: int


class RoomChange(_Change, tag=EntityType.room.value):
    data: RoomData | None


class PatientChange(_Change, tag=EntityType.patient.value):
    data: PatientData | None


class MemberChange(_Change, tag=EntityType.member.value):
    data: MemberData | None


class ReportTitleChange(_Change, tag=EntityType.report_title.value):
    data: ReportTitleData | None


class PostChange(_Change, tag=EntityType.post.value):
    data: PostData | None


class CommentChange(_Change, tag=EntityType.comment.value):
    data: CommentData | None


class ReceiptChange(_Change, tag=EntityType.receipt.value):
    """`id` is the reader's user id: a room has one receipt per member."""

    data: ReceiptData | None


class ThresholdChange(_Change, tag=EntityType.threshold.value):
    data: ThresholdData | None


class AddresseeChange(_Change, tag=EntityType.addressee.value):
    data: AddresseeData | None


class PersonalChange(_Change, tag=EntityType.personal.value):
    """`id` is my user id: one per member and room, and only mine reaches me."""

    data: PersonalData | None


class MedicationChange(_Change, tag=EntityType.medication.value):
    data: MedicationData | None


Change = (
    RoomChange
    | PatientChange
    | MemberChange
    | ReportTitleChange
    | PostChange
    | CommentChange
    | ReceiptChange
    | ThresholdChange
    | AddresseeChange
    | PersonalChange
    | MedicationChange
)
EntityData = (
    RoomData | PatientData | MemberData | ReportTitleData | PostData | CommentData | ReceiptData
    | ThresholdData | AddresseeData | PersonalData | MedicationData
)

_CHANGE_OF: dict[str, type[_Change]] = {
    cls.__struct_config__.tag: cls  # type: ignore[misc]
    for cls in (RoomChange, PatientChange, MemberChange, ReportTitleChange, PostChange,
                CommentChange, ReceiptChange, ThresholdChange, AddresseeChange, PersonalChange,
                MedicationChange)
}


def change(entity_type: str, entity_id: str, version: int, data: EntityData | None) -> Change:
    """One change: `put` with the row's current state, or `del` (data null) for a tombstone."""
    op = Op.put if data is not None else Op.delete
    return cast(Change, _CHANGE_OF[entity_type](op, entity_id, version, data))  # type: ignore[call-arg]


def change_type(item: Change) -> str:
    """The `type` of a change (its tag)."""
    return cast(str, type(item).__struct_config__.tag)


# --- pull and push answers --------------------------------------------------------------------


class RoomChanges(Wire):
    changes: list[Change]
    has_more: bool


class PullOut(Wire):
    """One page of a pull: what changed in each of my rooms since the cursor."""

    cursor: Annotated[
        str | None, Meta(description="Send it back with the next pull; null after a wipe.")
    ]
    rooms: Annotated[
        dict[str, RoomChanges],
        Meta(description="By room id; a room with nothing new is left out."),
    ]
    revoked_rooms: Annotated[
        list[str], Meta(description="Rooms I left or lost: purge everything of them.")
    ]
    reset_rooms: Annotated[
        list[str],
        Meta(description="Rooms served again from scratch (a new sync epoch): purge, then "
             "apply this answer's changes."),
    ]
    last_mutation_ids: Annotated[
        dict[str, int],
        Meta(description="My clients' last applied mutation id, by client id."),
    ]
    wipe: Annotated[bool, Meta(description="Erase this device's data now.")]


MutationStatus = Literal["ok", "conflict", "rejected"]


class MutationResultOut(Wire, omit_defaults=True):
    id: int
    status: MutationStatus
    reason: Annotated[
        Reason | None, Meta(description="Why it was rejected (`rejected` only).")
    ] = None
    server_state: Annotated[
        PostData | None,
        Meta(description="The post as the server has it (`conflict` only): the server's "
             "state wins."),
    ] = None


class PushOut(Wire):
    """One result per mutation, in order; a repeated id is answered `ok` again."""

    results: list[MutationResultOut]


# --- live events (the `data` of each server-sent event) ---------------------------------------


class PokeEvent(Wire):
    """`event: poke`: the room has changes up to `version`; pull."""

    room_id: uuid.UUID
    version: int


class RevokedEvent(Wire):
    """`event: revoked`: I left the room; the next pull lists it in `revokedRooms`."""

    room_id: uuid.UUID


class WipeEvent(Wire):
    """`event: wipe` (data `{}`): the device must wipe; the next request says so too."""
