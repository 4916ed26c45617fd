"""The closed vocabularies of the glossary: stored as short strings, labelled once, here.

Each member carries its Japanese label (the city manual's word) and its English one;
`label()` answers them. The PWA's copy of these labels is generated from this module
(`python -m server.labels`, `pwa/src/generated/labels.ts`) and a test fails when it is
stale, so a screen, a mail, a CSV header and a printed form cannot disagree on a word.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

Lang = Literal["ja", "en"]


class LabelledEnum(StrEnum):
    """A code with its Japanese and English labels: `code = "code", "日本語", "English"`."""

    _ja: str
    _en: str

    def __new__(cls, value: str, ja: str = "", en: str = "") -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member._ja = ja or value
        member._en = en or value
        return member

    def label(self, lang: Lang = "ja") -> str:
        return self._ja if lang == "ja" else self._en

    @classmethod
    def label_of(cls, code: str | None, lang: Lang = "ja") -> str:
        """The label of a stored code; an unknown code answers itself (data older than us)."""
        if code is None:
            return ""
        try:
            return cls(code).label(lang)
        except ValueError:
            return code


class Role(LabelledEnum):
    """What a person may do beyond the rooms they are invited to; one per person.

    The roles nest for professionals: an `office_admin` (事業所のシステム管理担当者) is a
    member of their office's staff — usually a nurse manager, a care manager or a clinic
    clerk — who also files the office's applications. Being one takes nothing away: they
    can be room members like any `member` of their job type (`ROOM_MEMBER_ROLES`), and the
    city can name or unname them without touching their rooms. An office may have several.
    `municipal_admin` (the city's clerks) and `operator` run the programme and the
    installation; they are never room members (SECURITY.md 18).
    """

    member = "member", "システム利用者", "Member"
    office_admin = "office_admin", "事業所のシステム管理担当者", "Office system manager"
    municipal_admin = "municipal_admin", "ユーザー管理者（市）", "City user administrator"
    operator = "operator", "システム管理者", "System operator"


# Who can be proposed for and added to a room (their job type and status permitting).
ROOM_MEMBER_ROLES: tuple[Role, ...] = (Role.member, Role.office_admin)


class UserStatus(LabelledEnum):
    pending = "pending", "利用開始前", "Not yet activated"  # ID issued, not yet activated
    active = "active", "利用中", "Active"
    stopped = "stopped", "停止", "Stopped"  # 様式3: kept in the ledger, cannot sign in


class JobType(LabelledEnum):
    doctor = "doctor", "医師", "Doctor"
    dentist = "dentist", "歯科医師", "Dentist"
    pharmacist = "pharmacist", "薬剤師", "Pharmacist"
    nurse = "nurse", "看護師", "Nurse"
    public_health_nurse = "public_health_nurse", "保健師", "Public health nurse"
    physical_therapist = "physical_therapist", "理学療法士", "Physical therapist"
    occupational_therapist = "occupational_therapist", "作業療法士", "Occupational therapist"
    speech_therapist = "speech_therapist", "言語聴覚士", "Speech therapist"
    care_manager = "care_manager", "介護支援専門員", "Care manager"
    certified_care_worker = "certified_care_worker", "介護福祉士", "Certified care worker"
    home_helper = "home_helper", "訪問介護員", "Home helper"
    medical_social_worker = (
        "medical_social_worker",
        "医療ソーシャルワーカー",
        "Medical social worker",
    )
    dietitian = "dietitian", "管理栄養士", "Dietitian"
    dental_hygienist = "dental_hygienist", "歯科衛生士", "Dental hygienist"
    city_staff = "city_staff", "市職員", "City staff"
    other = "other", "その他", "Other"


class OfficeKind(LabelledEnum):
    clinic = "clinic", "診療所", "Clinic"
    home_visit_clinic = "home_visit_clinic", "在宅療養支援診療所", "Home-visit clinic"
    hospital = "hospital", "病院", "Hospital"
    dental_clinic = "dental_clinic", "歯科診療所", "Dental clinic"
    visiting_nurse_station = (
        "visiting_nurse_station",
        "訪問看護ステーション",
        "Visiting nurse station",
    )
    care_management_office = (
        "care_management_office",
        "居宅介護支援事業所",
        "Care-management office",
    )
    pharmacy = "pharmacy", "薬局", "Pharmacy"
    home_help_office = "home_help_office", "訪問介護事業所", "Home-help office"
    day_service = "day_service", "通所介護事業所", "Day service"
    community_support_center = (
        "community_support_center",
        "地域包括支援センター",
        "Community support center",
    )
    city_office = "city_office", "市役所", "City office"
    other = "other", "その他", "Other"


class ApplicationKind(LabelledEnum):
    """The manual's request forms, named as the manual names them, with their 様式 numbers."""

    id_care_manager = (
        "idCareManager",
        "利用登録依頼（様式2-2C・4-1）",
        "Registration request (forms 2-2C, 4-1)",
    )
    id_invited = "idInvited", "ID発行申請（招待・様式4-2）", "ID application (invited, form 4-2)"
    id_stop = "idStop", "ID停止依頼（様式3）", "ID stop request (form 3)"
    room_open = (
        "roomOpen",
        "患者（利用者）部屋作成依頼（様式5・6）",
        "Room opening request (forms 5, 6)",
    )
    room_join = "roomJoin", "部屋への参加依頼", "Room joining request"
    member_remove = "memberRemove", "部屋の参加者の削除依頼", "Member removal request"
    room_close = "roomClose", "部屋の終了依頼", "Room closing request"


class ApplicationState(LabelledEnum):
    submitted = "submitted", "受付中", "Submitted"
    approved = "approved", "承認済み", "Approved"
    rejected = "rejected", "却下", "Rejected"
    withdrawn = "withdrawn", "取下げ", "Withdrawn"


class ApplicationAction(LabelledEnum):
    """What happened to an application, as its history lists it (ApplicationEvent.action)."""

    submitted = "submitted", "提出", "Submitted"
    approved = "approved", "承認", "Approved"
    rejected = "rejected", "却下", "Rejected"
    withdrawn = "withdrawn", "取下げ", "Withdrawn"


class Sex(LabelledEnum):
    male = "male", "男", "Male"
    female = "female", "女", "Female"
    other = "other", "その他", "Other"


class CareLevel(LabelledEnum):
    """介護保険（認定） as 様式6 lists it."""

    none = "none", "なし", "None"
    applying = "applying", "申請中", "Applied for"
    support_1 = "support_1", "要支援1", "Support level 1"
    support_2 = "support_2", "要支援2", "Support level 2"
    care_1 = "care_1", "要介護1", "Care level 1"
    care_2 = "care_2", "要介護2", "Care level 2"
    care_3 = "care_3", "要介護3", "Care level 3"
    care_4 = "care_4", "要介護4", "Care level 4"
    care_5 = "care_5", "要介護5", "Care level 5"


class RoomStatus(LabelledEnum):
    open = "open", "開設中", "Open"
    closed = "closed", "終了", "Closed"


class Permission(LabelledEnum):
    """閲覧権限: what a member may do in a room."""

    read = "read", "閲覧のみ", "Read only"
    write = "write", "閲覧・書込", "Read and write"


class ClosingReason(LabelledEnum):
    """Why home care ended (the manual: 利用者死亡，施設入所など)."""

    death = "death", "死亡", "Death"
    facility_admission = "facilityAdmission", "施設入所", "Facility admission"
    end_of_service = "endOfService", "在宅サービスの終了", "End of home care"
    consent_withdrawn = "consentWithdrawn", "同意の撤回", "Consent withdrawn"
    other = "other", "その他", "Other"


class SignedBy(LabelledEnum):
    """Who signed the consent (様式5): the patient, or a proxy (代理人) with a relationship."""

    patient = "patient", "本人", "The patient"
    proxy = "proxy", "代理人", "A proxy"


class StopState(LabelledEnum):
    """A scheduled ID stop (様式3 with a 停止希望日 in the future)."""

    scheduled = "scheduled", "停止予定", "Scheduled"
    done = "done", "停止済み", "Stopped"
    cancelled = "cancelled", "取り消し", "Cancelled"


class OfficeClosing(LabelledEnum):
    """How an office stopped working: 廃止 (its IDs stop) or 統合 into another office."""

    closed = "closed", "廃止", "Closed"
    merged = "merged", "統合", "Merged"


class StaffHandling(LabelledEnum):
    """What happens, in one step, to the staff of an office that closes or merges."""

    stop = "stop", "全員のIDを停止する", "Stop every ID"
    transfer = "transfer", "全員を統合先・異動先へ移す", "Move everyone to the other office"


class DuplicateMatch(LabelledEnum):
    """Why a patient looks like one the city already has (the duplicate-patient check)."""

    insured_number = "insuredNumber", "被保険者番号が一致", "Same insured number"
    name_and_birth_date = "nameAndBirthDate", "氏名と生年月日が一致", "Same name and date of birth"


class VitalSign(LabelledEnum):
    """A vital sign of a visit record, by its key on the wire (`sync.mutations.Vitals`)."""

    systolic = "systolic", "血圧（上）", "BP systolic"
    diastolic = "diastolic", "血圧（下）", "BP diastolic"
    pulse = "pulse", "脈拍", "Pulse"
    temperature = "temperature", "体温", "Temperature"
    spo2 = "spo2", "SpO2", "SpO2"
    respiration_rate = "respirationRate", "呼吸数", "Respiration"
    weight = "weight", "体重", "Weight"
    blood_glucose = "bloodGlucose", "血糖", "Blood glucose"


class VitalFlag(LabelledEnum):
    """Which side of the patient's normal range a reading fell (`sync.thresholds`)."""

    low = "low", "基準値より低い", "below the normal range"
    high = "high", "基準値より高い", "above the normal range"


class TemplateScope(LabelledEnum):
    """Whose 定型文 it is: one person's, or the office's (kept by its システム管理担当者)."""

    personal = "personal", "個人", "Personal"
    office = "office", "事業所", "Office"


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


class OutboxStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    dead = "dead"


# The Japanese labels by code, for the modules that look them up by a stored string.
JOB_TYPE_LABELS: dict[JobType, str] = {m: m.label() for m in JobType}
OFFICE_KIND_LABELS: dict[OfficeKind, str] = {m: m.label() for m in OfficeKind}
CARE_LEVEL_LABELS: dict[CareLevel, str] = {m: m.label() for m in CareLevel}
PERMISSION_LABELS: dict[Permission, str] = {m: m.label() for m in Permission}
