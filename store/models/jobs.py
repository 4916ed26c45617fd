"""Work done later by the server itself: ID stops due on a date, and the lease that lets one
process at a time do such work while several `serve`/`worker` processes share a database."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CreatedMixin, IdMixin


class ScheduledStop(IdMixin, CreatedMixin, Base):
    """An ID stop (様式3) approved for a 停止希望日 still to come.

    `due_at` is 00:00 Japan time of `stop_on`, stored in UTC. `state` moves once:
    scheduled → done (carried out) | cancelled (by the city before it was due).
    """

    __tablename__ = "scheduled_stop"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    application_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("application.id"), index=True, default=None
    )
    stop_on: Mapped[date]
    due_at: Mapped[datetime] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), index=True)
    scheduled_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id"), default=None
    )
    # The person was told (by mail, some days before) to send what is left on their devices.
    notice_sent_at: Mapped[datetime | None] = mapped_column(default=None)
    done_at: Mapped[datetime | None] = mapped_column(default=None)
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
    cancelled_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id"), default=None
    )
    cancel_reason: Mapped[str | None] = mapped_column(Text, default=None)


class JobLease(Base):
    """Who may run a named job now: the holder renews `expires_at` while it runs.

    A process takes the lease when it is free or expired (a holder that died); one
    conditional UPDATE decides, so two processes never hold it at once.
    """

    __tablename__ = "job_lease"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(120), default=None)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
