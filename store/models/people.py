"""Offices, users, pledges, applications and invitations: the city's side of carebook."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, CreatedMixin, IdMixin, JsonValue, utcnow
from .enums import Role, UserStatus


class Office(IdMixin, CreatedMixin, Base):
    """事業所 / 医療機関."""

    __tablename__ = "office"

    name: Mapped[str] = mapped_column(String(200))
    name_kana: Mapped[str] = mapped_column(String(200), default="")
    # 事業所番号 / 医療機関コード as the city's ledger and the vendor's files know it: how an
    # import finds the office again (empty: found by name).
    code: Mapped[str] = mapped_column(String(20), default="", server_default="")
    kind: Mapped[str] = mapped_column(String(40))
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    fax: Mapped[str] = mapped_column(String(30), default="")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # Closed or merged into another office: kept for the ledger, no new staff or rooms.
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_reason: Mapped[str | None] = mapped_column(String(20), default=None)
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("office.id"), default=None
    )


class User(IdMixin, CreatedMixin, Base):
    """システム利用者: a professional with a login ID, or an admin/operator."""

    __tablename__ = "user_account"

    login_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    name_kana: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    birth_date: Mapped[date | None] = mapped_column(default=None)
    job_type: Mapped[str] = mapped_column(String(40))
    # 訪問診療を行う医師 / 訪問看護を行う看護師: a property of the person, not of the office kind.
    visits_homes: Mapped[bool] = mapped_column(Boolean, default=False)
    role: Mapped[str] = mapped_column(String(20), default=Role.member)
    status: Mapped[str] = mapped_column(String(20), default=UserStatus.pending)
    office_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("office.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    password_must_change: Mapped[bool] = mapped_column(Boolean, default=True)
    password_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    password_changed_at: Mapped[datetime | None] = mapped_column(default=None)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    lock_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    membership_version: Mapped[int] = mapped_column(BigInteger, default=0)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(default=None)
    stopped_at: Mapped[datetime | None] = mapped_column(default=None)

    office: Mapped[Office | None] = relationship(lazy="joined")


class Pledge(IdMixin, Base):
    """誓約書 様式4-1 (the office) or 様式4-2 (each employee), with the text version accepted."""

    __tablename__ = "pledge"

    form: Mapped[str] = mapped_column(String(8))  # "4-1" | "4-2"
    version: Mapped[str] = mapped_column(String(20))
    office_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("office.id"), index=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    application_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("application.id"), index=True
    )
    signer_name: Mapped[str] = mapped_column(String(100))
    accepted_at: Mapped[datetime] = mapped_column(default=utcnow)


class TermsAcceptance(IdMixin, Base):
    """A user accepted the terms of use (利用規約) in one version, once; the ledger shows it."""

    __tablename__ = "terms_acceptance"
    __table_args__ = (UniqueConstraint("user_id", "version"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    version: Mapped[str] = mapped_column(String(20))
    accepted_at: Mapped[datetime] = mapped_column(default=utcnow)


class Application(IdMixin, CreatedMixin, Base):
    """申請: what an office or an invitee asks for, and the admin's decision."""

    __tablename__ = "application"

    kind: Mapped[str] = mapped_column(String(20), index=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    office_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("office.id"), index=True)
    applicant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    invitation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("invitation.id"))
    subject_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    room_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("room.id"))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonValue, default=dict)
    reviewer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ApplicationEvent(IdMixin, Base):
    """One step in an application's history (submitted, approved, rejected, withdrawn …)."""

    __tablename__ = "application_event"

    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("application.id"), index=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text, default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Invitation(IdMixin, CreatedMixin, Base):
    """An e-mailed, single-use, expiring link to apply for an ID."""

    __tablename__ = "invitation"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    office_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("office.id"))
    invited_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    # Withdrawn by an admin before use (wrong address, the person left): the link stops working.
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id"), default=None
    )


class OneTimeToken(IdMixin, CreatedMixin, Base):
    """A hashed single-use link token: account activation or an admin-led password reset."""

    __tablename__ = "one_time_token"

    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class SystemSetting(Base):
    """Installation-wide values the operator sets (help contacts, sync epoch …)."""

    __tablename__ = "system_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JsonValue)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
