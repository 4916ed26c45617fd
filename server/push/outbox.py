"""The transactional push outbox: one row per recipient device, written with the post."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession


async def enqueue_post_notifications(
    session: AsyncSession,
    *,
    room_id: uuid.UUID,
    post_id: uuid.UUID,
    author_id: uuid.UUID,
    urgent: bool,
    at: datetime,
) -> int:
    """Write the outbox rows for a new post in the caller's transaction; returns how many.

    Filled in by the push issue (#7): recipients are the room's current members
    but the author, with their subscribed devices, minus muted rooms and quiet hours.
    """
    return 0
