"""Sign-in state: devices, server-side sessions and second factors."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CreatedMixin, IdMixin, JsonValue, utcnow


class Device(IdMixin, CreatedMixin, Base):
    """端末: one installed PWA, known by the random id it sends in `X-Carebook-Device`."""

    __tablename__ = "device"

    device_key: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    signed_in_before: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_signins: Mapped[int] = mapped_column(Integer, default=0)
    wipe_requested_at: Mapped[datetime | None] = mapped_column(default=None)
    wipe_reason: Mapped[str | None] = mapped_column(String(40), default=None)
    wipe_delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    cert_fingerprint: Mapped[str | None] = mapped_column(String(128), default=None)


class DeviceKeyShare(IdMixin, CreatedMixin, Base):
    """A device's recovery secret: one of the keys that wrap the PWA's data key (docs/security.md).

    Sealed at rest under the server secret key; released only to the device it belongs to, for
    the user who made it, after a full sign-in (server/auth/device_keys.py).
    """

    __tablename__ = "device_key_share"

    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("device.id"), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    secret_sealed: Mapped[str] = mapped_column(String(200))
    released_at: Mapped[datetime | None] = mapped_column(default=None)


class UserSession(IdMixin, CreatedMixin, Base):
    """A server-side session; the cookie holds a token whose SHA-256 is `token_hash`."""

    __tablename__ = "user_session"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    device_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("device.id"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    factor: Mapped[str | None] = mapped_column(String(20), default=None)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    authenticated_at: Mapped[datetime | None] = mapped_column(default=None)
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    challenge: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    challenge_purpose: Mapped[str | None] = mapped_column(String(20), default=None)
    challenge_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    pending_totp_secret: Mapped[str | None] = mapped_column(String(255), default=None)
    # SHA-256 of the unlock secret the app proves it is unlocked with (server/auth/unlock.py).
    unlock_hash: Mapped[str | None] = mapped_column(String(64), default=None)


class WebAuthnCredential(IdMixin, CreatedMixin, Base):
    """A passkey: public key, sign count and backup flags, as py_webauthn verified them."""

    __tablename__ = "webauthn_credential"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    credential_id: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    transports: Mapped[list[str]] = mapped_column(JsonValue, default=list)
    aaguid: Mapped[str] = mapped_column(String(40), default="")
    backup_eligible: Mapped[bool] = mapped_column(Boolean, default=False)
    backup_state: Mapped[bool] = mapped_column(Boolean, default=False)
    label: Mapped[str] = mapped_column(String(100), default="")
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)


class TotpFactor(IdMixin, CreatedMixin, Base):
    """A TOTP secret (encrypted at rest) and the last time step accepted, so codes work once."""

    __tablename__ = "totp_factor"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), unique=True)
    secret_encrypted: Mapped[str] = mapped_column(String(255))
    last_used_step: Mapped[int] = mapped_column(BigInteger, default=0)
    confirmed_at: Mapped[datetime | None] = mapped_column(default=None)


class AuditEvent(Base):
    """アクセスログ: append-only, each row hashed with the previous row's hash."""

    __tablename__ = "audit_event"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[datetime]
    actor_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    actor_login: Mapped[str | None] = mapped_column(String(64), default=None)
    action: Mapped[str] = mapped_column(String(60), index=True)
    outcome: Mapped[str] = mapped_column(String(20), default="ok")
    target_type: Mapped[str | None] = mapped_column(String(30), default=None)
    target_id: Mapped[str | None] = mapped_column(String(64), default=None)
    room_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    patient_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    ip: Mapped[str | None] = mapped_column(String(64), default=None)
    device_key: Mapped[str | None] = mapped_column(String(64), default=None)
    details: Mapped[dict[str, Any]] = mapped_column(JsonValue, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
