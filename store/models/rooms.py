"""Patients, consents, rooms, members and report titles."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CreatedMixin, IdMixin
from .enums import Permission, RoomStatus


class Patient(IdMixin, CreatedMixin, Base):
    """患者（利用者）: never a user; the person a room is about."""

    __tablename__ = "patient"

    name: Mapped[str] = mapped_column(String(100))
    name_kana: Mapped[str] = mapped_column(String(100))
    sex: Mapped[str] = mapped_column(String(10))
    birth_date: Mapped[date]
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    care_level: Mapped[str] = mapped_column(String(20))
    insured_number: Mapped[str] = mapped_column(String(20), default="")
    attending_physician: Mapped[str] = mapped_column(String(100), default="")  # 主治医
    emergency_contact_name: Mapped[str] = mapped_column(String(100), default="")  # 緊急連絡先
    emergency_contact_relationship: Mapped[str] = mapped_column(String(50), default="")
    emergency_contact_phone: Mapped[str] = mapped_column(String(30), default="")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class Consent(IdMixin, Base):
    """情報共有同意書 様式5."""

    __tablename__ = "consent"

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"), index=True)
    consent_date: Mapped[date]
    signed_by: Mapped[str] = mapped_column(String(10))  # "patient" | "proxy"
    proxy_name: Mapped[str | None] = mapped_column(String(100), default=None)
    proxy_relationship: Mapped[str | None] = mapped_column(String(50), default=None)
    explained_by: Mapped[str] = mapped_column(String(100))
    explainer_office: Mapped[str] = mapped_column(String(200), default="")  # 説明者の事業所名
    scan_attachment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("attachment.id"), default=None
    )
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime]
    # 同意の撤回: the room closes for writing; the consent stays on record.
    withdrawn_on: Mapped[date | None] = mapped_column(default=None)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text, default=None)
    withdrawn_recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id"), default=None
    )


class Room(IdMixin, CreatedMixin, Base):
    """部屋: one per patient. `version` counts the room's changes (the versions on its rows and
    in its pokes); `changed_position` is the stream position of its latest change, indexed, so
    that a pull finds the rooms changed since its cursor without reading the others."""

    __tablename__ = "room"
    # `changed_position` is the database's to fill (0, then `sync.stream` at commit): an
    # INSERT neither names it nor reads it back.
    __mapper_args__ = {"eager_defaults": False}

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=RoomStatus.open)
    label: Mapped[str | None] = mapped_column(String(40), default=None)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    changed_position: Mapped[int] = mapped_column(BigInteger, server_default=text("0"), index=True)
    opened_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_reason: Mapped[str | None] = mapped_column(String(40), default=None)
    closed_note: Mapped[str | None] = mapped_column(Text, default=None)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))


class RoomMember(IdMixin, Base):
    """部屋の参加者; a row per stay, so rejoining keeps the history.

    `joined_position` / `left_position`: the stream positions of the transactions that began
    and ended the stay (set at commit by `sync.stream`; NULL until then, and a NULL
    `joined_position` makes a pull serve the room from scratch, the safe reading).
    """

    __tablename__ = "room_member"

    room_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("room.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    permission: Mapped[str] = mapped_column(String(10), default=Permission.write)
    joined_at: Mapped[datetime]
    left_at: Mapped[datetime | None] = mapped_column(default=None)
    left_reason: Mapped[str | None] = mapped_column(String(40), default=None)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    joined_position: Mapped[int | None] = mapped_column(BigInteger)
    left_position: Mapped[int | None] = mapped_column(BigInteger)


class ReportTitle(IdMixin, Base):
    """ケアレポート標題: a category posts are filed under."""

    __tablename__ = "report_title"
    __table_args__ = (UniqueConstraint("room_id", "name"),)

    room_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("room.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer, default=0)
    vitals: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    description: Mapped[str] = mapped_column(Text, default="")
