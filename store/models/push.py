"""Web Push subscriptions and the transactional outbox of notifications to deliver."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CreatedMixin, IdMixin, JsonValue, utcnow
from .enums import OutboxStatus


class PushSubscription(IdMixin, CreatedMixin, Base):
    """A browser's push endpoint, bound to one device of one user."""

    __tablename__ = "push_subscription"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    device_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("device.id"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    last_success_at: Mapped[datetime | None] = mapped_column(default=None)


class Outbox(IdMixin, CreatedMixin, Base):
    """One notification to one subscription, written in the transaction of the post it tells of."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    subscription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("push_subscription.id", ondelete="CASCADE"), index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JsonValue)
    urgency: Mapped[str] = mapped_column(String(10), default="normal")
    topic: Mapped[str | None] = mapped_column(String(32), default=None)
    ttl: Mapped[int] = mapped_column(Integer, default=86400)
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.pending)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
