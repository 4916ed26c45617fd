"""Attachments — photos and documents (PDF) — the rules for uploading one and viewing one.

An attachment is uploaded on its own, before the `post.create` mutation that names it in
`attachmentIds`, so that an offline post can be queued with its attachments' ids. The
content work (a photo decoded and re-encoded, a PDF checked and its first page rendered,
pdfs.py) and the disk writes happen outside any database transaction; the row and its
audit event are then written together, after checking the membership again (it may have
ended during the upload). A document is kept as it came and is only ever downloaded.

Orphans: an upload never referenced by a post keeps its row (`post_id` NULL) and
its file. A cleanup command (rows unreferenced after a day, then files that no
row names any more) is still to be written; until then they are only disk space,
visible to the room's members only.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import anyio.to_thread
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from store.models import Attachment, Post
from store.models.enums import AttachmentKind
from store.writer import begin_write

from ..audit import service as audit
from ..auth.context import AuthContext
from ..errors import NotFound
from . import images, pdfs
from .blob_store import BlobStore
from .room_access import require_reader, require_writer

log = logging.getLogger("carebook.attachments")

Variant = Literal["original", "thumbnail"]


MAX_FILENAME = 120
_UNSAFE_IN_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def attachment_not_found() -> NotFound:
    return NotFound(
        "添付ファイルが見つからないか、閲覧する権限がありません。",
        "The attachment does not exist or you may not see it.",
        code="attachment_not_found",
    )


def document_filename(given: str | None) -> str:
    """The name a document is shown and downloaded under: the uploader's own file name,
    without a path, control or reserved characters, at most 120 characters, ending .pdf."""
    name = unicodedata.normalize("NFC", given or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_IN_NAME.sub("_", name).strip(" ._")
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    stem = stem.strip(" ._")[: MAX_FILENAME - 4] or "文書"
    return f"{stem}.pdf"


@dataclass(frozen=True)
class Viewable:
    attachment: Attachment
    path: Path
    content_type: str
    filename: str
    download: bool  # a document: Content-Disposition attachment, never shown inline


class Attachments:
    def __init__(self, session: AsyncSession, ctx: AuthContext, store: BlobStore) -> None:
        assert ctx.user is not None
        self.session = session
        self.ctx = ctx
        self.user = ctx.user
        self.store = store

    async def upload(self, room_id: uuid.UUID, raw: bytes) -> Attachment:
        """A photo: checked by content, re-encoded without metadata."""
        # Refuse non-members before spending CPU on their bytes.
        await require_writer(self.session, self.user, room_id)
        await self.session.rollback()  # no snapshot held during the image work
        if len(raw) > images.MAX_UPLOAD_BYTES:
            raise images.ImageTooLarge()
        clean = await anyio.to_thread.run_sync(images.sanitize, raw)
        return await self._keep(
            room_id,
            clean.data,
            clean.thumbnail,
            Attachment(
                content_type=clean.content_type,
                kind=AttachmentKind.photo,
                width=clean.width,
                height=clean.height,
            ),
        )

    async def upload_document(
        self, room_id: uuid.UUID, raw: bytes, filename: str | None
    ) -> Attachment:
        """A document: a PDF checked by content (pdfs.py) and kept as it came."""
        await require_writer(self.session, self.user, room_id)
        await self.session.rollback()  # no snapshot held during the PDF work
        if len(raw) > pdfs.MAX_DOCUMENT_BYTES:
            raise pdfs.DocumentTooLarge()
        checked = await anyio.to_thread.run_sync(
            lambda: pdfs.check_pdf(raw, thumbnail_edge=pdfs.THUMBNAIL_EDGE)
        )
        assert checked.thumbnail is not None
        return await self._keep(
            room_id,
            checked.data,
            checked.thumbnail,
            Attachment(
                content_type="application/pdf",
                kind=AttachmentKind.document,
                filename=document_filename(filename),
                page_count=checked.pages,
                width=checked.width,
                height=checked.height,
            ),
        )

    async def _keep(
        self, room_id: uuid.UUID, data: bytes, thumbnail: bytes, attachment: Attachment
    ) -> Attachment:
        """Store the files, then the row and its audit event, if still a writer of the room."""
        sha256 = await anyio.to_thread.run_sync(self.store.put, data)
        thumb_sha256 = await anyio.to_thread.run_sync(self.store.put, thumbnail)

        await begin_write(self.session)
        access = await require_writer(self.session, self.user, room_id)
        attachment.room_id = room_id
        attachment.uploader_id = self.user.id
        attachment.sha256 = sha256
        attachment.thumb_sha256 = thumb_sha256
        attachment.size = len(data)
        attachment.created_at = self.ctx.now
        self.session.add(attachment)
        await self.session.flush()
        details: dict[str, object] = {"contentType": attachment.content_type, "size": len(data)}
        if attachment.kind == AttachmentKind.document:
            details["pages"] = attachment.page_count
        await audit.record(
            self.session,
            at=self.ctx.now,
            actor=self.ctx.actor,
            action="attachment.upload",
            target_type="attachment",
            target_id=attachment.id,
            room_id=room_id,
            patient_id=access.patient_id,
            details=details,
        )
        await self.session.commit()
        return attachment

    async def view(
        self, attachment_id: uuid.UUID, variant: Variant, purpose: str = "view"
    ) -> Viewable:
        """Authorize one view and audit it; unknown, foreign and deleted attachments all
        answer 404, so nobody learns that an id exists.

        `purpose` "offline": the PWA fetched it to keep an encrypted copy on the device (the
        audit says so, so a review does not read it as somebody looking at the file)."""
        await begin_write(self.session)
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
            details={"variant": variant, "purpose": purpose, "kind": attachment.kind},
        )
        await self.session.commit()
        if variant == "original" and attachment.kind == AttachmentKind.document:
            filename = attachment.filename or f"{attachment.id}.pdf"
        else:
            suffix = ".thumb" if variant == "thumbnail" else ""
            extension = images.EXTENSIONS.get(content_type, "bin")
            filename = f"{attachment.id}{suffix}.{extension}"
        return Viewable(
            attachment=attachment,
            path=self.store.path_for(sha256),
            content_type=content_type,
            filename=filename,
            download=variant == "original" and attachment.kind == AttachmentKind.document,
        )
