"""Photo attachments: the rules for uploading one and for viewing one.

A photo is uploaded on its own, before the `post.create` mutation that names it in
`attachmentIds`, so that an offline post can be queued with its photos' ids. The
image work (decode, re-encode, thumbnail) and the disk writes happen outside any
database transaction; the row and its audit event are then written together,
after checking the membership again (it may have ended during the upload).

Orphans: an upload never referenced by a post keeps its row (`post_id` NULL) and
its file. A cleanup command (rows unreferenced after a day, then files that no
row names any more) is still to be written; until then they are only disk space,
visible to the room's members only.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import anyio.to_thread
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import db
from ..audit import service as audit
from ..auth.context import AuthContext
from ..errors import NotFound
from ..models import Attachment, Post
from . import images
from .blob_store import BlobStore
from .room_access import require_reader, require_writer

log = logging.getLogger("carebook.attachments")

Variant = Literal["original", "thumbnail"]


def attachment_not_found() -> NotFound:
    return NotFound(
        "写真が見つからないか、閲覧する権限がありません。",
        "The photo does not exist or you may not see it.",
        code="attachment_not_found",
    )


@dataclass(frozen=True)
class Viewable:
    attachment: Attachment
    path: Path
    content_type: str
    filename: str


class Attachments:
    def __init__(self, session: AsyncSession, ctx: AuthContext, store: BlobStore) -> None:
        assert ctx.user is not None
        self.session = session
        self.ctx = ctx
        self.user = ctx.user
        self.store = store

    async def upload(self, room_id: uuid.UUID, raw: bytes) -> Attachment:
        # Refuse non-members before spending CPU on their bytes.
        await require_writer(self.session, self.user, room_id)
        await self.session.rollback()  # no snapshot held during the image work
        if len(raw) > images.MAX_UPLOAD_BYTES:
            raise images.ImageTooLarge()
        clean = await anyio.to_thread.run_sync(images.sanitize, raw)
        sha256 = await anyio.to_thread.run_sync(self.store.put, clean.data)
        thumb_sha256 = await anyio.to_thread.run_sync(self.store.put, clean.thumbnail)

        await db.begin_write(self.session)
        access = await require_writer(self.session, self.user, room_id)
        attachment = Attachment(
            room_id=room_id,
            uploader_id=self.user.id,
            sha256=sha256,
            thumb_sha256=thumb_sha256,
            content_type=clean.content_type,
            size=len(clean.data),
            width=clean.width,
            height=clean.height,
            created_at=self.ctx.now,
        )
        self.session.add(attachment)
        await self.session.flush()
        await audit.record(
            self.session,
            at=self.ctx.now,
            actor=self.ctx.actor,
            action="attachment.upload",
            target_type="attachment",
            target_id=attachment.id,
            room_id=room_id,
            patient_id=access.patient_id,
            details={"contentType": clean.content_type, "size": len(clean.data)},
        )
        await self.session.commit()
        return attachment

    async def view(
        self, attachment_id: uuid.UUID, variant: Variant, purpose: str = "view"
    ) -> Viewable:
        """Authorize one view and audit it; unknown, foreign and deleted photos all answer 404.

        `purpose` "offline": the PWA fetched it to keep an encrypted copy on the device (the
        audit says so, so a review does not read it as somebody looking at the photo)."""
        await db.begin_write(self.session)
        attachment = await self.session.get(Attachment, attachment_id)
        if attachment is None or attachment.room_id is None:
            raise attachment_not_found()
        try:
            access = await require_reader(self.session, self.user, attachment.room_id)
        except NotFound:
            raise attachment_not_found() from None  # the same answer as an unknown id
        if attachment.post_id is not None:
            deleted = await self.session.scalar(
                select(Post.deleted_at).where(Post.id == attachment.post_id)
            )
            if deleted is not None:
                raise attachment_not_found()
        if variant == "thumbnail":
            sha256 = attachment.thumb_sha256
            content_type = "image/jpeg"
        else:
            sha256 = attachment.sha256
            content_type = attachment.content_type
        if sha256 is None or not self.store.exists(sha256):
            log.error("attachment %s: stored %s file is missing", attachment.id, variant)
            raise attachment_not_found()
        await audit.record(
            self.session,
            at=self.ctx.now,
            actor=self.ctx.actor,
            action="attachment.view",
            target_type="attachment",
            target_id=attachment.id,
            room_id=access.room_id,
            patient_id=access.patient_id,
            details={"variant": variant, "purpose": purpose},
        )
        await self.session.commit()
        suffix = ".thumb" if variant == "thumbnail" else ""
        extension = images.EXTENSIONS.get(content_type, "bin")
        return Viewable(
            attachment=attachment,
            path=self.store.path_for(sha256),
            content_type=content_type,
            filename=f"{attachment.id}{suffix}.{extension}",
        )
