"""Wire types for a user's own account view and for admin account actions."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec


class Out(msgspec.Struct, rename="camel"):
    pass


class UserOut(Out):
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


class MeOut(Out):
    user: UserOut
    factors: FactorsOut
    device: DeviceOut | None
    session_expires_at: datetime


class SessionOut(Out):
    id: uuid.UUID
    current: bool
    created_at: datetime
    last_seen_at: datetime
    ip: str
    user_agent: str
    device_id: uuid.UUID | None
    factor: str | None


class AdminActionOut(Out):
    user_id: uuid.UUID
    action: str
    done: bool = True
