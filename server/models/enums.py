"""The closed vocabularies of the glossary; stored as short strings, labelled in Japanese."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a person may do beyond the rooms they are invited to; one per person.

    The roles nest for professionals: an `office_admin` (事業所のシステム管理担当者) is a
    member of their office's staff — usually a nurse manager, a care manager or a clinic
    clerk — who also files the office's applications. Being one takes nothing away: they
    can be room members like any `member` of their job type (`ROOM_MEMBER_ROLES`), and the
    city can name or unname them without touching their rooms. An office may have several.
    `municipal_admin` (the city's clerks) and `operator` run the programme and the
    installation; they are never room members (SECURITY.md 18).
    """

    member = "member"
    office_admin = "office_admin"
    municipal_admin = "municipal_admin"
    operator = "operator"


# Who can be proposed for and added to a room (their job type and status permitting).
ROOM_MEMBER_ROLES: tuple[Role, ...] = (Role.member, Role.office_admin)


class UserStatus(StrEnum):
    pending = "pending"  # ID issued, not yet activated
    active = "active"
    stopped = "stopped"  # 様式3: kept in the ledger, can no longer sign in


class JobType(StrEnum):
    doctor = "doctor"
    dentist = "dentist"
    pharmacist = "pharmacist"
    nurse = "nurse"
    public_health_nurse = "public_health_nurse"
    physical_therapist = "physical_therapist"
    occupational_therapist = "occupational_therapist"
    speech_therapist = "speech_therapist"
    care_manager = "care_manager"
    certified_care_worker = "certified_care_worker"
    home_helper = "home_helper"
    medical_social_worker = "medical_social_worker"
    dietitian = "dietitian"
    dental_hygienist = "dental_hygienist"
    city_staff = "city_staff"
    other = "other"


JOB_TYPE_LABELS: dict[JobType, str] = {
    JobType.doctor: "医師",
    JobType.dentist: "歯科医師",
    JobType.pharmacist: "薬剤師",
    JobType.nurse: "看護師",
    JobType.public_health_nurse: "保健師",
    JobType.physical_therapist: "理学療法士",
    JobType.occupational_therapist: "作業療法士",
    JobType.speech_therapist: "言語聴覚士",
    JobType.care_manager: "介護支援専門員",
    JobType.certified_care_worker: "介護福祉士",
    JobType.home_helper: "訪問介護員",
    JobType.medical_social_worker: "医療ソーシャルワーカー",
    JobType.dietitian: "管理栄養士",
    JobType.dental_hygienist: "歯科衛生士",
    JobType.city_staff: "市職員",
    JobType.other: "その他",
}


class OfficeKind(StrEnum):
    clinic = "clinic"
    home_visit_clinic = "home_visit_clinic"
    hospital = "hospital"
    dental_clinic = "dental_clinic"
    visiting_nurse_station = "visiting_nurse_station"
    care_management_office = "care_management_office"
    pharmacy = "pharmacy"
    home_help_office = "home_help_office"
    day_service = "day_service"
    community_support_center = "community_support_center"
    city_office = "city_office"
    other = "other"


OFFICE_KIND_LABELS: dict[OfficeKind, str] = {
    OfficeKind.clinic: "診療所",
    OfficeKind.home_visit_clinic: "在宅療養支援診療所",
    OfficeKind.hospital: "病院",
    OfficeKind.dental_clinic: "歯科診療所",
    OfficeKind.visiting_nurse_station: "訪問看護ステーション",
    OfficeKind.care_management_office: "居宅介護支援事業所",
    OfficeKind.pharmacy: "薬局",
    OfficeKind.home_help_office: "訪問介護事業所",
    OfficeKind.day_service: "通所介護事業所",
    OfficeKind.community_support_center: "地域包括支援センター",
    OfficeKind.city_office: "市役所",
    OfficeKind.other: "その他",
}


class ApplicationKind(StrEnum):
    id_care_manager = "idCareManager"
    id_invited = "idInvited"
    id_stop = "idStop"
    room_open = "roomOpen"
    room_join = "roomJoin"
    member_remove = "memberRemove"
    room_close = "roomClose"


class ApplicationState(StrEnum):
    submitted = "submitted"
    approved = "approved"
    rejected = "rejected"
    withdrawn = "withdrawn"


class Sex(StrEnum):
    male = "male"
    female = "female"
    other = "other"


class CareLevel(StrEnum):
    none = "none"  # なし
    applying = "applying"  # 申請中
    support_1 = "support_1"  # 要支援1
    support_2 = "support_2"
    care_1 = "care_1"  # 要介護1
    care_2 = "care_2"
    care_3 = "care_3"
    care_4 = "care_4"
    care_5 = "care_5"


CARE_LEVEL_LABELS: dict[CareLevel, str] = {
    CareLevel.none: "なし",
    CareLevel.applying: "申請中",
    CareLevel.support_1: "要支援1",
    CareLevel.support_2: "要支援2",
    CareLevel.care_1: "要介護1",
    CareLevel.care_2: "要介護2",
    CareLevel.care_3: "要介護3",
    CareLevel.care_4: "要介護4",
    CareLevel.care_5: "要介護5",
}


class RoomStatus(StrEnum):
    open = "open"
    closed = "closed"


class Permission(StrEnum):
    read = "read"
    write = "write"


PERMISSION_LABELS: dict[Permission, str] = {
    Permission.read: "閲覧のみ",
    Permission.write: "閲覧・書込",
}


class AttachmentKind(StrEnum):
    """A photo is shown inline; a document (PDF) is only ever downloaded."""

    photo = "photo"
    document = "document"


class PostKind(StrEnum):
    normal = "normal"
    closing_request = "closingRequest"


class SessionStage(StrEnum):
    password = "password"  # first factor passed, second factor pending
    change_password = "changePassword"  # must change the initial password first
    enroll = "enroll"  # must enrol a second factor first
    full = "full"


class TokenPurpose(StrEnum):
    activation = "activation"
    password_reset = "passwordReset"


class StopState(StrEnum):
    scheduled = "scheduled"
    done = "done"
    cancelled = "cancelled"


class OutboxStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    dead = "dead"
