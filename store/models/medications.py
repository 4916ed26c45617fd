"""A patient's medication list and allergies (服薬・アレルギー), kept in the patient's room."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, IdMixin, utcnow


class Medication(IdMixin, Base):
    """One drug the patient takes (or took), or one allergy (`kind`).

    Kept by the room's pharmacist, doctor or nurse through the sync engine (`medication.set`),
    each change also a post in the contact book. A drug that ends is stopped (`stopped_on`),
    not removed, so the list keeps its history; removal (`deleted_at`) is for a line entered
    by mistake. Who changed it last and when stay on the row.
    """

    __tablename__ = "medication"
    __table_args__ = (Index("ix_medication_room_id_version", "room_id", "version"),)

    room_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("room.id"))
    kind: Mapped[str] = mapped_column(String(10))  # "drug" | "allergy"
    name: Mapped[str] = mapped_column(String(200))  # 薬剤名, or the allergen
    dose: Mapped[str] = mapped_column(String(200), default="")  # 用量
    timing: Mapped[str] = mapped_column(String(200), default="")  # 用法
    reaction: Mapped[str] = mapped_column(String(200), default="")  # an allergy's 症状
    started_on: Mapped[date | None] = mapped_column(default=None)
    stopped_on: Mapped[date | None] = mapped_column(default=None)
    note: Mapped[str] = mapped_column(Text, default="")
    changed_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
