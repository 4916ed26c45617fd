"""The sync change log, the stream position that orders it, and the per-client record of the
last applied mutation."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class SyncStream(Base):
    """The database-wide stream position: one row, moved by one for every committed writing
    transaction that recorded changes (`sync.stream`). Its row lock orders those commits."""

    __tablename__ = "sync_stream"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    position: Mapped[int] = mapped_column(BigInteger)


class ChangeLog(Base):
    """One change to synced data: at the room version the writing transaction took when it
    changed the row, and at the stream position the transaction took when it committed."""

    __tablename__ = "change_log"
    __table_args__ = (
        Index("ix_change_log_room_id_position", "room_id", "position", "version"),
    )

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    room_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("room.id"))
    version: Mapped[int] = mapped_column(BigInteger)
    entity_type: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[str] = mapped_column(String(64))
    op: Mapped[str] = mapped_column(String(4))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    position: Mapped[int] = mapped_column(BigInteger)


class ClientMutation(Base):
    """The last mutation id applied for a client; written in the mutation's own transaction."""

    __tablename__ = "client_mutation"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    last_mutation_id: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
