"""Wire types of `/api/templates` (定型文)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

TemplateScope = Literal["personal", "office"]
MAX_TEMPLATE_BODY = 4000


class TemplateIn(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
    body: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_TEMPLATE_BODY)]
    scope: TemplateScope = "personal"
    report_title_name: Annotated[str, msgspec.Meta(max_length=60)] | None = None


class TemplateOut(msgspec.Struct, rename="camel"):
    id: uuid.UUID
    scope: TemplateScope
    title: str
    body: str
    report_title_name: str | None
    updated_at: datetime
    editable: Annotated[bool, msgspec.Meta(description="Whether I may change or delete it.")]


class TemplatesOut(msgspec.Struct, rename="camel"):
    templates: list[TemplateOut]
