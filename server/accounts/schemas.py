"""Wire types for a user's own account view and for admin account actions."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec


class Out(msgspec.Struct, rename="camel"):
    pass


class Strict(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    pass


class UserRef(Out):
    """A user as every answer names them: me, the city's lists, the help desk."""

    id: uuid.UUID
    login_id: str
    name: str
    name_kana: str
    job_type: str
    job_type_label: str
    role: str
    status: str
    office_id: uuid.UUID | None
    office_name: str | None
    office_kind: str | None
    # 訪問診療・訪問看護を行う: counts toward the room-opening rule (doctors and nurses).
    visits_homes: bool


class PasskeyOut(Out):
    id: uuid.UUID
    label: str
    created_at: datetime
    last_used_at: datetime | None
    backup_eligible: bool
    backup_state: bool


class FactorsOut(Out):
    totp: bool
    passkeys: list[PasskeyOut]


class DeviceOut(Out):
    id: uuid.UUID
    label: str
    current: bool
    created_at: datetime
    last_seen_at: datetime
    wipe_requested: bool


class MyTermsOut(Out):
    """The city's current terms of use and whether this user still has to accept them."""

    version: str
    required: bool
    accepted_version: str | None
    accepted_at: datetime | None


class MeOut(Out):
    user: UserRef
    factors: FactorsOut
    device: DeviceOut | None
    session_expires_at: datetime
    terms: MyTermsOut | None  # None while the city has published no terms of use


class SessionOut(Out):
    id: uuid.UUID
    current: bool
    created_at: datetime
    last_seen_at: datetime
    ip: str
    user_agent: str
    device_id: uuid.UUID | None
    factor: str | None
