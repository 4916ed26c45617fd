"""Wire types of the admin screen's import (camelCase; answers only, the files come as
multipart form parts)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

import msgspec


class Out(msgspec.Struct, rename="camel"):
    pass


class ImportProblemOut(Out):
    """One problem: where (the row as a spreadsheet shows it, the column's header) and why."""

    file: str
    row: int | None
    column: str | None
    code: str
    message_ja: str
    message_en: str


class ImportKindOut(Out):
    """Per kind (offices, users, patients, rooms, posts, comments): what the import did."""

    kind: str
    created: int
    updated: int
    unchanged: int


class ImportReportOut(Out):
    ok: bool
    problems: list[ImportProblemOut]
    truncated: bool
    kinds: list[ImportKindOut]


class ImportProgressOut(Out):
    phase: Literal["reading", "checking", "people", "rooms", "history", "writing"]
    done: int
    total: int
    rows_per_second: float
    seconds_left: float | None


class IssuedPersonOut(Out):
    """A person the import issued: pending, to be sent the activation (mail or letter)."""

    user_id: uuid.UUID
    login_id: str
    name: str
    office_name: str
    has_email: bool


class ImportJobOut(Out):
    id: uuid.UUID
    state: Literal["running", "done", "failed"]
    dry_run: bool
    applied: bool
    progress: ImportProgressOut
    report: ImportReportOut | None
    files: dict[str, str]
    notes: list[str]
    issued: list[IssuedPersonOut]


class ActivationIn(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    user_ids: Annotated[list[uuid.UUID], msgspec.Meta(min_length=1, max_length=10_000)]


class ActivationQueuedOut(Out):
    queued: int


class ActivationLetterOut(Out):
    """A printed letter: shown once, the code is never stored in the clear."""

    user_id: uuid.UUID
    login_id: str
    name: str
    office_name: str
    code: str
    link: str
    qr_image: str
    expires: str
    city_name: str
    contact_name: str
    contact_phone: str
