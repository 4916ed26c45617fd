"""Wire types of a room's record (camelCase): what the printed record is drawn from."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec

from store.models.enums import CareLevel, JobType, Permission, PostKind, RoomStatus, Sex
from sync.mutations import Vitals
from sync.thresholds import FlagDirection

from ..admin.schemas import EraDateOut


class Out(msgspec.Struct, rename="camel"):
    pass


class RecordPatientOut(Out):
    name: str
    name_kana: str
    sex: Sex
    birth_date: dt.date
    birth_date_era: EraDateOut
    age: int
    address: str
    phone: str
    care_level: CareLevel
    care_level_label: str
    insured_number: str


class RecordPersonOut(Out):
    """A person as the printed record names them: no login ID (the paper leaves the system),
    which is why this is not accounts.schemas.UserRef."""

    id: uuid.UUID
    name: str
    job_type: JobType
    job_type_label: str
    office_name: str


class RecordMemberOut(Out):
    person: RecordPersonOut
    permission: Permission
    joined_at: dt.datetime
    left_at: dt.datetime | None


class RecordCommentOut(Out):
    id: uuid.UUID
    author: RecordPersonOut
    body: str
    created_at: dt.datetime


class RecordDocumentOut(Out):
    """A PDF the post carries: listed by name, pages and size (downloaded in the app)."""

    id: uuid.UUID
    name: str
    pages: int
    size: int


class RecordPostOut(Out):
    id: uuid.UUID
    author: RecordPersonOut
    title: str
    kind: PostKind
    body: str
    urgent: bool
    vitals: Vitals | None
    photos: list[str]
    documents: list[RecordDocumentOut]
    created_at: dt.datetime
    edited_at: dt.datetime | None
    imported: bool
    comments: list[RecordCommentOut]
    #: The signs out of range when the post was written, as kept with it (not recomputed).
    vitals_flags: dict[str, FlagDirection] | None


class RecordRangeOut(Out):
    """A sign's normal range in force for the patient: the printed chart's band."""

    sign: str
    low: float | None
    high: float | None


class RecordOut(Out):
    """Everything the printed record shows; photos are data: URIs of their thumbnails."""

    room_id: uuid.UUID
    room_label: str | None
    room_status: RoomStatus
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    patient: RecordPatientOut
    consent_date: dt.date | None
    consent_date_era: EraDateOut | None
    members: list[RecordMemberOut]
    posts: list[RecordPostOut]
    normal_ranges: list[RecordRangeOut]
    since: dt.date | None
    until: dt.date | None
    generated_at: dt.datetime
    generated_by: str
    break_glass_reason: str | None = None


class BreakGlassIn(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """A clerk's request for a closed room's record: the reason the members will read."""

    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    since: dt.date | None = None
    until: dt.date | None = None


class BreakGlassEntryOut(Out):
    at: dt.datetime
    admin_name: str
    reason: str
    purpose: str
