"""HTTP for attachments: upload a photo or a document (PDF) into a room, fetch one or its
thumbnail.

Attachments are served under `/api/`, so they get `Cache-Control: no-store` like every
API answer and the service worker never keeps them; `nosniff` and an explicit
`Content-Disposition` stop a browser from treating them as anything but what they are.
Photos are `inline`; documents are always `attachment` (downloaded, never shown in the
app's origin), with a sandboxing Content-Security-Policy should one be opened anyway.
"""

from __future__ import annotations

import uuid
from email.utils import format_datetime
from typing import Annotated, Literal

from litestar import get, post
from litestar.datastructures import ETag
from litestar.enums import RequestEncodingType
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.params import Body, Parameter
from litestar.response import File
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.context import AuthContext
from ..errors import answer_as
from ..route_policy import policy
from ..settings import Settings
from . import images, pdfs
from .attachments_schemas import AttachmentOut, DocumentOut, UploadIn
from .attachments_service import Attachments, Variant
from .blob_store import BlobStore

Purpose = Annotated[
    Literal["view", "offline"],
    Parameter(description="`offline`: the PWA keeps an encrypted copy for use without signal "
                          "(audited as such, not as somebody looking at the file)"),
]

# The form's own framing on top of the photo; anything larger is refused before parsing.
_MULTIPART_ALLOWANCE = 64 * 1024


def _service(db_session: AsyncSession, auth: AuthContext, settings: Settings) -> Attachments:
    return Attachments(db_session, auth, BlobStore(settings.attachments_dir))


@post(
    "/api/rooms/{room_id:uuid}/attachments",
    status_code=201,
    summary="Upload a photo (JPEG, PNG, WebP; 10 MB at most) before the post that names it",
    tags=["contact book"],
    request_max_body_size=images.MAX_UPLOAD_BYTES + _MULTIPART_ALLOWANCE,
    exception_handlers={RequestEntityTooLarge: answer_as(images.ImageTooLarge)},
    opt=policy(rate="upload"),
)
async def upload_attachment(
    room_id: uuid.UUID,
    data: Annotated[
        UploadIn, Body(media_type=RequestEncodingType.MULTI_PART, multipart_form_part_limit=4)
    ],
    auth: AuthContext,
    db_session: AsyncSession,
    settings: Settings,
) -> AttachmentOut:
    try:
        raw = await data.file.read(images.MAX_UPLOAD_BYTES + 1)
    finally:
        await data.file.close()
    attachment = await _service(db_session, auth, settings).upload(room_id, raw)
    return AttachmentOut(
        id=attachment.id,
        content_type=attachment.content_type,
        size=attachment.size,
        width=attachment.width,
        height=attachment.height,
    )


@post(
    "/api/rooms/{room_id:uuid}/documents",
    status_code=201,
    summary="Upload a document (PDF, 20 MB at most, checked by content) before the post "
    "that names it",
    tags=["contact book"],
    request_max_body_size=pdfs.MAX_DOCUMENT_BYTES + _MULTIPART_ALLOWANCE,
    exception_handlers={RequestEntityTooLarge: answer_as(pdfs.DocumentTooLarge)},
    opt=policy(rate="upload"),
)
async def upload_document(
    room_id: uuid.UUID,
    data: Annotated[
        UploadIn, Body(media_type=RequestEncodingType.MULTI_PART, multipart_form_part_limit=4)
    ],
    auth: AuthContext,
    db_session: AsyncSession,
    settings: Settings,
) -> DocumentOut:
    try:
        raw = await data.file.read(pdfs.MAX_DOCUMENT_BYTES + 1)
    finally:
        await data.file.close()
    document = await _service(db_session, auth, settings).upload_document(
        room_id, raw, data.file.filename
    )
    return DocumentOut(
        id=document.id,
        content_type=document.content_type,
        size=document.size,
        name=document.filename or "",
        pages=document.page_count or 0,
    )


async def _serve(
    attachment_id: uuid.UUID,
    variant: Variant,
    auth: AuthContext,
    db_session: AsyncSession,
    settings: Settings,
    purpose: str = "view",
) -> File:
    found = await _service(db_session, auth, settings).view(attachment_id, variant, purpose)
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
        "Last-Modified": format_datetime(found.attachment.created_at, usegmt=True),
    }
    if found.download:
        headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return File(
        path=found.path,
        media_type=found.content_type,
        filename=found.filename,
        content_disposition_type="attachment" if found.download else "inline",
        etag=ETag(value=f"{found.attachment.id.hex}-{variant}"),
        headers=headers,
    )


@get(
    "/api/attachments/{attachment_id:uuid}",
    summary="A photo (inline) or a document (always as a download), for current members of "
    "its room only",
    tags=["contact book"],
)
async def view_attachment(
    attachment_id: uuid.UUID,
    auth: AuthContext,
    db_session: AsyncSession,
    settings: Settings,
    purpose: Purpose = "view",
) -> File:
    return await _serve(attachment_id, "original", auth, db_session, settings, purpose)


@get(
    "/api/attachments/{attachment_id:uuid}/thumbnail",
    summary="A photo's JPEG thumbnail, or a document's first page (320 px), for current "
    "members of its room only",
    tags=["contact book"],
)
async def view_thumbnail(
    attachment_id: uuid.UUID,
    auth: AuthContext,
    db_session: AsyncSession,
    settings: Settings,
    purpose: Purpose = "view",
) -> File:
    return await _serve(attachment_id, "thumbnail", auth, db_session, settings, purpose)


ROUTE_HANDLERS = [upload_attachment, upload_document, view_attachment, view_thumbnail]
