"""What needs a member's attention: vitals thresholds per patient, addressed posts (宛先),
and each member's own reading state in a room."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, IdMixin, JsonValue, utcnow


class VitalThreshold(IdMixin, Base):
    """The normal range of one vital sign for one patient (by the patient's room).

    A reading below `low` or above `high` is out of range. No row: the documented default
    (`docs/vital-thresholds.md`, `sync/thresholds.py`). Who set it and when stay on the row.
    """

    __tablename__ = "vital_threshold"
    __table_args__ = (UniqueConstraint("room_id", "sign"),)

    room_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("room.id"))
    sign: Mapped[str] = mapped_column(String(30))
    low: Mapped[float | None] = mapped_column(Float, default=None)
    high: Mapped[float | None] = mapped_column(Float, default=None)
    set_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


class Addressee(IdMixin, Base):
    """宛先: one member named by a post or a comment, and whether they have dealt with it.

    Waiting until the member comments on the post (`answered_at`) or marks it done
    (`done_at`); the id is derived from the source and the member, so a retried mutation
    finds the same row.
    """

    __tablename__ = "addressee"
    __table_args__ = (
        Index("ix_addressee_post_id_user_id", "post_id", "user_id"),
        Index("ix_addressee_room_id_version", "room_id", "version"),
    )

    room_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("room.id"))
    post_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("post.id"))
    comment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("comment.id"), default=None)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    asks_answer: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)
    answer_comment_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    done_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)


class RoomPersonal(Base):
    """A member's own state in a room, synced to that member's devices only: the posts they
    marked unread again, and up to which room version they cleared the room from their
    attention view. Apart from the read receipt, which others see and only moves forward."""

    __tablename__ = "room_personal"

    room_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("room.id"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    unread_post_ids: Mapped[list[str]] = mapped_column(JsonValue, default=list)
    cleared_version: Mapped[int] = mapped_column(BigInteger, default=0)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

