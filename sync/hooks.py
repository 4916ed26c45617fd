"""What the push engine tells its caller as it applies mutations: a new post (to notify
the team) and each handled mutation (for the audit log). The server passes `Hooks`; the
engine and its appliers (posts, medications) only call them."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class NewPost:
    room_id: uuid.UUID
    post_id: uuid.UUID
    author_id: uuid.UUID
    urgent: bool
    at: datetime
    addressee_ids: frozenset[uuid.UUID] = frozenset()
    #: A comment addressed to members: only they are told (comments notify nobody else).
    comment: bool = False


@dataclass(frozen=True)
class MutationRecord:
    """What the audit log needs about a handled mutation (ids only, never text)."""

    client_id: str
    mutation_id: int
    name: str
    status: str
    reason_code: str | None
    user_id: uuid.UUID
    room_id: uuid.UUID | None
    patient_id: uuid.UUID | None
    entity_type: str | None
    entity_id: str | None
    at: datetime


@dataclass(frozen=True)
class Hooks:
    post_created: Callable[[AsyncSession, NewPost], Awaitable[object]] | None = None
    mutation_done: Callable[[AsyncSession, MutationRecord], Awaitable[object]] | None = None
