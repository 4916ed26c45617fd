"""Every table of carebook, importable from one place (Alembic reads `Base.metadata`)."""

from .attention import Addressee, RoomPersonal, VitalThreshold
from .auth import AuditEvent, Device, DeviceKeyShare, TotpFactor, UserSession, WebAuthnCredential
from .base import Base, new_id, utcnow
from .contact_book import Attachment, Comment, Post, ReadReceipt
from .history import ChangeRecord, OfficeStay
from .jobs import JobLease, ScheduledStop
from .medications import Medication
from .people import (
    Application,
    ApplicationEvent,
    Invitation,
    Office,
    OneTimeToken,
    Pledge,
    SystemSetting,
    TermsAcceptance,
    User,
)
from .push import Outbox, PushSubscription
from .push_extra import NotificationPreference, RoomMute
from .rooms import Consent, Patient, ReportTitle, Room, RoomMember
from .sync import ChangeLog, ClientMutation, SyncStream
from .templates import Template

__all__ = [
    "Addressee",
    "Application",
    "ApplicationEvent",
    "Attachment",
    "AuditEvent",
    "Base",
    "ChangeLog",
    "ChangeRecord",
    "ClientMutation",
    "Comment",
    "Consent",
    "Device",
    "DeviceKeyShare",
    "Invitation",
    "JobLease",
    "Medication",
    "NotificationPreference",
    "Office",
    "OfficeStay",
    "OneTimeToken",
    "Outbox",
    "Patient",
    "Pledge",
    "Post",
    "PushSubscription",
    "ReadReceipt",
    "ReportTitle",
    "Room",
    "RoomMember",
    "RoomMute",
    "RoomPersonal",
    "ScheduledStop",
    "SyncStream",
    "SystemSetting",
    "Template",
    "TermsAcceptance",
    "TotpFactor",
    "User",
    "UserSession",
    "VitalThreshold",
    "WebAuthnCredential",
    "new_id",
    "utcnow",
]
