"""Wire types of read receipts (既読)."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec


class ReaderOut(msgspec.Struct, rename="camel"):
    user_id: uuid.UUID
    name: str
    job_type: str
    job_type_label: str
    office_name: str | None
    read_at: datetime | None


class ReadersOut(msgspec.Struct, rename="camel"):
    read: list[ReaderOut]
    unread: list[ReaderOut]
