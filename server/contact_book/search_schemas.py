"""Wire types of room search."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec


class SearchHitOut(msgspec.Struct, rename="camel"):
    id: uuid.UUID
    version: int
    snippet: str
    created_at: datetime
    report_title_id: uuid.UUID | None


class SearchOut(msgspec.Struct, rename="camel"):
    results: list[SearchHitOut]
    has_more: bool
