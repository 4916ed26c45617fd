"""Wire types of corrections: people, offices, patients, consents and reopened rooms.

Corrections name only the fields that change (every field optional, at least
one given); unknown fields are refused, every value is bounded like the form
that first recorded it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

import msgspec

from store.models.enums import CareLevel, JobType, OfficeKind

from .schemas import (
    ConsentIn,
    Email,
    InsuredNumber,
    Kana,
    LedgerRow,
    MemberIn,
    Name,
    Note,
    OfficeOut,
    OfficeRef,
    OptionalAddress,
    OptionalName,
    OptionalPhone,
    OptionalRelationship,
    Out,
    PaperPledgeIn,
    PledgeVersion,
    PostalCode,
    Reason,
    RoomRef,
    Strict,
    UserRef,
)

OfficeName = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]
OfficeKanaName = Annotated[str, msgspec.Meta(max_length=200)]

# -- inputs ------------------------------------------------------------------------------------


class UserCorrectionIn(Strict):
    """氏名・ふりがな・メールアドレス・職種 and whether the person makes home visits."""

    name: Name | None = None
    name_kana: Kana | None = None
    email: Email | None = None
    job_type: JobType | None = None
    visits_homes: bool | None = None
    note: Note = ""


class TransferPledgeIn(Strict):
    """The person's 様式4-2 for the new office, signed on paper on `accepted_on`."""

    version: PledgeVersion
    accepted_on: dt.date


class RoomChoiceIn(Strict):
    """For one room the person is in: stay (through the new office) or leave."""

    room_id: uuid.UUID
    stay: bool


class TransferIn(Strict):
    office_id: uuid.UUID
    rooms: Annotated[list[RoomChoiceIn], msgspec.Meta(max_length=500)]
    pledge: TransferPledgeIn
    visits_homes: bool | None = None
    note: Note = ""


class OfficeCorrectionIn(Strict):
    name: OfficeName | None = None
    name_kana: OfficeKanaName | None = None
    kind: OfficeKind | None = None
    postal_code: PostalCode | None = None
    address: OptionalAddress | None = None
    phone: OptionalPhone | None = None
    fax: OptionalPhone | None = None
    note: Note = ""


class OfficePledgeRecordIn(PaperPledgeIn):
    """A paper 様式4-1 for an office already registered (a new representative signs it)."""

    note: Note = ""


StaffAction = Literal["stop", "transfer"]


class OfficeCloseIn(Strict):
    """An office closes (廃止) or merges into another (統合): its staff in one step."""

    reason: Literal["closed", "merged"]
    staff: StaffAction
    merged_into_id: uuid.UUID | None = None
    # On a transfer, whether the staff stay in their rooms (the usual case of a merger).
    stay_in_rooms: bool = True
    pledge: TransferPledgeIn | None = None
    note: Note = ""


class PatientCorrectionIn(Strict):
    care_level: CareLevel | None = None
    insured_number: InsuredNumber | None = None
    postal_code: PostalCode | None = None
    address: OptionalAddress | None = None
    phone: OptionalPhone | None = None
    attending_physician: OptionalName | None = None
    emergency_contact_name: OptionalName | None = None
    emergency_contact_relationship: OptionalRelationship | None = None
    emergency_contact_phone: OptionalPhone | None = None
    note: Note = ""


class ConsentWithdrawIn(Strict):
    """同意の撤回: the day it was withdrawn and the reason, as the patient or proxy gave it."""

    date: dt.date
    reason: Reason


class RoomReopenIn(Strict):
    """Reopen a closed room: who comes back (default: the members at closing), and a new
    consent when the old one was withdrawn."""

    members: Annotated[list[MemberIn], msgspec.Meta(max_length=60)] | None = None
    consent: ConsentIn | None = None
    note: Note = ""


# -- outputs -----------------------------------------------------------------------------------


EntityKind = Literal["user", "office", "patient", "room"]
MatchedOn = Literal["insuredNumber", "nameAndBirthDate"]


class ChangeOut(Out):
    at: dt.datetime
    entity_type: EntityKind
    field: str
    before: str | None
    after: str | None
    actor_id: uuid.UUID | None
    actor_name: str
    actor_role: str
    note: str | None


class OfficeStayOut(Out):
    office: OfficeRef
    started_at: dt.datetime
    ended_at: dt.datetime | None
    ended_reason: str | None


class UserHistoryOut(Out):
    """A person's corrections and the offices they belonged to, oldest period first."""

    user: LedgerRow
    changes: list[ChangeOut]
    office_stays: list[OfficeStayOut]


class TransferOut(Out):
    user: LedgerRow
    stayed: list[RoomRef]
    left: list[RoomRef]
    office_stays: list[OfficeStayOut]


class OfficeDetailOut(Out):
    office: OfficeOut
    staff: list[UserRef]
    former_staff: list[UserRef]
    changes: list[ChangeOut]


class OfficeClosedOut(Out):
    office: OfficeOut
    stopped: list[UserRef]
    transferred: list[UserRef]


class DuplicateOut(Out):
    """A patient already on record who may be the same person, with their room."""

    patient_id: uuid.UUID
    name: str
    name_kana: str
    birth_date: dt.date
    insured_number: str
    matched_on: list[MatchedOn]
    room: RoomRef | None


class RoomHistoryOut(Out):
    changes: list[ChangeOut]
