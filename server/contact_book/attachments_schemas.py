"""Wire types of the attachment routes (photos and documents)."""

from __future__ import annotations

import uuid

import msgspec
from litestar.datastructures import UploadFile


class UploadIn(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """The multipart form: exactly one part, `file`, whose bytes decide the type."""

    file: UploadFile


class AttachmentOut(msgspec.Struct, rename="camel"):
    id: uuid.UUID
    content_type: str
    size: int
    width: int
    height: int


class DocumentOut(msgspec.Struct, rename="camel"):
    """A document as stored: its name (the uploader's file name, cleaned), pages and bytes."""

    id: uuid.UUID
    content_type: str
    size: int
    name: str
    pages: int
