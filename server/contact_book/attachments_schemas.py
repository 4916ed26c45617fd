"""Wire types of the photo attachment routes."""

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
