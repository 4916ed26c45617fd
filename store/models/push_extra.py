"""Per-user notification preferences: on/off, quiet hours, muted rooms, room label opt-in,
the daily mail."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from sqlalchemy import Boolean, ForeignKey, Time
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class NotificationPreference(Base):
    """One row per user who changed the defaults (no row: enabled, no quiet hours, no label)."""

    __tablename__ = "notification_preference"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Wall-clock times in Asia/Tokyo; start > end spans midnight (22:00–07:00).
    quiet_start: Mapped[time | None] = mapped_column(Time, default=None)
    quiet_end: Mapped[time | None] = mapped_column(Time, default=None)
    show_room_label: Mapped[bool] = mapped_column(Boolean, default=False)
    # The daily mail (opt-in): counts of rooms with new or addressed posts, no content.
    daily_mail: Mapped[bool] = mapped_column(Boolean, default=False)
    # The Japan date of the last daily mail sent (or skipped): one a day, whatever process.
    daily_mail_on: Mapped[date | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RoomMute(Base):
    """A room whose new posts the user does not want pushed (they still sync)."""

    __tablename__ = "room_mute"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    room_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("room.id", ondelete="CASCADE"), primary_key=True
    )
