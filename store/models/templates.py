"""定型文: text templates a member or an office keeps for the contact book."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, IdMixin, utcnow


class Template(IdMixin, Base):
    """Personal (`owner_id`) or office-wide (`office_id`); exactly one of the two is set.

    Placeholders ({日付}, {時刻}, {患者名}, {自分の名前}) are filled on the device when the
    template is used, so the stored text never holds a patient's name.
    """

    __tablename__ = "text_template"

    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id"), index=True, default=None
    )
    office_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("office.id"), index=True, default=None
    )
    title: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text)
    report_title_name: Mapped[str | None] = mapped_column(String(60), default=None)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
