"""Corrections kept with their history: what changed, from what to what, who and when.

The ledger must show a person's, an office's and a patient's past as well as
their present (the city answers disclosure requests and audits from it), so a
correction never overwrites silently: each changed field leaves a row here, in
the transaction that changed it. `OfficeStay` keeps the periods a person
belonged to each office, so a transfer shows both periods in the ledger.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, IdMixin


class ChangeRecord(IdMixin, Base):
    """One field of one entity changed by a correction (訂正履歴)."""

    __tablename__ = "change_record"
    __table_args__ = (Index("ix_change_record_entity", "entity_type", "entity_id", "at"),)

    entity_type: Mapped[str] = mapped_column(String(20))  # user | office | patient | room
    entity_id: Mapped[uuid.UUID]
    field: Mapped[str] = mapped_column(String(40))
    before: Mapped[str | None] = mapped_column(Text, default=None)
    after: Mapped[str | None] = mapped_column(Text, default=None)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    actor_name: Mapped[str] = mapped_column(String(100), default="")
    actor_role: Mapped[str] = mapped_column(String(20), default="")
    note: Mapped[str | None] = mapped_column(Text, default=None)
    at: Mapped[datetime]


class OfficeStay(IdMixin, Base):
    """A period in which a person belonged to an office (registration, transfer, merger)."""

    __tablename__ = "office_stay"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    office_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("office.id"), index=True)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    ended_reason: Mapped[str | None] = mapped_column(String(20), default=None)
