"""The contact book: posts, comments, read receipts and photo attachments."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CreatedMixin, IdMixin, JsonValue, utcnow
from .enums import AttachmentKind, PostKind


class Post(IdMixin, Base):
    """連絡帳の投稿; deletes are tombstones (`deleted_at`), `version` is the room version."""

    __tablename__ = "post"
    __table_args__ = (Index("ix_post_room_id_version", "room_id", "version"),)

    room_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("room.id"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    report_title_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("report_title.id"))
    kind: Mapped[str] = mapped_column(String(20), default=PostKind.normal)
    body: Mapped[str] = mapped_column(Text)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    vitals: Mapped[dict[str, Any] | None] = mapped_column(JsonValue, default=None)
    closing_reason: Mapped[str | None] = mapped_column(String(40), default=None)
    attachment_ids: Mapped[list[str]] = mapped_column(JsonValue, default=list)
    # The documents (PDF) among the attachments, described when the post was made, so that
    # every device shows their names and page counts offline: [{id, name, pages, size}].
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JsonValue, default=list)
    # Out-of-range vitals by sign ("low" | "high"), computed with the thresholds in force
    # when the vitals were written, and kept: a later threshold change flags new posts only.
    vitals_flags: Mapped[dict[str, str] | None] = mapped_column(JsonValue, default=None)
    addressee_ids: Mapped[list[str]] = mapped_column(JsonValue, default=list)
    asks_answer: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(default=None)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    # Brought in from the city's previous system (`carebook import`): the record's key there,
    # so a re-run finds it again; None for everything written in carebook.
    import_key: Mapped[str | None] = mapped_column(String(64), default=None)


class Comment(IdMixin, Base):
    """コメント on a post."""

    __tablename__ = "comment"
    __table_args__ = (Index("ix_comment_room_id_version", "room_id", "version"),)

    post_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("post.id"), index=True)
    room_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("room.id"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(Text)
    addressee_ids: Mapped[list[str]] = mapped_column(JsonValue, default=list)
    asks_answer: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    import_key: Mapped[str | None] = mapped_column(String(64), default=None)  # see Post


class ReadReceipt(Base):
    """既読: a user has read a room up to a room version; it only moves forward."""

    __tablename__ = "read_receipt"

    room_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("room.id"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    up_to_version: Mapped[int] = mapped_column(BigInteger, default=0)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attachment(IdMixin, CreatedMixin, Base):
    """A photo (EXIF stripped) or a document (a PDF checked by content, kept as it came),
    stored outside the database by content hash, with a JPEG thumbnail (a document's first
    page). A document has its file name and page count; `width`/`height` are a photo's
    pixels or a document's first page in points."""

    __tablename__ = "attachment"

    room_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("room.id"), index=True)
    uploader_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    post_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("post.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    thumb_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20), default=AttachmentKind.photo)
    filename: Mapped[str | None] = mapped_column(String(200), default=None)
    page_count: Mapped[int | None] = mapped_column(Integer, default=None)
